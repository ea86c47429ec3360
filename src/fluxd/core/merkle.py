"""The Bitcoin-style transaction merkle tree used by Flux blocks.

Odd levels duplicate their last hash.  Like C++ ``CBlock::BuildMerkleTree``,
the tree is reported as mutated when the last two hashes of any level are
identical (CVE-2012-2459); the caller rejects such blocks (`bad-txns-duplicate`).
"""

from __future__ import annotations

import hashlib

_ZERO = b"\x00" * 32


def _hash_pair(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(left + right).digest()).digest()


def block_merkle_root(txids_rev: list[bytes]) -> tuple[bytes, bool]:
    """Return (merkle root, mutated).  An empty list gives the zero hash."""
    if not txids_rev:
        return _ZERO, False
    level = list(txids_rev)
    mutated = False
    while len(level) > 1:
        size = len(level)
        if size % 2 == 0 and level[-1] == level[-2]:
            mutated = True
        next_level = []
        for index in range(0, size, 2):
            right = level[index + 1] if index + 1 < size else level[index]
            next_level.append(_hash_pair(level[index], right))
        level = next_level
    return level[0], mutated


def merkle_branch(txids_rev: list[bytes], index: int) -> list[bytes]:
    """The sibling hashes from leaf ``index`` up to the root (C++ GetMerkleBranch)."""
    branch = []
    level = list(txids_rev)
    while len(level) > 1:
        sibling = min(index ^ 1, len(level) - 1)
        branch.append(level[sibling])
        level = [
            _hash_pair(level[i], level[i + 1] if i + 1 < len(level) else level[i]) for i in range(0, len(level), 2)
        ]
        index >>= 1
    return branch


def root_from_branch(leaf_rev: bytes, branch: list[bytes], index: int) -> bytes:
    """C++ CheckMerkleBranch: fold a branch back up to the root."""
    node = leaf_rev
    for sibling in branch:
        node = _hash_pair(sibling, node) if index & 1 else _hash_pair(node, sibling)
        index >>= 1
    return node
