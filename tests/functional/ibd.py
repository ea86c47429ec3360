"""Shared by the IBD functional test and bench: build a regtest chain on one node, sync fresh nodes from 1..n peers."""

from __future__ import annotations

import time
from pathlib import Path

from tests.functional.framework import NodeProcess, sync_blocks, wait_until

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
MOCK_TIME = 1_700_000_000


def start_node(path: Path, *extra: str) -> NodeProcess:
    node = NodeProcess(path, [f"-mineraddress={MINER}", "-listen=1", *extra]).start()
    node.rpc("setmocktime", MOCK_TIME)
    return node


def build_sources(base: Path, blocks: int, sources: int) -> list[NodeProcess]:
    """``sources`` nodes that all hold the same ``blocks``-block chain."""
    first = start_node(base / "src0")
    first.rpc("generate", blocks)
    nodes = [first]
    for index in range(1, sources):
        node = start_node(base / f"src{index}")
        node.rpc("addnode", f"127.0.0.1:{first.p2p_port}", "onetry")
        nodes.append(node)
    sync_blocks(nodes, timeout=600)
    return nodes


def timed_sync(base: Path, sources: list[NodeProcess], name: str) -> tuple[float, NodeProcess]:
    """Start a fresh node, connect it to every source, return (seconds until it has their tip, node)."""
    node = start_node(base / name)
    target = sources[0].rpc("getblockcount")
    started = time.monotonic()
    for source in sources:
        node.rpc("addnode", f"127.0.0.1:{source.p2p_port}", "onetry")
    wait_until(lambda: node.rpc("getblockcount") >= target, 900, 0.2, "initial block download")
    return time.monotonic() - started, node
