"""fluxd -db-info and fluxd -checkdb on a stopped regtest node's datadir, clean and damaged (real processes)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fluxd.chainstate.chainstate import COLUMNS, TIP_KEY
from fluxd.chainstate.modules import UNDO_COLUMN
from fluxd.storage.block_files import scan_frames
from fluxd.storage.kv import WriteBatch
from fluxd.storage.rocks import RocksStore
from tests.functional.framework import BIN_DIR, NodeProcess

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
MOCK_TIME = 1_600_000_000
BLOCKS = 12
# Figures of the database directory that change when RocksDB is closed and opened again (memtables flushed to
# SST files, WAL and LOG files rotated) and of the whole datadir (debug.log grows, .cookie goes at shutdown).
CHANGING_SIZES = {"approx_data_dir_bytes", "db_dir_bytes", "db_partitions_bytes"}
CHANGING_PARTITION_FIELDS = {"size_bytes", "estimate_num_keys"}


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    node = NodeProcess(tmp_path_factory.mktemp("offline") / "source", ["-nuparams=pon:1000", f"-mineraddress={MINER}"])
    node.start()
    try:
        hashes = [node.rpc("getblockhash", 0)]
        for height in range(1, BLOCKS + 1):
            node.rpc("setmocktime", MOCK_TIME + 600 * height)
            hashes += node.rpc("generate", 1)
        info = node.rpc("getdbinfo")
    finally:
        assert node.stop() == 0
    return node, info, hashes


def offline(datadir: Path, *options: str) -> subprocess.CompletedProcess:
    command = [str(BIN_DIR / "fluxd"), f"-datadir={datadir}", "-regtest", "-nuparams=pon:1000", *options]  # the chain's params
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def copy_of(mined, tmp_path: Path) -> Path:
    source = mined[0]
    target = tmp_path / "copy"
    shutil.copytree(source.datadir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def edit_database(datadir: Path, change) -> None:
    store = RocksStore(datadir / "regtest" / "chainstate", COLUMNS)
    try:
        batch = WriteBatch()
        change(store, batch)
        store.write(batch, sync=True)
    finally:
        store.close()


def hash_rev(hash_hex: str) -> bytes:
    return bytes.fromhex(hash_hex)[::-1]


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def report_lines(result: subprocess.CompletedProcess, status: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(status)]


def test_db_info_prints_what_getdbinfo_answered(mined):
    node, info, _ = mined
    result = offline(node.datadir, "-db-info")
    assert result.returncode == 0, result.stderr
    offline_info = json.loads(result.stdout)
    assert list(offline_info) == list(info)  # the same groups in the same order
    for group, value in info.items():
        if group == "sizes":
            assert list(offline_info[group]) == list(value)
            assert {key: item for key, item in offline_info[group].items() if key not in CHANGING_SIZES} == {
                key: item for key, item in value.items() if key not in CHANGING_SIZES
            }
        elif group == "db_partitions":
            assert [list(item) for item in offline_info[group]] == [list(item) for item in value]

            def strip(items):
                return [{key: field for key, field in item.items() if key not in CHANGING_PARTITION_FIELDS} for item in items]

            assert strip(offline_info[group]) == strip(value)
        else:
            assert offline_info[group] == value, group
    assert offline_info["chain"] == {"best_header_height": BLOCKS, "best_block_height": BLOCKS}
    assert offline_info["flatfiles_fs"]["data_files"] == 1


def test_checkdb_passes_a_clean_datadir_and_changes_nothing(mined):
    node, _, _ = mined
    before = files_of(node.net_dir)
    result = offline(node.datadir, "-checkdb")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = ["database", "format-version", "tip-record", "block-index", "block-files", "undo-data", "module-undo", "verifychain"]
    assert [line.split(":")[0].split()[-1] for line in report_lines(result, "OK")] == checks
    assert not report_lines(result, "FAIL") and not report_lines(result, "SKIP")
    assert f"last {BLOCKS} blocks at level 3: no problems" in result.stdout
    assert result.stdout.splitlines()[-1] == "Summary: 8 checks, all passed: the datadir is intact"
    shallow = offline(node.datadir, "-checkdb", "-checkblocks=3", "-checklevel=4")
    assert shallow.returncode == 0 and "last 3 blocks at level 4: no problems" in shallow.stdout
    assert offline(node.datadir, "-db-info").returncode == 0
    assert files_of(node.net_dir) == before  # the database is opened read-only: not a byte changes, no file appears


def test_checkdb_finds_a_truncated_block_file(mined, tmp_path):
    datadir = copy_of(mined, tmp_path)
    block_file = datadir / "regtest" / "blocks" / "blk00000.dat"
    data = block_file.read_bytes()
    block_file.write_bytes(data[: len(data) - 100])  # the last block (266 bytes) is cut short
    result = offline(datadir, "-checkdb")
    assert result.returncode == 3, result.stdout
    assert "FAIL  block-files: 1 of 13 stored blocks damaged" in result.stdout
    assert f"at height {BLOCKS}: blk00000.dat:" in result.stdout and "truncated" in result.stdout
    assert "FAIL  verifychain" in result.stdout
    assert "(block-files, verifychain): the datadir is damaged" in result.stdout.splitlines()[-1]


def test_checkdb_finds_flipped_bytes_in_a_block(mined, tmp_path):
    datadir = copy_of(mined, tmp_path)
    _, _, hashes = mined
    block_file = datadir / "regtest" / "blocks" / "blk00000.dat"
    data = bytearray(block_file.read_bytes())
    frames = list(scan_frames(block_file, bytes(data[:4])))
    pos, raw = frames[6]
    end = pos.data_pos + len(raw)
    data[end - 10 : end - 6] = bytes(byte ^ 0xFF for byte in data[end - 10 : end - 6])  # in the coinbase transaction
    pos, raw = frames[9]
    data[pos.data_pos + 40] ^= 0x01  # in the header (merkle root): the block no longer hashes to its entry
    block_file.write_bytes(bytes(data))
    result = offline(datadir, "-checkdb")
    assert result.returncode == 3, result.stdout
    assert "FAIL  block-files: 1 of 13 stored blocks damaged" in result.stdout
    assert f"block {hashes[9]} at height 9: blk00000.dat:{pos.data_pos}: the stored block hashes to" in result.stdout
    verify = result.stdout.split("FAIL  verifychain")[1]
    assert hashes[9] in verify  # verifychain walks down from the tip: the first damaged block it meets


def test_checkdb_finds_missing_undo_records(mined, tmp_path):
    datadir = copy_of(mined, tmp_path)
    _, _, hashes = mined

    def delete(store, batch):
        assert store.get("undo", hash_rev(hashes[5])) is not None
        batch.delete("undo", hash_rev(hashes[5]))
        module_key = b"fluxnodes/" + hash_rev(hashes[7])
        assert store.get(UNDO_COLUMN.family, module_key) is not None
        batch.delete(UNDO_COLUMN.family, module_key)

    edit_database(datadir, delete)
    result = offline(datadir, "-checkdb")
    assert result.returncode == 3, result.stdout
    assert "FAIL  undo-data: 1 of 12 connected blocks damaged" in result.stdout
    assert f"block {hashes[5]} at height 5: undo record missing" in result.stdout
    assert "FAIL  module-undo: 1 of 24 module undo records damaged" in result.stdout
    assert f"block {hashes[7]} at height 7: fluxnodes undo record missing" in result.stdout
    assert "FAIL  verifychain" in result.stdout and f"block {hashes[5]} at height 5 failed: undo data missing" in result.stdout


def test_checkdb_finds_a_tip_record_naming_an_unknown_block(mined, tmp_path):
    datadir = copy_of(mined, tmp_path)
    edit_database(datadir, lambda store, batch: batch.put("meta", TIP_KEY, b"\x11" * 32))
    result = offline(datadir, "-checkdb")
    assert result.returncode == 3, result.stdout
    assert f"FAIL  tip-record: the tip record names block {'11' * 32}, which is not in the block index" in result.stdout
    assert "FAIL  block-index: the chain cannot be loaded" in result.stdout
    assert len(report_lines(result, "SKIP")) == 4  # block files, undo data, module undo, verifychain
    info = offline(datadir, "-db-info")
    assert info.returncode == 1 and "The chainstate tip is not in the block index" in info.stderr


def test_offline_tools_refused_beside_a_running_node(mined, tmp_path):
    datadir = copy_of(mined, tmp_path)
    node = NodeProcess(datadir, ["-nuparams=pon:1000", f"-mocktime={MOCK_TIME + 600 * BLOCKS}"])
    node.start()
    try:
        for tool in ("-db-info", "-checkdb"):
            result = offline(datadir, tool)
            assert result.returncode == 1, (tool, result.stdout, result.stderr)
            assert "Cannot obtain a lock on data directory" in result.stderr and "probably already running" in result.stderr
            assert result.stdout == ""
    finally:
        assert node.stop() == 0


def test_offline_tools_on_a_datadir_without_a_chain(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "flux.conf").write_text("")
    result = offline(tmp_path / "empty", "-db-info")
    assert result.returncode == 1 and "No regtest data directory" in result.stderr
    (tmp_path / "empty" / "regtest").mkdir()
    result = offline(tmp_path / "empty", "-checkdb")
    assert result.returncode == 3 and "FAIL  database: No block database in" in result.stdout
