"""Switching -insightexplorer on for a synced datadir builds its indexes from the stored blocks, without
-reindex (ours: C++ asks for -reindex), while the node serves; afterwards it answers exactly as a node that
had the indexes from the start.  Switched off, the indexes are dropped; on again, rebuilt."""

from __future__ import annotations

from tests.functional.framework import NodeProcess, connect_nodes, sync_blocks, wait_until
from tests.functional.test_address_index import (
    ADDR, INSIGHT, Clock, _error, build_history, check_against_model, index_answers, model_of,
)

PLAIN = ["-nuparams=pon:1000", "-txindex", "-listen=1", "-connect=0"]


def _synced(node) -> bool:
    info = node.rpc("getindexinfo")
    return set(info) == {"txindex", "addressindex", "spentindex", "timestampindex"} and all(item["synced"] for item in info.values())


def test_indexes_switched_on_later_equal_indexes_kept_from_the_start(tmp_path):
    clock = Clock()
    late = NodeProcess(tmp_path / "late", [*PLAIN, f"-mineraddress={ADDR['a']}"]).start()
    early = None
    try:
        model, _ = build_history(late, clock)
        clock.mine(late, 3)
        assert late.rpc("getindexinfo") == {"txindex": {"synced": True, "best_block_height": late.rpc("getblockcount")}}
        early = NodeProcess(tmp_path / "early", [*INSIGHT, f"-mineraddress={ADDR['m']}"]).start()
        early.rpc("setmocktime", clock.now)
        connect_nodes(early, late)
        sync_blocks([early, late])
        model = model_of(late)
        late.stop()

        late.extra_args += ["-experimentalfeatures", "-insightexplorer"]
        late.start()
        wait_until(lambda: _synced(late), 120, 0.2, "the indexes built from the stored blocks")
        assert "Building the addressindex" in (late.datadir / "regtest" / "debug.log").read_text()
        assert index_answers(late, model) == index_answers(early, model)
        check_against_model(late, model)
        times = [late.rpc("getblockheader", late.rpc("getblockhash", h))["time"] for h in (1, late.rpc("getblockcount"))]
        assert late.rpc("getblockhashes", times[1] + 1, times[0]) == early.rpc("getblockhashes", times[1] + 1, times[0])
        late.stop()

        late.extra_args.remove("-insightexplorer")  # switched off: dropped
        late.start()
        assert _error(late, "getaddressbalance", ADDR["a"])[0] == -1
        assert late.rpc("getindexinfo") == {"txindex": {"synced": True, "best_block_height": late.rpc("getblockcount")}}
        late.stop()
        late.extra_args.append("-insightexplorer")  # on again: rebuilt from nothing
        late.start()
        wait_until(lambda: _synced(late), 120, 0.2, "the indexes rebuilt")
        assert index_answers(late, model) == index_answers(early, model)
    finally:
        late.stop()
        if early is not None:
            early.stop()
