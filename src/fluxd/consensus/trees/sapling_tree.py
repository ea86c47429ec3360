"""The Sapling note commitment tree (C++ SaplingMerkleTree, depth 32).

Leaves are note commitments cmu: 32-byte little-endian elements of the
BLS12-381 scalar field.  A parent is MerkleCRH^Sapling(level, left, right),
the Pedersen hash personalized by the level (C++ PedersenHash::combine via
librustzcash_merkle_hash).  The empty leaf is the field element 1 (C++
PedersenHash::uncommitted), so the empty root of depth 32 is the
hashFinalSaplingRoot of the first Sapling blocks.

Hashing is pure Python (:mod:`pedersen_hash`).  For the full-depth tree the
root may instead come from the native ``fluxwallet_sapling`` library, whose
serialized commitment tree is byte-for-byte the C++ format: the frontier is
handed over as bytes and its ``tree_root`` does the 32 hashes natively.  Any
failure there falls back to Python, and the tests check that both agree.
"""

from __future__ import annotations

from fluxd.consensus.trees.incremental import IncrementalMerkleTree, TreeFullError
from fluxd.consensus.trees.pedersen_hash import merkle_crh

try:  # optional native accelerator for the depth-32 root
    from fluxwallet_sapling import tree_root as _native_tree_root
except ImportError:  # pragma: no cover - the library is an optional speed-up
    _native_tree_root = None

SAPLING_TREE_DEPTH = 32  # C++ SAPLING_INCREMENTAL_MERKLE_TREE_DEPTH
TESTING_TREE_DEPTH = 4  # C++ INCREMENTAL_MERKLE_TREE_DEPTH_TESTING
UNCOMMITTED_SAPLING = (1).to_bytes(32, "little")

__all__ = ["SAPLING_TREE_DEPTH", "SaplingTree", "TreeFullError", "native_root_available"]


def native_root_available() -> bool:
    """True when fluxwallet_sapling can compute depth-32 roots."""
    return _native_tree_root is not None


class SaplingTree(IncrementalMerkleTree):
    """Sapling commitment tree; ``SaplingTree(depth=4)`` is the C++ testing tree."""

    __slots__ = ()

    DEFAULT_DEPTH = SAPLING_TREE_DEPTH
    MAX_DEPTH = 62  # MerkleCRH levels must fit its 6-bit personalization
    _EMPTY_ROOTS: list[bytes] = []
    use_native_root = True  # class switch, so tests can force the Python path

    @classmethod
    def combine(cls, left: bytes, right: bytes, level: int) -> bytes:
        """MerkleCRH^Sapling(level, left, right)."""
        return merkle_crh(level, left, right)

    @classmethod
    def uncommitted(cls) -> bytes:
        """The Sapling empty leaf: the field element 1, little-endian."""
        return UNCOMMITTED_SAPLING

    def _compute_root(self) -> bytes:
        """Native root for the full-depth tree when available, else the Python fold."""
        if self.use_native_root and _native_tree_root is not None and self.depth == SAPLING_TREE_DEPTH:
            try:
                root = bytes(_native_tree_root(self.serialize()))
            except Exception:  # noqa: BLE001 - e.g. a non-canonical leaf; Python decides
                root = b""
            if len(root) == 32:
                return root
        return super()._compute_root()

    def python_root(self) -> bytes:
        """The root computed in pure Python, bypassing the native library."""
        return super()._compute_root()
