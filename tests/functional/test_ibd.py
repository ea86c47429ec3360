"""Initial block download of a 5,000-block regtest chain from one peer and from three peers."""

from __future__ import annotations

from tests.functional.ibd import build_sources, timed_sync

BLOCKS = 5000


def test_ibd_from_one_and_three_peers(tmp_path):
    sources = build_sources(tmp_path, BLOCKS, 3)
    synced = []
    try:
        for peers in (1, 3):
            _, node = timed_sync(tmp_path, sources[:peers], f"fresh{peers}")
            synced.append(node)
            assert node.rpc("getbestblockhash") == sources[0].rpc("getbestblockhash")
            assert node.rpc("gettxoutsetinfo")["hash_serialized"] == sources[0].rpc("gettxoutsetinfo")["hash_serialized"]
            assert node.rpc("getblockchaininfo")["headers"] == BLOCKS
        inflight_peers = [peer for peer in synced[1].rpc("getpeerinfo") if peer["synced_headers"] > 0 or peer["synced_blocks"] > 0]
        assert len(inflight_peers) >= 2  # blocks came from more than one source
    finally:
        for node in sources + synced:
            node.stop()
