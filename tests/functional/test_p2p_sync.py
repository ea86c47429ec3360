"""Two real fluxd processes on regtest connected over P2P: header-first sync, relay of new blocks, reorgs."""

from __future__ import annotations

import struct

import pytest

from tests.functional.framework import NodeProcess, connect_nodes, sync_blocks, wait_until
from fluxd.p2p.messages import Ping, Pong
from tests.functional.p2p_peer import RawPeer

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
START_TIME = 1_600_000_000


def _pow_node(path, name):
    return NodeProcess(path / name, ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1"])


@pytest.fixture
def two_nodes(tmp_path):
    nodes = [_pow_node(tmp_path, "a").start(), _pow_node(tmp_path, "b").start()]
    for node in nodes:
        node.rpc("setmocktime", START_TIME)
    yield nodes
    for node in nodes:
        node.stop()


def _mine(node, count, clock):
    hashes = []
    for _ in range(count):
        clock[0] += 600
        node.rpc("setmocktime", clock[0])
        hashes += node.rpc("generate", 1)
    return hashes


def test_sync_relay_and_reorg(two_nodes):
    node_a, node_b = two_nodes
    clock = [START_TIME]
    _mine(node_a, 30, clock)
    node_b.rpc("setmocktime", clock[0])
    connect_nodes(node_b, node_a)
    sync_blocks([node_a, node_b])
    assert node_b.rpc("getblockcount") == 30
    peers_a = node_a.rpc("getpeerinfo")
    assert len(peers_a) == 1 and peers_a[0]["inbound"] is True and peers_a[0]["subver"] == "/MagicBean:9.1.0/"
    assert node_b.rpc("getconnectioncount") == 1 and node_b.rpc("getnettotals")["totalbytesrecv"] > 0

    relayed = _mine(node_a, 3, clock)  # new blocks are announced and fetched
    node_b.rpc("setmocktime", clock[0])
    sync_blocks([node_a, node_b])
    assert node_b.rpc("getbestblockhash") == relayed[-1]

    node_b.rpc("disconnectnode", node_b.rpc("getpeerinfo")[0]["addr"])
    wait_until(lambda: node_a.rpc("getconnectioncount") == 0 and node_b.rpc("getconnectioncount") == 0, 30)
    fork_clock = [clock[0] + 1]  # a different time, so the two branches differ from their first block
    _mine(node_a, 2, clock)
    longer = _mine(node_b, 5, fork_clock)
    for node in two_nodes:
        node.rpc("setmocktime", max(clock[0], fork_clock[0]))
    connect_nodes(node_a, node_b)
    sync_blocks([node_a, node_b])
    assert node_a.rpc("getbestblockhash") == longer[-1] and node_a.rpc("getblockcount") == 38
    tips = node_a.rpc("getchaintips")
    assert {tip["status"] for tip in tips} == {"active", "valid-fork"}


def _addr_payload(host_ip4: bytes, port: int, when: int) -> bytes:
    """An addr message of one entry, written out by hand: time u32, services u64, IPv6-mapped address, port (big-endian)."""
    return b"\x01" + struct.pack("<IQ", when, 1) + b"\x00" * 10 + b"\xff\xff" + host_ip4 + struct.pack(">H", port)


def test_restart_keeps_peers_and_bans(two_nodes):
    node_a, node_b = two_nodes
    node_b.stop()
    node_b.extra_args.append(f"-connect=127.0.0.1:{node_a.p2p_port}")  # never dials the gossiped address below
    node_b.start()
    node_b.rpc("setmocktime", START_TIME)
    peer = RawPeer(node_b.p2p_port)
    peer.handshake()
    peer.send_raw("addr", _addr_payload(bytes([8, 8, 8, 8]), 16125, START_TIME - 60))
    peer.send_raw("addr", _addr_payload(bytes([127, 0, 0, 9]), 16125, START_TIME - 60))  # loopback: not kept (C++ Add_)
    peer.send(Ping(77))
    peer.wait_for(Pong, predicate=lambda pong: pong.nonce == 77)  # messages are handled in order: both addrs are in
    peer.close()
    node_b.rpc("setban", "10.11.12.0/24", "add", 40 * 365 * 86400)  # outlives the mock clock
    node_b.stop()
    assert (node_b.net_dir / "peers.dat").stat().st_size > 0 and (node_b.net_dir / "banlist.dat").stat().st_size > 0
    node_b.start()
    assert [entry["address"] for entry in node_b.rpc("listbanned")] == ["10.11.12.0/255.255.255.0"]
    log = (node_b.net_dir / "debug.log").read_text()
    loaded = [line for line in log.splitlines() if "addresses from peers.dat" in line]
    assert loaded and loaded[-1].split("Loaded ")[1].startswith("1 ")  # the gossiped routable address, not the loopback one
    node_b.rpc("setban", "10.11.12.0/24", "remove")
    assert node_b.rpc("listbanned") == []
