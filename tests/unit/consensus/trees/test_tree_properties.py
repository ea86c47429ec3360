"""Property tests: serialization round-trips, and incremental roots equal a naive full-tree root."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.consensus.trees.jubjub import Q
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree

sprout_leaves = st.binary(min_size=32, max_size=32)
sapling_leaves = st.integers(min_value=0, max_value=Q - 1).map(lambda n: n.to_bytes(32, "little"))


def naive_root(cls, depth: int, leaves: list[bytes]) -> bytes:
    """Hash the whole tree level by level, padding with the empty leaf to 2**depth."""
    level = list(leaves) + [cls.uncommitted()] * ((1 << depth) - len(leaves))
    for height in range(depth):
        level = [cls.combine(level[i], level[i + 1], height) for i in range(0, len(level), 2)]
    return level[0]


def naive_root_sparse(cls, depth: int, leaves: list[bytes]) -> bytes:
    """The same root for a deep tree: only the occupied part, empty subtrees as empty roots."""
    level = list(leaves) or [cls.uncommitted()]
    for height in range(depth):
        if len(level) % 2:
            level.append(cls.empty_root(height))
        level = [cls.combine(level[i], level[i + 1], height) for i in range(0, len(level), 2)]
    return level[0]


def check_tree(cls, depth: int, leaves: list[bytes], naive) -> None:
    tree = cls(depth)
    for leaf in leaves:
        tree.append(leaf)
        data = tree.serialize()
        again = cls.deserialize(data, depth)
        assert again == tree and again.serialize() == data and again.size() == tree.size()
    assert tree.size() == len(leaves)
    assert tree.root() == naive(cls, depth, leaves)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=6).flatmap(
    lambda depth: st.tuples(st.just(depth), st.lists(sprout_leaves, max_size=1 << depth))))
def test_sprout_small_trees(case):
    depth, leaves = case
    check_tree(SproutTree, depth, leaves, naive_root)


@settings(max_examples=30, deadline=None)
@given(st.lists(sprout_leaves, max_size=40))
def test_sprout_full_depth(leaves):
    check_tree(SproutTree, 29, leaves, naive_root_sparse)


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=4).flatmap(
    lambda depth: st.tuples(st.just(depth), st.lists(sapling_leaves, max_size=1 << depth))))
def test_sapling_small_trees(case):
    depth, leaves = case
    check_tree(SaplingTree, depth, leaves, naive_root)


@settings(max_examples=8, deadline=None)
@given(st.lists(sapling_leaves, max_size=12))
def test_sapling_full_depth(leaves):
    check_tree(SaplingTree, 32, leaves, naive_root_sparse)
