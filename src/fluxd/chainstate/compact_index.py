"""The block index in memory: struct-of-arrays columns, one row per header, about 130 bytes a row.

Rows are numbered in the order entries were added, so a parent's row is always
below its children's (a load adds them by height).  Each column is a numpy array
grown by a quarter when full; scalar reads and writes go through memoryviews of
the arrays (Python ints, no numpy scalars).  A hash is found through a sorted
array of the hashes' first 8 bytes (little-endian uint64) with the row of each,
searched with ``bisect``; equal prefixes are told apart by the full hash; rows
added since the last merge are in a small dict, merged into the sorted arrays
when it outgrows 1/256 of the index.

The writer (the chainstate, under its lock) adds rows and changes fields;
readers in other threads see a consistent ``columns`` and ``lookup`` object
because both are replaced whole, never resized in place, and a row is visible
through the lookup only once its fields are written.

Full headers are not kept here: a new entry's header stays in ``_unsaved`` until
``take_unsaved_header`` hands it to the database write; afterwards ``header(row)``
reads it through ``header_reader`` (with a small cache of recent reads).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import itemgetter

import numpy as np

from fluxd.chainstate.block_index import (
    BLOCK_FAILED_MASK,
    BLOCK_HAVE_DATA,
    BLOCK_VALID_HEADER,
    INDEX_FORMAT_VERSION,
    NO_FILE,
    RECORD,
    RECORD_PREFIX,
    BlockIndexEntry,
    skip_height,
)
from fluxd.core.block import BlockHeader
from fluxd.storage.kv import StorageError

_SCALARS = {
    "prev": np.int32, "skip": np.int32, "height": np.int32, "status": np.uint8, "tx_count": np.uint32,
    "chain_tx_count": np.uint64, "file_no": np.int32, "data_pos": np.int64, "version": np.int32,
    "time": np.uint32, "bits": np.uint32,
}  # fmt: skip
_BYTES32 = ("hash", "work")  # hash_rev; chainwork as 32 bytes big-endian
RECORD_DTYPE = np.dtype([
    ("format", "u1"), ("prev", "V32"), ("work", "V32"), ("status", "u1"), ("tx_count", "<u4"),
    ("chain_tx_count", "<u8"), ("file_no", "<i4"), ("data_pos", "<i8"), ("version", "<i4"), ("time", "<u4"),
    ("bits", "<u4"),
])  # fmt: skip
KEY_DTYPE = np.dtype([("prefix", "u1"), ("height", ">u4"), ("hash", "V32")])
LOAD_CHUNK = 65536
_first, _second = itemgetter(0), itemgetter(1)
MIN_OVERLAY = 1024
RECENT_HEADERS = 1024
assert RECORD_DTYPE.itemsize == RECORD.size and KEY_DTYPE.itemsize == 37


class Columns:
    """The arrays of ``capacity`` rows, with a memoryview per scalar column (row -> Python int)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.capacity = len(arrays["height"])
        for name in _SCALARS:
            setattr(self, name, memoryview(arrays[name]))
        self._hash = arrays["hash"]
        self._work = arrays["work"]

    @classmethod
    def empty(cls, capacity: int) -> "Columns":
        arrays = {name: np.zeros(capacity, dtype) for name, dtype in _SCALARS.items()}
        arrays.update({name: np.zeros(capacity, "V32") for name in _BYTES32})
        return cls(arrays)

    def grown(self, capacity: int, used: int) -> "Columns":
        bigger = Columns.empty(capacity)
        for name, array in self.arrays.items():
            bigger.arrays[name][:used] = array[:used]
        return bigger

    def hash_rev(self, row: int) -> bytes:
        return self._hash.item(row)

    def chainwork(self, row: int) -> int:
        return int.from_bytes(self._work.item(row), "big")

    def set_bytes(self, name: str, row: int, value: bytes) -> None:
        self.arrays[name][row] = value

    def nbytes(self) -> int:
        return sum(array.nbytes for array in self.arrays.values())


class Lookup:
    """Hash -> row: ``sorted_count`` rows by sorted prefix, the rows after them in ``overlay``."""

    def __init__(self, prefixes: np.ndarray, rows: np.ndarray, overlay: dict[bytes, int]) -> None:
        self.prefixes = prefixes
        self.rows = rows
        self.sorted_count = len(rows)
        self._prefix_view = memoryview(prefixes)
        self._row_view = memoryview(rows)
        self.overlay = overlay

    def find(self, hash_rev: bytes, columns: Columns) -> int:
        row = self.overlay.get(hash_rev)
        if row is not None:
            return row
        prefix = int.from_bytes(hash_rev[:8], "little")
        view, count = self._prefix_view, self.sorted_count
        at = bisect_left(view, prefix)
        while at < count and view[at] == prefix:
            row = self._row_view[at]
            if columns.hash_rev(row) == hash_rev:
                return row
            at += 1
        return -1

    def nbytes(self) -> int:
        return self.prefixes.nbytes + self.rows.nbytes + 120 * len(self.overlay)


def _prefixes(hashes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(hashes).view("<u8").reshape(-1, 4)[:, 0].astype(np.uint64)


def sorted_lookup(hashes: np.ndarray) -> Lookup:
    prefixes = _prefixes(hashes)
    order = np.argsort(prefixes, kind="stable").astype(np.int32)
    return Lookup(np.ascontiguousarray(prefixes[order]), order, {})


def _skip_height_pair(height: int) -> tuple[int, int]:
    """(skip_height(height), skip_height(height - 1)) in one step, for the ancestor walk (height >= 1)."""
    if height < 3:
        return 0, 0
    if height & 1:
        cleared = (height - 1) & (height - 2)  # skip_height of the even height - 1
        return (cleared & (cleared - 1)) + 1, cleared
    cleared = (height - 2) & (height - 3)
    return height & (height - 1), (cleared & (cleared - 1)) + 1


def skip_heights(heights: np.ndarray) -> np.ndarray:
    """skip_height of every height (vectorised)."""
    heights = heights.astype(np.int64)
    below = heights - 1
    odd = (below & (below - 1)) & ((below & (below - 1)) - 1)
    result = np.where(heights & 1, odd + 1, heights & (heights - 1))
    result[heights < 2] = 0
    return result


def ancestor_rows(prev: np.ndarray, heights: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The ancestor of each of ``rows`` at the matching target height (each at most its height), vectorised.

    Binary lifting over the parent links: ``up`` holds each row's 2**k-th ancestor.
    """
    up = np.where(prev < 0, np.arange(len(prev), dtype=np.int32), prev).astype(np.int32)
    current = rows.astype(np.int32).copy()
    distance = heights[current].astype(np.int64) - targets
    step = 0
    while len(distance) and (distance >> step).any():
        moving = ((distance >> step) & 1).astype(bool)
        current[moving] = up[current[moving]]
        up = up[up]
        step += 1
    return current


def _work_limbs(work: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(work).view(">u8").reshape(-1, 4)


def _work_at_least(work: np.ndarray, minimum: int) -> np.ndarray:
    """Which 32-byte big-endian chainworks are >= ``minimum`` (vectorised)."""
    limbs = _work_limbs(work)
    result = np.zeros(len(limbs), bool)
    undecided = np.ones(len(limbs), bool)
    for index in range(4):
        limb = np.uint64((minimum >> (64 * (3 - index))) & 0xFFFFFFFFFFFFFFFF)
        result |= undecided & (limbs[:, index] > limb)
        undecided &= limbs[:, index] == limb
    return result | undecided


class CompactBlockIndex:
    """Every known header's index fields (see the module text); maps hash_rev -> BlockIndexEntry."""

    def __init__(self, header_reader: Callable[[BlockIndexEntry], BlockHeader | None] | None = None) -> None:
        self.columns = Columns.empty(0)
        self.lookup = Lookup(np.zeros(0, np.uint64), np.zeros(0, np.int32), {})
        self._count = 0
        self._header_reader = header_reader
        self._unsaved: dict[int, BlockHeader] = {}  # row -> header not yet handed to a database write
        self._recent: OrderedDict[int, BlockHeader] = OrderedDict()
        self._header_lock = threading.Lock()

    # ----- the mapping hash_rev -> entry -----------------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    def find_row(self, hash_rev: bytes) -> int:
        return self.lookup.find(hash_rev, self.columns)

    def get(self, hash_rev: bytes, default: BlockIndexEntry | None = None) -> BlockIndexEntry | None:
        row = self.find_row(hash_rev)
        return BlockIndexEntry(self, row) if row >= 0 else default

    def __getitem__(self, hash_rev: bytes) -> BlockIndexEntry:
        row = self.find_row(hash_rev)
        if row < 0:
            raise KeyError(hash_rev)
        return BlockIndexEntry(self, row)

    def __contains__(self, hash_rev: object) -> bool:
        return isinstance(hash_rev, bytes) and self.find_row(hash_rev) >= 0

    def entry(self, row: int) -> BlockIndexEntry:
        return BlockIndexEntry(self, row)

    def values(self) -> Iterator[BlockIndexEntry]:
        """Every entry in row order (slow over a whole mainnet index: prefer the vectorised queries below)."""
        return (BlockIndexEntry(self, row) for row in range(self._count))

    def __iter__(self) -> Iterator[bytes]:
        columns = self.columns
        return (columns.hash_rev(row) for row in range(self._count))

    def memory_bytes(self) -> int:
        """The bytes of the arrays (capacity included) and the lookup."""
        return self.columns.nbytes() + self.lookup.nbytes()

    # ----- adding rows -----------------------------------------------------------------------------------
    def add(self, header: BlockHeader, chainwork: int, prev: BlockIndexEntry | None, status: int = BLOCK_VALID_HEADER) -> BlockIndexEntry:
        """Index a new header on ``prev`` (None: a genesis block); its header stays in memory until written."""
        hash_rev = header.hash_rev
        if self.find_row(hash_rev) >= 0:
            raise ValueError(f"block {header.hash_hum} is already indexed")
        row = self._count
        columns = self._reserve(row + 1)
        parent = prev.row if prev is not None else -1
        height = prev.height + 1 if prev is not None else 0
        columns.set_bytes("hash", row, hash_rev)
        columns.set_bytes("work", row, chainwork.to_bytes(32, "big"))
        columns.prev[row], columns.height[row], columns.status[row] = parent, height, status
        columns.skip[row] = self.ancestor_row(parent, skip_height(height)) if parent >= 0 else -1
        columns.tx_count[row] = columns.chain_tx_count[row] = columns.data_pos[row] = 0
        columns.file_no[row] = NO_FILE
        columns.version[row], columns.time[row], columns.bits[row] = header.version, header.time, header.bits
        self._unsaved[row] = header
        self._count = row + 1
        self.lookup.overlay[hash_rev] = row
        if len(self.lookup.overlay) > max(MIN_OVERLAY, self._count >> 8):
            self._merge_overlay()
        return BlockIndexEntry(self, row)

    def _reserve(self, rows: int, grow_by: int = 0) -> Columns:
        """Room for ``rows`` rows; when full, a quarter more (``grow_by`` more while loading)."""
        columns = self.columns
        if rows > columns.capacity:
            spare = max(grow_by, columns.capacity >> 2, MIN_OVERLAY)
            columns = columns.grown(max(rows, columns.capacity + spare), self._count)
            self.columns = columns
        return columns

    def _merge_overlay(self) -> None:
        lookup, count = self.lookup, self._count
        new_rows = np.arange(lookup.sorted_count, count, dtype=np.int32)
        prefixes = np.concatenate([lookup.prefixes, _prefixes(self.columns.arrays["hash"][lookup.sorted_count : count])])
        rows = np.concatenate([lookup.rows, new_rows])
        order = np.argsort(prefixes, kind="stable")
        self.lookup = Lookup(np.ascontiguousarray(prefixes[order]), np.ascontiguousarray(rows[order]), {})

    # ----- loading ---------------------------------------------------------------------------------------
    def load(self, records: Iterable[tuple[bytes, bytes]], size_hint: int = 0) -> int:
        """Fill an empty index from ``(key, record)`` pairs in key order (by height); returns the row count."""
        if self._count:
            raise ValueError("the block index is already loaded")
        if size_hint:
            self._reserve(size_hint)
        pairs = iter(records)
        while chunk := list(islice(pairs, LOAD_CHUNK)):
            self._load_chunk(b"".join(map(_first, chunk)), b"".join(map(_second, chunk)), len(chunk))
        self._finish_load()
        return self._count

    def _load_chunk(self, key_data: bytes, value_data: bytes, count: int) -> None:
        if len(key_data) != count * KEY_DTYPE.itemsize or len(value_data) != count * RECORD.size:
            raise StorageError("The block index has a record of an unknown format. Restart with -reindex.")
        decoded_keys = np.frombuffer(key_data, KEY_DTYPE)
        records = np.frombuffer(value_data, RECORD_DTYPE)
        if (records["format"] != INDEX_FORMAT_VERSION).any() or (decoded_keys["prefix"] != RECORD_PREFIX[0]).any():
            raise StorageError("The block index has a record of an unknown format. Restart with -reindex.")
        start = self._count
        end = start + count
        arrays = self._reserve(end, grow_by=self.columns.capacity).arrays  # doubling: the load trims it after
        arrays["hash"][start:end] = decoded_keys["hash"]
        arrays["height"][start:end] = decoded_keys["height"]
        for name in ("work", "status", "tx_count", "chain_tx_count", "file_no", "data_pos", "version", "time", "bits"):
            arrays[name][start:end] = records[name]
        heights = arrays["height"][:end]
        if (np.diff(heights[max(start - 1, 0) :]) < 0).any():
            raise StorageError("The block index is not in height order. Restart with -reindex.")
        self._count = end
        self._link(start, end, records["prev"])

    def _link(self, start: int, end: int, parent_hashes: np.ndarray) -> None:
        """Parent rows of rows start..end from their parents' hashes: the rows one height below."""
        arrays = self.columns.arrays
        chunk_heights = arrays["height"][start:end].astype(np.int64)
        first = int(np.searchsorted(arrays["height"][:start], arrays["height"][start] - 1, "left"))
        heights = arrays["height"][first:end]  # the rows from one height below the chunk's lowest
        low = np.searchsorted(heights, chunk_heights - 1, "left") + first
        high = np.searchsorted(heights, chunk_heights - 1, "right") + first
        single = (high - low == 1) & (chunk_heights > 0)
        candidate = np.minimum(low, max(end - 1, 0))
        matched = single & (arrays["hash"][candidate] == parent_hashes)
        parents = np.where(matched, candidate, -1).astype(np.int32)
        for offset in np.flatnonzero(~matched & (chunk_heights > 0)):
            parents[offset] = self._parent_among(parent_hashes[offset].tobytes(), int(low[offset]), int(high[offset]))
        arrays["prev"][start:end] = parents

    def _parent_among(self, parent_hash: bytes, low: int, high: int) -> int:
        for row in range(low, high):
            if self.columns.hash_rev(row) == parent_hash:
                return row
        raise StorageError("The block index is corrupt (a block without its parent). Restart with -reindex.")

    def _finish_load(self) -> None:
        count = self._count
        arrays = self.columns.arrays
        prev, heights = arrays["prev"][:count], arrays["height"][:count]
        rows = np.flatnonzero(prev >= 0).astype(np.int32)
        skips = np.full(count, -1, np.int32)
        skips[rows] = ancestor_rows(prev, heights, prev[rows], skip_heights(heights[rows]))
        arrays["skip"][:count] = skips
        self.lookup = sorted_lookup(arrays["hash"][:count])
        spare = max(MIN_OVERLAY, count >> 6)  # the load's spare capacity is given back but for 1/64
        if self.columns.capacity > count + spare:
            self.columns = self.columns.grown(count + spare, count)

    # ----- walks and vectorised queries ------------------------------------------------------------------
    def ancestor_row(self, row: int, height: int) -> int:
        """C++ CBlockIndex::GetAncestor on rows: -1 when ``height`` is above the row or negative."""
        columns = self.columns
        heights, prevs, skips = columns.height, columns.prev, columns.skip
        walk_height = heights[row]
        if height > walk_height or height < 0:
            return -1
        while walk_height > height:
            skip_walk, skip_prev = _skip_height_pair(walk_height)
            target = skips[row]
            if target >= 0 and (
                skip_walk == height or (skip_walk > height and not (skip_prev < skip_walk - 2 and skip_prev >= height))
            ):
                row, walk_height = target, skip_walk
            else:
                row, walk_height = prevs[row], walk_height - 1
        return row

    def chain_rows(self, tip: BlockIndexEntry) -> np.ndarray:
        """The rows of ``tip``'s ancestors at heights 0 .. tip.height (vectorised)."""
        arrays = self.columns.arrays
        prev, heights = arrays["prev"][: self._count], arrays["height"][: self._count]
        height = tip.height
        return ancestor_rows(prev, heights, np.full(height + 1, tip.row, np.int32), np.arange(height + 1, dtype=np.int64))

    def chain_to(self, tip: BlockIndexEntry) -> list[BlockIndexEntry]:
        """The entries from genesis up to ``tip`` (index = height)."""
        return [BlockIndexEntry(self, row) for row in self.chain_rows(tip).tolist()]

    def _masked(self, mask: np.ndarray) -> list[BlockIndexEntry]:
        return [BlockIndexEntry(self, row) for row in np.flatnonzero(mask).tolist()]

    def _status(self) -> np.ndarray:
        return self.columns.arrays["status"][: self._count]

    def best_entry(self, include_failed: bool = False) -> BlockIndexEntry | None:
        """The most-work entry (C++ pindexBestHeader), the first indexed at equal work; failed ones skipped."""
        count = self._count
        candidates = np.ones(count, bool) if include_failed else (self._status() & BLOCK_FAILED_MASK) == 0
        limbs = _work_limbs(self.columns.arrays["work"][:count])
        for index in range(4):
            if not candidates.any():
                return None
            limb = limbs[:, index]
            candidates &= limb == limb[candidates].max()
        return BlockIndexEntry(self, int(np.argmax(candidates))) if candidates.any() else None

    def candidates(self, min_chainwork: int) -> list[BlockIndexEntry]:
        """Entries with data, not failed, with at least ``min_chainwork`` (C++ setBlockIndexCandidates)."""
        status = self._status()
        usable = ((status & BLOCK_HAVE_DATA) != 0) & ((status & BLOCK_FAILED_MASK) == 0)
        return self._masked(usable & _work_at_least(self.columns.arrays["work"][: self._count], min_chainwork))

    def leaves(self) -> list[BlockIndexEntry]:
        """Entries no other entry is built on (the tips of getchaintips)."""
        prev = self.columns.arrays["prev"][: self._count]
        childless = np.ones(self._count, bool)
        childless[prev[prev >= 0]] = False
        return self._masked(childless)

    def failed(self) -> list[BlockIndexEntry]:
        return self._masked((self._status() & BLOCK_FAILED_MASK) != 0)

    def from_height(self, height: int) -> list[BlockIndexEntry]:
        return self._masked(self.columns.arrays["height"][: self._count] >= height)

    def descendants(self, entry: BlockIndexEntry) -> list[BlockIndexEntry]:
        """Every entry built on ``entry`` (not itself), in row order."""
        count = self._count
        arrays = self.columns.arrays
        prev, heights = arrays["prev"][:count], arrays["height"][:count]
        rows = np.flatnonzero(heights > entry.height).astype(np.int32)
        rows = rows[rows > entry.row]
        found = ancestor_rows(prev, heights, rows, np.full(len(rows), entry.height, np.int64)) == entry.row
        return [BlockIndexEntry(self, row) for row in rows[found].tolist()]

    # ----- full headers ----------------------------------------------------------------------------------
    def take_unsaved_header(self, row: int) -> BlockHeader | None:
        """The header of a row not yet written, once (the caller writes it); kept among the recent ones."""
        with self._header_lock:
            header = self._unsaved.pop(row, None)
            if header is not None:
                self._remember(row, header)
            return header

    def header(self, row: int) -> BlockHeader:
        with self._header_lock:
            header = self._unsaved.get(row) or self._recent.get(row)
        if header is not None:
            return header
        header = self._header_reader(BlockIndexEntry(self, row)) if self._header_reader is not None else None
        if header is None:
            raise StorageError("A block header is missing from the block index. Restart with -reindex.")
        with self._header_lock:
            self._remember(row, header)
        return header

    def _remember(self, row: int, header: BlockHeader) -> None:
        self._recent[row] = header
        self._recent.move_to_end(row)
        while len(self._recent) > RECENT_HEADERS:
            self._recent.popitem(last=False)
