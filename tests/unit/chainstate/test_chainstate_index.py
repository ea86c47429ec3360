"""The chainstate's compact block index: restart round trip, headers read on demand, old formats, invalidate."""

from __future__ import annotations

import pytest

from fluxd.chainstate.block_index import BLOCK_FAILED_CHILD, BLOCK_FAILED_VALID, BLOCK_HAVE_DATA
from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.format_version import VERSION_KEY
from fluxd.storage.kv import StorageError, WriteBatch
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore
from tests.unit.chainstate.test_chainstate import PARAMS, SCRIPT, make_chainstate, mine


def _fields(entry) -> tuple:
    return (entry.height, entry.chainwork, entry.status, entry.tx_count, entry.chain_tx_count, entry.file_no,
            entry.data_pos, entry.version, entry.time, entry.bits, entry.prev_hash_rev)  # fmt: skip


def _branchy(tmp_path):
    chainstate, clock = make_chainstate(tmp_path, "rocks")
    main = mine(chainstate, clock, 6)
    side = mine(chainstate, clock, 2, prev=chainstate.entry_at(3), extra_nonce=7)
    clock.time += 600
    header_only = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time).header
    chainstate.accept_header(header_only)
    return chainstate, main, side, header_only


def test_restart_restores_every_entry_and_reads_headers_on_demand(tmp_path):
    chainstate, main, side, header_only = _branchy(tmp_path)
    before = {entry.hash_rev: _fields(entry) for entry in chainstate.index.values()}
    best, tip = chainstate.best_header.hash_rev, chainstate.tip.hash_rev
    chainstate.store.close()
    blocks = BlockFiles(tmp_path / "blocks", PARAMS.message_start)
    reopened = Chainstate(PARAMS, RocksStore(tmp_path / "chainstate", COLUMNS), blocks, chainstate.now)
    reopened.load()
    assert {entry.hash_rev: _fields(entry) for entry in reopened.index.values()} == before
    assert reopened.tip.hash_rev == tip and reopened.best_header.hash_rev == best == header_only.hash_rev
    assert not reopened.index[header_only.hash_rev].status & BLOCK_HAVE_DATA
    for block in main + side:
        assert reopened.index[block.hash_rev].header == block.header  # the full header, with its solution
    assert reopened.index[header_only.hash_rev].header == header_only
    assert [entry.hash_rev for entry in reopened.active] == [reopened.index.entry(0).hash_rev] + [b.hash_rev for b in main]
    reopened.store.close()


def test_a_database_of_the_previous_format_asks_for_a_reindex(tmp_path):
    store = MemoryStore(COLUMNS)
    batch = WriteBatch()
    batch.put("meta", VERSION_KEY, (3).to_bytes(4, "little"))
    batch.put("block_index", b"\x01" * 32, b"\x01" + b"\x00" * 150)
    store.write(batch)
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), lambda: 0)
    with pytest.raises(StorageError, match="-reindex"):
        chainstate.load()


def test_invalidate_marks_descendants_and_reconsider_clears_them(tmp_path):
    chainstate, clock = make_chainstate(tmp_path)
    main = mine(chainstate, clock, 6)
    side = mine(chainstate, clock, 2, prev=chainstate.entry_at(3), extra_nonce=7)
    bad = chainstate.index[main[3].hash_rev]  # height 4
    chainstate.invalidate_block(bad)
    assert bad.status & BLOCK_FAILED_VALID
    assert all(chainstate.index[block.hash_rev].status & BLOCK_FAILED_CHILD for block in main[4:])
    assert not any(chainstate.index[block.hash_rev].status & BLOCK_FAILED_CHILD for block in main[:3] + side)
    assert chainstate.tip.hash_rev == side[-1].hash_rev and chainstate.best_header.hash_rev == side[-1].hash_rev
    chainstate.reconsider_block(chainstate.index[main[-1].hash_rev])
    assert not any(entry.status & (BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD) for entry in chainstate.index.values())
    assert chainstate.tip.hash_rev == main[-1].hash_rev and chainstate.contains(chainstate.index[main[-1].hash_rev])


def test_connecting_and_accepting_headers_read_no_stored_header(tmp_path):
    chainstate, main, side, header_only = _branchy(tmp_path)
    chainstate.store.close()
    blocks = BlockFiles(tmp_path / "blocks", PARAMS.message_start)
    reopened = Chainstate(PARAMS, RocksStore(tmp_path / "chainstate", COLUMNS), blocks, chainstate.now)
    reads = []
    reader = reopened.index._header_reader
    reopened.index._header_reader = lambda entry: reads.append(entry.height) or reader(entry)
    reopened.load()
    clock = chainstate.now
    for _ in range(3):  # header acceptance, difficulty, median time past, connect: all from the columns
        clock.time += 600
        block = build_block(PARAMS, reopened.tip, SCRIPT, clock.time)
        reopened.accept_header(block.header)
        reopened.process_block(block)
    reopened.locator()
    assert reopened.height == 9 and reads == []
    assert reopened.index[main[0].hash_rev].header == main[0].header and reads == [1]  # read when asked for
    reopened.store.close()
