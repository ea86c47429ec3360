"""The compact block index: rows, handles, skip-list ancestors, records and their load, lookup, growth."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fluxd.chainstate import compact_index
from fluxd.chainstate.block_index import (
    BLOCK_FAILED_CHILD,
    BLOCK_FAILED_VALID,
    BLOCK_HAVE_DATA,
    BLOCK_VALID_SCRIPTS,
    BLOCK_VALID_TRANSACTIONS,
    BLOCK_VALID_TREE,
    INDEX_COLUMN,
    INDEX_FORMAT_VERSION,
    RECORD,
    RECORD_PREFIX,
    header_key,
    put_entry,
    record_key,
    skip_height,
)
from fluxd.chainstate.compact_index import CompactBlockIndex, skip_heights
from fluxd.chainstate.detached_entry import DetachedEntry
from fluxd.core.block import PON_VERSION, BlockHeader
from fluxd.core.tx_parts import OutPoint
from fluxd.storage.kv import StorageError, WriteBatch
from fluxd.storage.memory import MemoryStore

ZERO = b"\x00" * 32


def _header(prev_hash: bytes, number: int, pon: bool = False) -> BlockHeader:
    time, bits = 1_000_000 + 60 * number, 0x200F0F0F - (number % 7)
    if pon:
        return BlockHeader(PON_VERSION, prev_hash, ZERO, ZERO, time, bits, collateral=OutPoint(number.to_bytes(32, "little"), 1), block_sig=b"\x05" * 72)
    return BlockHeader(4, prev_hash, ZERO, ZERO, time, bits, number.to_bytes(32, "little"), solution=bytes([number % 256]) * 52)


def _tree(parents: list[int | None], index: CompactBlockIndex | None = None):
    """Index a tree (parents[i] < i, or None for the root) in a compact index and as detached entries."""
    index = index or CompactBlockIndex()
    entries, detached = [], []
    for number, parent in enumerate(parents):
        prev_hash = detached[parent].hash_rev if parent is not None else ZERO
        header = _header(prev_hash, number, pon=number % 5 == 4)
        prev_detached = detached[parent] if parent is not None else None
        height = prev_detached.height + 1 if prev_detached is not None else 0
        work = (prev_detached.chainwork if prev_detached is not None else 0) + 1 + number % 3
        detached.append(DetachedEntry(header, height, work, prev_detached))
        entries.append(index.add(header, work, entries[parent] if parent is not None else None))
    return index, entries, detached


def _chain_parents(length: int) -> list[int | None]:
    return [None] + list(range(length - 1))


def _random_parents(rng: random.Random, size: int) -> list[int | None]:
    """Mostly a chain, with side branches off recent blocks."""
    parents: list[int | None] = [None]
    for number in range(1, size):
        parents.append(number - 1 if rng.random() < 0.8 else rng.randrange(max(0, number - 20), number))
    return parents


CHAIN_INDEX, CHAIN, CHAIN_DETACHED = _tree(_chain_parents(3000))


def test_skip_heights_are_below_height_and_vectorised_alike():
    assert skip_height(0) == 0 and skip_height(1) == 0
    heights = np.arange(0, 70_000)
    assert skip_heights(heights).tolist() == [skip_height(height) for height in range(70_000)]
    for height in range(2, 5000):
        assert 0 <= skip_height(height) < height


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2999), st.data())
def test_ancestor_on_a_chain_matches_the_old_walk(tip_height, data):
    target = data.draw(st.integers(0, tip_height))
    assert CHAIN[tip_height].ancestor(target) == CHAIN[target]
    assert CHAIN[tip_height].ancestor(target).hash_rev == CHAIN_DETACHED[tip_height].ancestor(target).hash_rev
    assert CHAIN[tip_height].ancestor(tip_height + 1) is None and CHAIN[tip_height].ancestor(-1) is None


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 400), st.data())
def test_ancestor_and_skip_on_random_trees_match_the_old_algorithm(seed, size, data):
    index, entries, detached = _tree(_random_parents(random.Random(seed), size))
    loaded = _reloaded(index)
    for _ in range(20):
        number = data.draw(st.integers(0, size - 1))
        target = data.draw(st.integers(0, detached[number].height))
        expected = detached[number].ancestor(target).hash_rev
        assert entries[number].ancestor(target).hash_rev == expected
        assert loaded[detached[number].hash_rev].ancestor(target).hash_rev == expected
    for entry, old in zip(entries, detached):
        expected_skip = old.skip.hash_rev if old.skip is not None else None
        assert (entry.skip.hash_rev if entry.skip is not None else None) == expected_skip
        again = loaded[old.hash_rev]
        assert (again.skip.hash_rev if again.skip is not None else None) == expected_skip


def _store_of(index: CompactBlockIndex) -> MemoryStore:
    store = MemoryStore((INDEX_COLUMN,))
    batch = WriteBatch()
    for entry in index.values():
        put_entry(batch, entry)
    store.write(batch)
    return store


def _reader(store: MemoryStore):
    def read(entry):
        data = store.get(INDEX_COLUMN, header_key(entry.hash_rev))
        return BlockHeader.from_bytes(data) if data is not None else None

    return read


def _reloaded(index: CompactBlockIndex) -> CompactBlockIndex:
    store = _store_of(index)
    loaded = CompactBlockIndex(_reader(store))
    loaded.load(store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX))
    return loaded


def _fields(entry) -> tuple:
    prev = entry.prev.hash_rev if entry.prev is not None else None
    return (entry.hash_rev, entry.height, entry.chainwork, entry.status, entry.tx_count, entry.chain_tx_count,
            entry.file_no, entry.data_pos, entry.version, entry.time, entry.bits, entry.prev_hash_rev, prev)  # fmt: skip


@pytest.mark.parametrize("chunk", [7, 64, compact_index.LOAD_CHUNK])
def test_every_field_round_trips_through_the_records(monkeypatch, chunk):
    monkeypatch.setattr(compact_index, "LOAD_CHUNK", chunk)  # parents in earlier chunks too
    rng = random.Random(7)
    index, entries, detached = _tree(_random_parents(rng, 300))
    for entry in entries:
        entry.status = rng.choice([BLOCK_VALID_TREE, BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA, BLOCK_FAILED_VALID | 3, BLOCK_FAILED_CHILD | 2])
        entry.tx_count, entry.chain_tx_count = rng.randrange(2**32), rng.randrange(2**64)
        entry.file_no, entry.data_pos = rng.randrange(-1, 2**31), rng.randrange(2**40)
    entries[5]._index.columns.set_bytes("work", 5, ((1 << 256) - 3).to_bytes(32, "big"))  # a full 256-bit chainwork
    loaded = _reloaded(index)
    assert len(loaded) == len(index) == 300
    for entry, old in zip(entries, detached):
        again = loaded[entry.hash_rev]
        assert _fields(again) == _fields(entry)
        assert again.header == old.header and again.header.solution == old.header.solution
        assert again.header.block_sig == old.header.block_sig
    assert loaded[entries[5].hash_rev].chainwork == (1 << 256) - 3
    assert [entry.height for entry in loaded.values()] == sorted(entry.height for entry in entries)  # rows by height


def test_records_are_fixed_size_and_the_header_is_written_once():
    index, entries, _ = _tree(_chain_parents(3))
    batch = WriteBatch()
    put_entry(batch, entries[1])
    put_entry(batch, entries[1])
    keys = [key for _, key, _ in batch.operations]
    assert keys == [record_key(1, entries[1].hash_rev), header_key(entries[1].hash_rev), record_key(1, entries[1].hash_rev)]
    assert all(len(value) == RECORD.size for _, key, value in batch.operations if key.startswith(RECORD_PREFIX))
    assert entries[1].header == _header(entries[0].hash_rev, 1)  # still in memory after it was handed over


def test_a_header_is_read_on_demand_and_a_missing_one_is_a_storage_error():
    index, entries, detached = _tree(_chain_parents(4))
    store = _store_of(index)
    reads = []

    def read(entry):
        reads.append(entry.height)
        return _reader(store)(entry)

    loaded = CompactBlockIndex(read)
    loaded.load(store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX))
    assert loaded[detached[2].hash_rev].header == detached[2].header
    assert loaded[detached[2].hash_rev].header == detached[2].header
    assert reads == [2]  # the second read comes from the cache of recent headers
    store.write(_delete(header_key(detached[3].hash_rev)))
    with pytest.raises(StorageError):
        loaded[detached[3].hash_rev].header


def _delete(key: bytes) -> WriteBatch:
    batch = WriteBatch()
    batch.delete(INDEX_COLUMN, key)
    return batch


def _raw_record(prev_hash: bytes, version: int = INDEX_FORMAT_VERSION) -> bytes:
    return RECORD.pack(version, prev_hash, (5).to_bytes(32, "big"), BLOCK_VALID_TREE, 0, 0, -1, 0, 4, 1000, 0x1F07FFFF)


def _colliding_hashes(count: int, prefix: bytes) -> list[bytes]:
    return [prefix + bytes([number]) + b"\x11" * 23 for number in range(count)]


def test_lookup_finds_present_hashes_and_not_absent_ones_with_equal_prefixes():
    genesis = b"\x01" * 32
    records = [(record_key(0, genesis), _raw_record(ZERO))]
    side = _colliding_hashes(6, b"\xaa" * 8)  # six blocks at height 1 whose hashes share their first 8 bytes
    records += [(record_key(1, hash_rev), _raw_record(genesis)) for hash_rev in side]
    index = CompactBlockIndex()
    index.load(sorted(records))
    for hash_rev in side + [genesis]:
        assert hash_rev in index and index[hash_rev].hash_rev == hash_rev
    assert index[side[3]].prev == index[genesis] and index[side[3]].height == 1
    absent = b"\xaa" * 8 + b"\x07" + b"\x11" * 23
    assert absent not in index and index.get(absent) is None and b"\x02" * 32 not in index
    with pytest.raises(KeyError):
        index[absent]
    child = index.add(_header(side[2], 1), 99, index[side[2]])  # a new entry on one of them
    assert index[child.hash_rev] == child and child.prev == index[side[2]] and child.height == 2


def test_a_parent_among_several_at_its_height_is_found_by_its_full_hash():
    genesis, forks = b"\x01" * 32, _colliding_hashes(3, b"\xbb" * 8)
    records = [(record_key(0, genesis), _raw_record(ZERO))]
    records += [(record_key(1, hash_rev), _raw_record(genesis)) for hash_rev in forks]
    records.append((record_key(2, b"\x03" * 32), _raw_record(forks[1])))
    index = CompactBlockIndex()
    index.load(sorted(records))
    assert index[b"\x03" * 32].prev.hash_rev == forks[1]


@pytest.mark.parametrize(
    "records",
    [
        [(record_key(0, b"\x01" * 32), _raw_record(ZERO)), (record_key(1, b"\x02" * 32), _raw_record(b"\x09" * 32))],
        [(record_key(0, b"\x01" * 32), _raw_record(ZERO, version=1))],
        [(record_key(0, b"\x01" * 32), _raw_record(ZERO)[:-1])],
    ],
    ids=["orphan", "old-format", "short-record"],
)
def test_a_damaged_index_asks_for_a_reindex(records):
    with pytest.raises(StorageError, match="-reindex"):
        CompactBlockIndex().load(records)


def test_growth_keeps_rows_handles_and_lookups(monkeypatch):
    monkeypatch.setattr(compact_index, "MIN_OVERLAY", 16)
    index, entries, detached = _tree(_random_parents(random.Random(3), 2500))
    early = entries[10]
    early.status = BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA
    _tree_more = [index.add(_header(entries[-1].hash_rev, 10_000 + n), 1, entries[-1]) for n in range(1)]
    assert index.columns.capacity >= len(index) == 2501 and len(index.lookup.overlay) < 50  # merged many times
    assert early.status == BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA and early.height == detached[10].height
    for entry, old in zip(entries, detached):
        assert index.get(old.hash_rev) == entry
    assert index.get(_tree_more[0].hash_rev) == _tree_more[0]
    assert index.memory_bytes() < 2 * 160 * len(index)
    with pytest.raises(ValueError):
        index.add(detached[7].header, 1, entries[6])


def test_vectorised_queries_match_plain_loops():
    rng = random.Random(11)
    index, entries, _ = _tree(_random_parents(rng, 600))
    for entry in entries:
        entry.status = rng.choice([BLOCK_VALID_TREE, BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA, BLOCK_FAILED_VALID | BLOCK_HAVE_DATA])
    usable = [entry for entry in entries if not entry.status & (BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD)]
    best = max(usable, key=lambda entry: (entry.chainwork, -entry.row))
    assert index.best_entry() == best
    assert index.best_entry(include_failed=True) == max(entries, key=lambda entry: (entry.chainwork, -entry.row))
    floor = entries[300].chainwork
    assert index.candidates(floor) == [entry for entry in usable if entry.have_data() and entry.chainwork >= floor]
    assert index.failed() == [entry for entry in entries if entry not in usable]
    assert index.from_height(40) == [entry for entry in entries if entry.height >= 40]
    for root in (entries[0], entries[57], entries[400]):
        expected = [entry for entry in entries if entry.height > root.height and entry.ancestor(root.height) == root]
        assert index.descendants(root) == expected
    assert index.chain_to(entries[599]) == [entries[599].ancestor(height) for height in range(entries[599].height + 1)]


def test_handles_are_equal_by_row_and_index():
    first, second = CHAIN_INDEX.get(CHAIN[5].hash_rev), CHAIN_INDEX.entry(5)
    assert first == second and hash(first) == hash(second) and len({first, second, CHAIN[6]}) == 2
    assert first != CHAIN[6] and first is not second and first != None  # noqa: E711
    other, other_entries, _ = _tree(_chain_parents(6))
    assert other_entries[5] != first and other_entries[5].hash_rev == first.hash_rev


def test_validity_flags():
    entry = _tree(_chain_parents(1))[1][0]
    entry.status = 0
    assert not entry.is_valid()
    assert entry.raise_validity(BLOCK_VALID_TRANSACTIONS)
    assert entry.is_valid(BLOCK_VALID_TRANSACTIONS) and not entry.is_valid(BLOCK_VALID_SCRIPTS)
    entry.status |= BLOCK_FAILED_VALID
    assert not entry.is_valid() and not entry.raise_validity(BLOCK_VALID_SCRIPTS)


def test_median_time_past_and_kept_header_fields():
    assert CHAIN[0].median_time_past() == CHAIN[0].time
    assert CHAIN[20].median_time_past() == CHAIN[15].time
    for entry, old in zip(CHAIN[:50], CHAIN_DETACHED[:50]):
        assert (entry.version, entry.time, entry.bits, entry.is_pon) == (old.header.version, old.time, old.bits, old.header.is_pon)
        assert entry.prev_hash_rev == old.header.prev_block_rev and entry.sequence_id == entry.row + 1
