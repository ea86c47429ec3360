"""The block timestamp index (C++ insightexplorer timestamp index, txdb.cpp 'T' and 's' records).

Each connected block gets a *logical* timestamp: its nTime, or one more than
its parent's logical timestamp when that is not smaller (so timestamps along
the chain strictly increase).  Two records are written (an index module: they
reach the database in the chainstate's atomic flush): (logical time big-endian, block hash) -> nothing, for range scans, and
block hash -> logical time, to find the parent's.  As in C++, disconnecting a
block leaves its records in place; readers filter with the active chain.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import BYTES, Column, StateReader, StateWriter, fixed_bytes, unsigned

COLUMN = "timestamp"
RANGE_PREFIX = b"T"
BLOCK_PREFIX = b"s"
U32 = 0xFFFFFFFF
RANGE_COLUMN = Column("timestamp.range", family=COLUMN, prefix=RANGE_PREFIX, key=fixed_bytes(36), value=BYTES)
BLOCK_COLUMN = Column("timestamp.block", family=COLUMN, prefix=BLOCK_PREFIX, key=fixed_bytes(32), value=unsigned(4, "little"))


class TimestampIndex:
    """An index module: two records per connected block (C++ ConnectBlock, fTimestampIndex); none removed at disconnect."""

    name = "timestampindex"
    kind = "index"
    columns = (RANGE_COLUMN, BLOCK_COLUMN)

    def connect_block(self, context: BlockContext, state: StateWriter) -> None:
        entry = context.entry
        previous = state.get(BLOCK_COLUMN, entry.prev.hash_rev) if entry.prev is not None else None
        previous = previous or 0
        logical = entry.time & U32
        if logical <= previous:
            logical = (previous + 1) & U32
        state.put(RANGE_COLUMN, logical.to_bytes(4, "big") + entry.hash_rev, b"")
        state.put(BLOCK_COLUMN, entry.hash_rev, logical)
        return None

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        """As C++ DisconnectBlock: the records stay (readers filter with the active chain)."""

    @staticmethod
    def hashes_between(reader: StateReader, high: int, low: int, keep: Callable[[bytes], bool] | None = None) -> list[tuple[bytes, int]]:
        """CBlockTreeDB::ReadTimestampIndex: (hash, logical time) with low <= time < high, in key order."""
        found = []
        for key, _ in reader.iterate(RANGE_COLUMN, start=(low & U32).to_bytes(4, "big")):
            logical, hash_rev = int.from_bytes(key[:4], "big"), key[4:36]
            if logical >= high & U32:
                break
            if keep is None or keep(hash_rev):
                found.append((hash_rev, logical))
        return found
