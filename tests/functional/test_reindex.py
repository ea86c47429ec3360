"""-reindex, -loadblock and start-up -checkblocks on real regtest nodes: the rebuilt chain equals the original."""

from __future__ import annotations

import random
import shutil
import time

import pytest

from fluxd.chainstate.block_import import is_reindexing, set_reindexing
from fluxd.chainstate.chainstate import COLUMNS
from fluxd.storage.block_files import scan_frames
from fluxd.storage.rocks import RocksStore
from tests.functional.framework import NodeProcess, wait_until

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
MOCK_TIME = 1_700_000_000
BLOCKS = 200
VARYING = {"verificationprogress", "size_on_disk"}  # not part of the chain's identity


def chain_facts(node: NodeProcess) -> dict:
    info = {key: value for key, value in node.rpc("getblockchaininfo").items() if key not in VARYING}
    return {"tip": node.rpc("getbestblockhash"), "utxo": node.rpc("gettxoutsetinfo")["hash_serialized"], "info": info}


def restart(node: NodeProcess, *extra: str) -> float:
    """Stop, start with ``extra`` until the chain is back at BLOCKS; seconds from start to that height."""
    node.stop()
    node.extra_args = [arg for arg in node.extra_args if arg in (f"-mineraddress={MINER}",)] + list(extra)
    started = time.monotonic()
    node.start()
    wait_until(lambda: node.rpc("getblockcount") >= BLOCKS, 300, 0.1, "import")
    return time.monotonic() - started


def block_file(node: NodeProcess, number: int = 0):
    return node.net_dir / "blocks" / f"blk{number:05d}.dat"


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """A stopped node holding a 200-block regtest chain, and its chain facts."""
    node = NodeProcess(tmp_path_factory.mktemp("reindex") / "a", [f"-mineraddress={MINER}"]).start()
    node.rpc("setmocktime", MOCK_TIME)
    node.rpc("generate", BLOCKS)
    facts = chain_facts(node)
    node.stop()
    return node, facts


def test_restart_and_reindex_give_the_same_chain(mined):
    node, facts = mined
    restart(node)
    assert chain_facts(node) == facts
    size = block_file(node).stat().st_size
    seconds = restart(node, "-reindex")
    assert chain_facts(node) == facts
    assert block_file(node).stat().st_size == size  # the blocks were not appended a second time
    log = (node.net_dir / "debug.log").read_text(errors="replace")
    assert "Reindexing block file blk00000.dat" in log and "Reindexing finished" in log
    print(f"reindex of {BLOCKS} blocks: {seconds:.2f}s ({BLOCKS / seconds:.0f} blocks/s including start-up)")
    restart(node)  # the reindexing flag is cleared: a plain restart keeps the chain and does not reindex again
    assert chain_facts(node) == facts
    assert log.count("Reindexing finished") == (node.net_dir / "debug.log").read_text(errors="replace").count("Reindexing finished")
    node.stop()


def test_a_reindex_left_unfinished_resumes_at_the_next_start(mined):
    node, facts = mined
    store = RocksStore(node.net_dir / "chainstate", COLUMNS)
    set_reindexing(store, True)  # as a node stopped in the middle of a -reindex leaves it
    store.close()
    log_path = node.net_dir / "debug.log"
    before = log_path.read_text(errors="replace").count("Reindexing finished")
    restart(node)
    wait_until(lambda: log_path.read_text(errors="replace").count("Reindexing finished") == before + 1, 60)
    assert chain_facts(node) == facts
    node.stop()
    store = RocksStore(node.net_dir / "chainstate", COLUMNS)
    assert not is_reindexing(store)
    store.close()


def test_loadblock_into_a_fresh_node(mined, tmp_path):
    source, facts = mined
    external = tmp_path / "export.dat"
    shutil.copy(block_file(source), external)
    node = NodeProcess(tmp_path / "fresh", [f"-loadblock={external}", f"-loadblock={tmp_path / 'missing.dat'}"]).start()
    try:
        wait_until(lambda: node.rpc("getblockcount") == BLOCKS, 300, 0.1, "loadblock")
        assert chain_facts(node) == facts
        assert "Could not open blocks file" in (node.net_dir / "debug.log").read_text(errors="replace")
    finally:
        node.stop()


def test_reindex_garbage_out_of_order_and_truncated_tail(mined, tmp_path):
    source, facts = mined
    magic = bytes.fromhex(source_magic(source))
    frames = [magic + len(raw).to_bytes(4, "little") + raw for _, raw in scan_frames(block_file(source), magic)]
    assert len(frames) == BLOCKS + 1
    genesis, rest = frames[0], frames[1:]
    random.Random(3).shuffle(rest)
    mixed = b"".join(chunk + random.Random(len(chunk)).randbytes(17) + magic[:3] for chunk in [genesis] + rest)
    node = NodeProcess(tmp_path / "mixed", ["-reindex"])
    blocks_dir = node.net_dir / "blocks"
    blocks_dir.mkdir(parents=True)
    (blocks_dir / "blk00000.dat").write_bytes(b"\x00garbage" + mixed + rest[0][:-25])  # torn copy at the end
    node.start()
    try:
        wait_until(lambda: node.rpc("getblockcount") == BLOCKS, 300, 0.1, "reindex of a shuffled file")
        assert chain_facts(node) == facts
    finally:
        node.stop()


def test_corrupt_block_files_ask_for_reindex(mined, tmp_path):
    source, facts = mined
    node = NodeProcess(tmp_path / "corrupt", [f"-mineraddress={MINER}"])
    shutil.copytree(source.net_dir, node.net_dir, ignore=shutil.ignore_patterns(".lock", ".cookie", "debug.log"))
    data = block_file(node).read_bytes()
    block_file(node).write_bytes(data[: len(data) - 3000])  # the top blocks are gone
    with pytest.raises(RuntimeError) as failure:
        node.start()
    assert "Corrupted block database detected" in str(failure.value) and "-reindex" in str(failure.value)
    assert "Traceback" not in node.output()
    node.extra_args.append("-reindex")
    node.start()
    try:
        wait_until(lambda: "Reindexing finished" in (node.net_dir / "debug.log").read_text(errors="replace"), 120)
        height = node.rpc("getblockcount")
        assert BLOCKS - 20 < height < BLOCKS
        assert node.rpc("getblockhash", height) == node.rpc("getbestblockhash")
    finally:
        node.stop()


def source_magic(node: NodeProcess) -> str:
    return block_file(node).read_bytes()[:4].hex()
