"""The block index: one entry per accepted header, with chainwork, status and a skip list.

Status flags and the skip-list heights follow C++ ``chain.h`` (``BlockStatus``,
``GetSkipHeight``), so ``ancestor(height)`` is O(log n) from any entry.

A ``BlockIndexEntry`` is a light handle on one row of a ``CompactBlockIndex``
(``compact_index.py``): equal handles name the same row, so entries are compared
with ``==``, never ``is``.  The row keeps what chain selection, difficulty, median
time past and ancestor walks need (hash, parent, skip, height, chainwork, status,
counts, block position, version, time, bits); the full header (nonce, roots,
Equihash solution, PoN signature) is read on demand through ``entry.header``.

Database records (column ``block_index``), both fixed by CHAINSTATE_FORMAT_VERSION:

- ``b"i" + height (4 bytes big-endian) + hash_rev`` -> the row (``RECORD``, 102 bytes),
  so a load reads small fixed-size records, parents before children;
- ``b"h" + hash_rev`` -> the full header, written once with the first record.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from fluxd.consensus.difficulty import median_time_past
from fluxd.core.block import PON_VERSION, ZERO_32, BlockHeader
from fluxd.storage.kv import WriteBatch
from fluxd.util.hexutil import rev_to_hum

if TYPE_CHECKING:
    from fluxd.chainstate.compact_index import CompactBlockIndex

BLOCK_VALID_UNKNOWN = 0
BLOCK_VALID_HEADER = 1
BLOCK_VALID_TREE = 2
BLOCK_VALID_TRANSACTIONS = 3
BLOCK_VALID_CHAIN = 4
BLOCK_VALID_SCRIPTS = 5
BLOCK_VALID_MASK = 7
BLOCK_HAVE_DATA = 8
BLOCK_HAVE_UNDO = 16
BLOCK_FAILED_VALID = 32
BLOCK_FAILED_CHILD = 64
BLOCK_FAILED_MASK = BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD

NO_FILE = -1
INDEX_FORMAT_VERSION = 2
INDEX_COLUMN = "block_index"
RECORD_PREFIX = b"i"
HEADER_PREFIX = b"h"
# format, parent hash, chainwork (big-endian), status, tx count, chain tx count, file, position, version, time, bits
RECORD = struct.Struct("<B32s32sBIQiqiII")


def _invert_lowest_one(value: int) -> int:
    return value & (value - 1)


def skip_height(height: int) -> int:
    """C++ GetSkipHeight: a height below ``height`` that makes ancestor walks logarithmic."""
    if height < 2:
        return 0
    if height & 1:
        return _invert_lowest_one(_invert_lowest_one(height - 1)) + 1
    return _invert_lowest_one(height)


def record_key(height: int, hash_rev: bytes) -> bytes:
    return RECORD_PREFIX + height.to_bytes(4, "big") + hash_rev


def header_key(hash_rev: bytes) -> bytes:
    return HEADER_PREFIX + hash_rev


class BlockIndexEntry:
    """One block index row (C++ CBlockIndex): a handle, equal to every other handle on the same row."""

    __slots__ = ("_index", "row")

    def __init__(self, index: "CompactBlockIndex", row: int) -> None:
        self._index = index
        self.row = row

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BlockIndexEntry) and other.row == self.row and other._index is self._index

    def __hash__(self) -> int:
        return self.row

    def __repr__(self) -> str:
        return f"BlockIndexEntry(height={self.height}, hash={self.hash_hum})"

    # ----- fields kept in memory ---------------------------------------------------------------------
    @property
    def hash_rev(self) -> bytes:
        return self._index.columns.hash_rev(self.row)

    @property
    def hash_hum(self) -> str:
        return rev_to_hum(self.hash_rev)

    @property
    def height(self) -> int:
        return self._index.columns.height[self.row]

    @property
    def chainwork(self) -> int:
        return self._index.columns.chainwork(self.row)

    @property
    def prev(self) -> "BlockIndexEntry | None":
        parent = self._index.columns.prev[self.row]
        return BlockIndexEntry(self._index, parent) if parent >= 0 else None

    @property
    def skip(self) -> "BlockIndexEntry | None":
        target = self._index.columns.skip[self.row]
        return BlockIndexEntry(self._index, target) if target >= 0 else None

    @property
    def prev_hash_rev(self) -> bytes:
        parent = self._index.columns.prev[self.row]
        return self._index.columns.hash_rev(parent) if parent >= 0 else ZERO_32

    @property
    def version(self) -> int:
        return self._index.columns.version[self.row]

    @property
    def time(self) -> int:
        return self._index.columns.time[self.row]

    @property
    def bits(self) -> int:
        return self._index.columns.bits[self.row]

    @property
    def is_pon(self) -> bool:
        return self.version >= PON_VERSION

    @property
    def sequence_id(self) -> int:
        """The order entries were indexed in (C++ nSequenceId; at load: by height, then hash)."""
        return self.row + 1

    @property
    def status(self) -> int:
        return self._index.columns.status[self.row]

    @status.setter
    def status(self, value: int) -> None:
        self._index.columns.status[self.row] = value

    @property
    def tx_count(self) -> int:
        return self._index.columns.tx_count[self.row]

    @tx_count.setter
    def tx_count(self, value: int) -> None:
        self._index.columns.tx_count[self.row] = value

    @property
    def chain_tx_count(self) -> int:
        return self._index.columns.chain_tx_count[self.row]

    @chain_tx_count.setter
    def chain_tx_count(self, value: int) -> None:
        self._index.columns.chain_tx_count[self.row] = value

    @property
    def file_no(self) -> int:
        return self._index.columns.file_no[self.row]

    @file_no.setter
    def file_no(self, value: int) -> None:
        self._index.columns.file_no[self.row] = value

    @property
    def data_pos(self) -> int:
        return self._index.columns.data_pos[self.row]

    @data_pos.setter
    def data_pos(self, value: int) -> None:
        self._index.columns.data_pos[self.row] = value

    # ----- the full header, read on demand --------------------------------------------------------------
    @property
    def header(self) -> BlockHeader:
        """The full header (with solution or PoN signature): from memory while unsaved, else the database."""
        return self._index.header(self.row)

    # ----- chain walks and flags -------------------------------------------------------------------------
    def ancestor(self, height: int) -> "BlockIndexEntry | None":
        """C++ CBlockIndex::GetAncestor."""
        row = self._index.ancestor_row(self.row, height)
        return BlockIndexEntry(self._index, row) if row >= 0 else None

    def is_valid(self, up_to: int = BLOCK_VALID_TRANSACTIONS) -> bool:
        status = self.status
        if status & BLOCK_FAILED_MASK:
            return False
        return (status & BLOCK_VALID_MASK) >= up_to

    def raise_validity(self, up_to: int) -> bool:
        status = self.status
        if status & BLOCK_FAILED_MASK:
            return False
        if (status & BLOCK_VALID_MASK) < up_to:
            self.status = (status & ~BLOCK_VALID_MASK) | up_to
            return True
        return False

    def have_data(self) -> bool:
        return bool(self.status & BLOCK_HAVE_DATA)

    def median_time_past(self) -> int:
        """C++ GetMedianTimePast: the median time of this block and up to 10 before it."""
        return median_time_past(self)

    # ----- records ---------------------------------------------------------------------------------------
    def record_key(self) -> bytes:
        return record_key(self.height, self.hash_rev)

    def record_bytes(self) -> bytes:
        """The row's database record (links are rebuilt on load from the parent hash and the height)."""
        columns, row = self._index.columns, self.row
        return RECORD.pack(
            INDEX_FORMAT_VERSION, self.prev_hash_rev, columns.chainwork(row).to_bytes(32, "big"), columns.status[row],
            columns.tx_count[row], columns.chain_tx_count[row], columns.file_no[row], columns.data_pos[row],
            columns.version[row], columns.time[row], columns.bits[row],
        )  # fmt: skip


def put_entry(batch: WriteBatch, entry: BlockIndexEntry) -> None:
    """Add the entry's record to ``batch``, and its header the first time the entry is written."""
    batch.put(INDEX_COLUMN, entry.record_key(), entry.record_bytes())
    header = entry._index.take_unsaved_header(entry.row)
    if header is not None:
        batch.put(INDEX_COLUMN, header_key(entry.hash_rev), header.to_bytes())
