"""Merkle root construction and the CVE-2012-2459 mutation flag."""

from __future__ import annotations

import hashlib

from hypothesis import given, strategies as st

from fluxd.core.merkle import block_merkle_root, merkle_branch, root_from_branch


def _pair(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(left + right).digest()).digest()


def _leaf(index: int) -> bytes:
    return hashlib.sha256(index.to_bytes(4, "little")).digest()


def test_empty_and_single():
    assert block_merkle_root([]) == (b"\x00" * 32, False)
    assert block_merkle_root([_leaf(1)]) == (_leaf(1), False)


def test_three_leaves_duplicate_last():
    a, b, c = _leaf(1), _leaf(2), _leaf(3)
    expected = _pair(_pair(a, b), _pair(c, c))
    assert block_merkle_root([a, b, c]) == (expected, False)


def test_duplicated_tail_is_flagged_as_mutated_with_same_root():
    leaves = [_leaf(i) for i in range(6)]
    root, mutated = block_merkle_root(leaves)
    assert not mutated
    dup_root, dup_mutated = block_merkle_root(leaves + leaves[4:6])
    assert dup_root == root and dup_mutated


def test_identical_pair_not_at_end_is_not_flagged():
    a, b = _leaf(1), _leaf(2)
    assert block_merkle_root([a, a, b])[1] is False


@given(st.integers(min_value=1, max_value=40), st.data())
def test_branches_fold_to_root(count, data):
    leaves = [_leaf(i) for i in range(count)]
    index = data.draw(st.integers(min_value=0, max_value=count - 1))
    root, _ = block_merkle_root(leaves)
    assert root_from_branch(leaves[index], merkle_branch(leaves, index), index) == root
