"""The active chain by height, grown and cut in O(1) per block, read through immutable snapshots.

The chain writer owns an ``ActiveChain``; readers hold ``ChainSnapshot`` objects
taken from it.  Each height keeps the block-index row of its block (4 bytes, an
``array('i')`` slot; entries are made from rows when read).  Heights live in fixed-size chunks.  Appending writes into the
last chunk in place (a snapshot never reads past its own length, so it cannot
see the new slot); truncating copies only the chunk list and the one chunk that
is cut (at most ``CHUNK`` slots), so a snapshot taken before a reorganisation
keeps the blocks it had while the writer connects the new branch.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

CHUNK = 1024  # heights per chunk
Entry = TypeVar("Entry")


class ChainSnapshot(Generic[Entry]):
    """The active chain as it was when the snapshot was taken (immutable for its readers)."""

    __slots__ = ("_chunks", "_length", "_entry")

    def __init__(self, chunks: list[array], length: int, entry: Callable[[int], Entry]) -> None:
        self._chunks = chunks
        self._length = length
        self._entry = entry  # block-index row -> entry

    def __len__(self) -> int:
        return self._length

    @property
    def height(self) -> int:
        return self._length - 1

    @property
    def tip(self) -> Entry:
        return self[self._length - 1]

    def __getitem__(self, height: int) -> Entry:
        if height < 0:
            height += self._length
        if not 0 <= height < self._length:
            raise IndexError("height outside the active chain")
        return self._entry(self._chunks[height // CHUNK][height % CHUNK])

    def at(self, height: int) -> Entry | None:
        """The block at ``height`` on this chain, or None when the chain is shorter."""
        if not 0 <= height < self._length:
            return None
        return self._entry(self._chunks[height // CHUNK][height % CHUNK])

    def contains(self, entry) -> bool:
        height = entry.height
        return 0 <= height < self._length and self._chunks[height // CHUNK][height % CHUNK] == entry.row

    def __iter__(self) -> Iterator[Entry]:
        for height in range(self._length):
            yield self._entry(self._chunks[height // CHUNK][height % CHUNK])

    def slice(self, start: int, stop: int | None = None) -> list[Entry]:
        stop = self._length if stop is None else min(stop, self._length)
        return [self._entry(self._chunks[height // CHUNK][height % CHUNK]) for height in range(max(start, 0), stop)]


class ActiveChain(ChainSnapshot[Entry]):
    """The writer's chain: ``append`` and ``truncate`` cost O(1) per block (amortised over a chunk)."""

    __slots__ = ()

    def __init__(self, entry: Callable[[int], Entry], rows: Iterable[int] = ()) -> None:
        super().__init__([], 0, entry)
        rows = array("i", rows)
        for start in range(0, len(rows), CHUNK):
            self._chunks.append(rows[start : start + CHUNK])
        self._length = len(rows)

    def append(self, entry: Entry) -> None:
        slot = self._length % CHUNK
        if slot == 0:
            self._chunks.append(array("i", (entry.row,)))
        else:
            self._chunks[-1].append(entry.row)
        self._length += 1

    def truncate(self, length: int) -> None:
        """Keep the first ``length`` heights; snapshots taken before keep theirs."""
        if length >= self._length:
            return
        full, rest = divmod(max(length, 0), CHUNK)
        chunks = self._chunks[:full]  # a new list: older snapshots keep the old one
        if rest:
            chunks.append(self._chunks[full][:rest])  # the cut chunk is copied, never shortened in place
        self._chunks = chunks
        self._length = max(length, 0)

    def pop(self) -> Entry:
        entry = self.tip
        self.truncate(self._length - 1)
        return entry

    def snapshot(self) -> ChainSnapshot[Entry]:
        return ChainSnapshot(self._chunks, self._length, self._entry)
