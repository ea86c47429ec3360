"""The block timestamp index (C++ insightexplorer timestamp index, txdb.cpp 'T' and 's' records).

Each connected block gets a *logical* timestamp: its nTime, or one more than
its parent's logical timestamp when that is not smaller (so timestamps along
the chain strictly increase).  Two records are written in the block's connect
batch: (logical time big-endian, block hash) -> nothing, for range scans, and
block hash -> logical time, to find the parent's.  As in C++, disconnecting a
block leaves its records in place; readers filter with the active chain.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.storage.kv import KVStore, WriteBatch

COLUMN = "timestamp"
RANGE_PREFIX = b"T"
BLOCK_PREFIX = b"s"
FLAG_KEY = b"enabled"
U32 = 0xFFFFFFFF


class TimestampIndexMismatch(Exception):
    """The database was built with the other -timestampindex setting (C++ asks for -reindex)."""


class TimestampIndex:
    def __init__(self, store: KVStore) -> None:
        self.store = store

    def logical_time(self, hash_rev: bytes) -> int | None:
        value = self.store.get(COLUMN, BLOCK_PREFIX + hash_rev)
        return int.from_bytes(value, "little") if value is not None else None

    def add_block(self, batch: WriteBatch, entry) -> None:
        """Put the block's two records into its connect batch (C++ ConnectBlock, fTimestampIndex)."""
        previous = self.logical_time(entry.prev.hash_rev) if entry.prev is not None else None
        previous = previous or 0
        logical = entry.time & U32
        if logical <= previous:
            logical = (previous + 1) & U32
        batch.put(COLUMN, RANGE_PREFIX + logical.to_bytes(4, "big") + entry.hash_rev, b"")
        batch.put(COLUMN, BLOCK_PREFIX + entry.hash_rev, logical.to_bytes(4, "little"))

    def hashes_between(self, high: int, low: int, keep: Callable[[bytes], bool] | None = None) -> list[tuple[bytes, int]]:
        """CBlockTreeDB::ReadTimestampIndex: (hash, logical time) with low <= time < high, in key order."""
        found = []
        start = RANGE_PREFIX + (low & U32).to_bytes(4, "big")
        for key, _ in self.store.iterate(COLUMN, start=start, prefix=RANGE_PREFIX):
            logical, hash_rev = int.from_bytes(key[1:5], "big"), key[5:37]
            if logical >= high & U32:
                break
            if keep is None or keep(hash_rev):
                found.append((hash_rev, logical))
        return found


def open_timestamp_index(store: KVStore, enabled: bool, fresh: bool, reindex: bool) -> TimestampIndex | None:
    """C++ init: the setting is stored with a new database and may not change without -reindex."""
    flagged = store.get(COLUMN, FLAG_KEY) is not None
    if flagged != enabled and not (fresh or reindex):
        raise TimestampIndexMismatch("You need to rebuild the database using -reindex to change -timestampindex")
    return TimestampIndex(store) if enabled else None


def store_timestamp_setting(store: KVStore, enabled: bool) -> None:
    """Record the setting once the database has its format version (after the chain is loaded)."""
    if (store.get(COLUMN, FLAG_KEY) is not None) == enabled:
        return
    batch = WriteBatch()
    if enabled:
        batch.put(COLUMN, FLAG_KEY, b"\x01")
    else:
        batch.delete(COLUMN, FLAG_KEY)
    store.write(batch)
