"""A block index entry outside any index: a parent-linked chain view for building blocks in tests and benches.

It keeps the whole header and the same skip list as the compact index
(``skip_height``, C++ GetAncestor), so it also serves as the reference the
compact index's walks are checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.chainstate.block_index import skip_height
from fluxd.consensus.difficulty import median_time_past
from fluxd.core.block import BlockHeader
from fluxd.util.hexutil import rev_to_hum


@dataclass(eq=False, slots=True)
class DetachedEntry:
    header: BlockHeader
    height: int
    chainwork: int = 0
    prev: "DetachedEntry | None" = None
    skip: "DetachedEntry | None" = None
    hash_rev: bytes = field(default=b"")

    def __post_init__(self) -> None:
        if not self.hash_rev:
            self.hash_rev = self.header.hash_rev
        if self.prev is not None and self.skip is None:
            self.skip = self.prev.ancestor(skip_height(self.height))

    @property
    def hash_hum(self) -> str:
        return rev_to_hum(self.hash_rev)

    @property
    def time(self) -> int:
        return self.header.time

    @property
    def bits(self) -> int:
        return self.header.bits

    @property
    def version(self) -> int:
        return self.header.version

    def ancestor(self, height: int) -> "DetachedEntry | None":
        """C++ CBlockIndex::GetAncestor."""
        if height > self.height or height < 0:
            return None
        walk: DetachedEntry = self
        walk_height = self.height
        while walk_height > height:
            skip_walk = skip_height(walk_height)
            skip_prev = skip_height(walk_height - 1)
            if walk.skip is not None and (
                skip_walk == height
                or (skip_walk > height and not (skip_prev < skip_walk - 2 and skip_prev >= height))
            ):
                walk = walk.skip
                walk_height = skip_walk
            else:
                assert walk.prev is not None
                walk = walk.prev
                walk_height -= 1
        return walk

    def median_time_past(self) -> int:
        return median_time_past(self)
