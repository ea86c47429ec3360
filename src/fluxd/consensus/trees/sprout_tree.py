"""The Sprout note commitment tree (C++ SproutMerkleTree, depth 29).

Leaves are 32-byte note commitments; a parent is the SHA-256 compression
function of left || right (C++ SHA256Compress::combine, the same at every
level).  The empty leaf is 32 zero bytes.
"""

from __future__ import annotations

from fluxd.consensus.trees.incremental import IncrementalMerkleTree, TreeFullError
from fluxd.consensus.trees.sha256_compress import sha256_compress

SPROUT_TREE_DEPTH = 29  # C++ INCREMENTAL_MERKLE_TREE_DEPTH
TESTING_TREE_DEPTH = 4  # C++ INCREMENTAL_MERKLE_TREE_DEPTH_TESTING

__all__ = ["SPROUT_TREE_DEPTH", "SproutTree", "TreeFullError"]


class SproutTree(IncrementalMerkleTree):
    """Sprout commitment tree; ``SproutTree(depth=4)`` is the C++ testing tree."""

    __slots__ = ()

    DEFAULT_DEPTH = SPROUT_TREE_DEPTH
    MAX_DEPTH = 65  # C++ tabulates Sprout empty roots up to depth 65
    _EMPTY_ROOTS: list[bytes] = []

    @classmethod
    def combine(cls, left: bytes, right: bytes, level: int) -> bytes:
        """SHA256Compress(left || right); the level does not enter the hash."""
        return sha256_compress(left + right)

    @classmethod
    def uncommitted(cls) -> bytes:
        """The Sprout empty leaf: 32 zero bytes."""
        return bytes(32)
