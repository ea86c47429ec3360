"""Bounded memory per peer (C++ SendBufferSize / vRecvGetData): raw peers each ask for every block of a chain
of ~90 KB blocks in one getdata and read slowly; the node serves a block at a time as each send buffer drains,
so its RSS stays within 200 MB of where it started, and every peer still gets every block."""

from __future__ import annotations

import threading
import time

import pytest

from fluxd.p2p.messages import BlockMessage, GetData, InvItem
from fluxd.p2p.protocol import MSG_BLOCK
from tests.functional.fat_chain import fat_chain
from tests.functional.framework import NodeProcess
from tests.functional.p2p_peer import RawPeer

pytestmark = pytest.mark.functional
BLOCKS, BLOCK_EXTRA, PEERS = 320, 90_000, 10


def rss_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _read_all(peer: RawPeer, wanted: set[bytes], got: dict, pause: threading.Event) -> None:
    pause.wait()
    peer.sock.settimeout(120)
    while wanted:
        message = peer.read_message()
        peer.received.clear()
        if isinstance(message, BlockMessage):
            wanted.discard(message.block.hash_rev)
            got[peer] = got.get(peer, 0) + 1
            time.sleep(0.002)  # a slow reader


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    start = int(time.time()) - BLOCKS * 60 - 3600
    blocks = fat_chain(BLOCKS, BLOCK_EXTRA, start)
    process = NodeProcess(tmp_path_factory.mktemp("flood") / "node", ["-nuparams=pon:1", "-listen=1"])
    process.start()
    for block in blocks:
        assert process.rpc("submitblock", block.to_bytes().hex()) is None
    assert process.rpc("getblockcount") == BLOCKS
    yield process, blocks
    process.stop()


def test_getdata_flood_keeps_rss_bounded_and_serves_everything(node):
    process, blocks = node
    start_rss = rss_kb(process.process.pid)
    items = [InvItem(MSG_BLOCK, block.hash_rev) for block in blocks]
    peers = []
    for _ in range(PEERS):
        peer = RawPeer(process.p2p_port)
        peer.handshake()
        peer.send(GetData(items))
        peers.append(peer)
    pause, got = threading.Event(), {}
    threads = [threading.Thread(target=_read_all, args=(peer, {b.hash_rev for b in blocks}, got, pause)) for peer in peers]
    for thread in threads:
        thread.start()
    peak = start_rss
    for _ in range(30):  # nobody reads for 3 s: an unbounded node would queue every block for every peer
        time.sleep(0.1)
        peak = max(peak, rss_kb(process.process.pid))
    assert process.rpc("getblockcount") == BLOCKS  # RPC still answers while the buffers are full
    pause.set()
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.1)
        peak = max(peak, rss_kb(process.process.pid))
    for thread in threads:
        thread.join()
    print(f"RSS start {start_rss} kB, peak {peak} kB; sent {PEERS}x{BLOCKS} blocks of ~{BLOCK_EXTRA} bytes")
    assert got == {peer: BLOCKS for peer in peers}
    assert peak - start_rss < 200_000
    for peer in peers:
        peer.close()
