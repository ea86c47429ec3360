"""IBD resumes after a restart without any new block (C++ SendMessages: the initial getheaders starts from the best
header's parent, so a peer whose tip we already know as a header still answers with at least that header)."""

from __future__ import annotations

from fluxd.core.block import BlockHeader
from fluxd.p2p.messages import Headers
from tests.functional.framework import NodeProcess, connect_nodes, wait_until
from tests.functional.p2p_peer import RawPeer

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
START_TIME = 1_600_000_000
BLOCKS = 30


def test_a_restart_with_every_header_known_downloads_the_blocks(tmp_path):
    source = NodeProcess(tmp_path / "source", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1"]).start()
    behind = NodeProcess(tmp_path / "behind", ["-nuparams=pon:1000", "-listen=1"]).start()
    try:
        for step in range(1, BLOCKS + 1):
            source.rpc("setmocktime", START_TIME + 600 * step)
            source.rpc("generate", 1)
        hashes = [source.rpc("getblockhash", height) for height in range(1, BLOCKS + 1)]
        headers = [BlockHeader.from_bytes(bytes.fromhex(source.rpc("getblockheader", h, False))) for h in hashes]
        peer = RawPeer(behind.p2p_port)
        peer.handshake()
        peer.send(Headers(headers))  # every header, no block: the state a kill -9 during IBD can leave
        wait_until(lambda: behind.rpc("getblockchaininfo")["headers"] == BLOCKS, 30, 0.1, "the headers")
        peer.close()
        behind.stop()
        behind.start()
        assert behind.rpc("getblockcount") == 0 and behind.rpc("getblockchaininfo")["headers"] == BLOCKS
        connect_nodes(behind, source)
        wait_until(lambda: behind.rpc("getblockcount") == BLOCKS, 30, 0.2, "the blocks, with no new block announced")
        assert behind.rpc("getbestblockhash") == hashes[-1]
    finally:
        behind.stop()
        source.stop()
