"""Block index entries: skip-list ancestors, validity flags, records, median time past."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fluxd.chainstate.block_index import (
    BLOCK_FAILED_VALID,
    BLOCK_HAVE_DATA,
    BLOCK_VALID_SCRIPTS,
    BLOCK_VALID_TRANSACTIONS,
    BlockIndexEntry,
    IndexRecord,
    skip_height,
)
from fluxd.core.block import BlockHeader

ZERO = b"\x00" * 32


def _chain(length: int, start_time: int = 1_000_000) -> list[BlockIndexEntry]:
    entries: list[BlockIndexEntry] = []
    prev_hash = ZERO
    for height in range(length):
        header = BlockHeader(4, prev_hash, ZERO, ZERO, start_time + 60 * height, 0x200F0F0F, height.to_bytes(32, "little"))
        entry = BlockIndexEntry(header, height, height + 1, prev=entries[-1] if entries else None)
        entries.append(entry)
        prev_hash = entry.hash_rev
    return entries


CHAIN = _chain(3000)


def test_skip_heights_are_below_height():
    assert skip_height(0) == 0 and skip_height(1) == 0
    for height in range(2, 5000):
        assert 0 <= skip_height(height) < height


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2999), st.data())
def test_ancestor_matches_linear_walk(tip_height, data):
    target = data.draw(st.integers(0, tip_height))
    assert CHAIN[tip_height].ancestor(target) is CHAIN[target]
    assert CHAIN[tip_height].ancestor(tip_height + 1) is None


def test_validity_flags():
    entry = _chain(1)[0]
    assert not entry.is_valid()
    assert entry.raise_validity(BLOCK_VALID_TRANSACTIONS)
    assert entry.is_valid(BLOCK_VALID_TRANSACTIONS) and not entry.is_valid(BLOCK_VALID_SCRIPTS)
    entry.status |= BLOCK_FAILED_VALID
    assert not entry.is_valid() and not entry.raise_validity(BLOCK_VALID_SCRIPTS)


def test_record_round_trip():
    entry = CHAIN[10]
    entry.status |= BLOCK_HAVE_DATA
    entry.file_no, entry.data_pos, entry.tx_count = 3, 12345, 7
    record = IndexRecord.from_bytes(entry.record_bytes())
    again = record.to_entry(CHAIN[9])
    assert again.hash_rev == entry.hash_rev and again.height == 10
    assert (again.status, again.file_no, again.data_pos, again.tx_count) == (entry.status, 3, 12345, 7)
    assert again.chainwork == entry.chainwork


def test_median_time_past():
    assert CHAIN[0].median_time_past() == CHAIN[0].time
    assert CHAIN[20].median_time_past() == CHAIN[15].time
