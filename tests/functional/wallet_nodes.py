"""Regtest nodes with wallets for the wallet tests: PoW blocks (-nuparams=pon:1000) paying a pool key,
one mock-time clock shared by the nodes (600 s a block, so LWMA3 keeps the target easy)."""

from __future__ import annotations

from decimal import Decimal

from tests.functional.framework import NodeProcess, sync_blocks, wait_until

WALLET_ARGS = ["-nuparams=pon:1000", "-listen=1", "-connect=0"]
START_TIME = 1_600_000_000


def amount(value) -> Decimal:
    """An RPC amount (the framework keeps JSON numbers as text) as an exact Decimal."""
    return Decimal(str(value))


class WalletClock:
    def __init__(self, nodes: list[NodeProcess]) -> None:
        self.nodes = nodes
        self.now = START_TIME

    def tick(self, seconds: int = 600) -> None:
        self.now += seconds
        for node in self.nodes:
            if node.process is not None:
                node.rpc("setmocktime", self.now)

    def mine(self, node: NodeProcess, count: int = 1, sync: list[NodeProcess] | None = None) -> list[str]:
        hashes = []
        for _ in range(count):
            self.tick()
            hashes += node.rpc("generate", 1)
        if sync:
            sync_blocks(sync)
        return hashes


def wait_in_mempool(node: NodeProcess, txid: str) -> None:
    wait_until(lambda: txid in node.rpc("getrawmempool"), 60, what=f"{txid} in the mempool")
