"""What readers see of the chain: an immutable view published by the chain writer after each change.

RPC, P2P, the mempool and templates take ``Chainstate.view()`` once per
request and answer from it: the tip, the active chain by height, the best
header and the chain tips stay those of one moment while the writer moves on.
Block-index lookups go to the live index (entries are only ever added), so a
block accepted after the view was published is already found by hash, but it
is on the view's chain only if it was when the view was taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fluxd.chainstate.active_chain import ChainSnapshot


@dataclass(frozen=True, slots=True)
class ChainView:
    chain: ChainSnapshot
    best_header: object  # the most-work header not known invalid (headers-first sync's target)
    most_work_header: object  # the most-work header of all (C++ pindexBestHeader, getblockchaininfo "headers")
    leaves_of: Callable[[], frozenset]  # entries without a child in the index (getchaintips), as of the call
    sequence: int  # increases with every publication
    _lookup: Callable[[bytes], object | None]

    @property
    def tip(self):
        return self.chain.tip

    @property
    def height(self) -> int:
        return self.chain.height

    def at(self, height: int):
        """The active block at ``height`` in this view, or None."""
        return self.chain.at(height)

    def contains(self, entry) -> bool:
        return self.chain.contains(entry)

    def lookup(self, hash_rev: bytes):
        """The block-index entry of a block hash (internal byte order), or None."""
        return self._lookup(hash_rev)

    def fork_point(self, entry):
        """CChain::FindFork against this view's chain."""
        walker = entry
        while walker is not None and not self.chain.contains(walker):
            walker = walker.prev
        return walker

    def tips(self, min_height: int = 0) -> list:
        """getchaintips' blocks: every leaf at or above ``min_height`` and the active tip, highest first.

        The leaf set is read when asked (a leaf newer than this view may appear; its status says so).
        """
        found = {entry for entry in self.leaves_of() if entry.height >= min_height}
        found.add(self.tip)
        return sorted(found, key=lambda entry: (-entry.height, entry.hash_rev))
