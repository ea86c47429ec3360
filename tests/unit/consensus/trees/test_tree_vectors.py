"""Both trees against C++ src/gtest/test_merkletree.cpp and its src/test/data vectors.

The vectors are for the C++ testing depth 4: after each of the 16 appends the
root and the serialization must match, the serialization must round-trip, and
a 17th append must fail.  Commitments are uint256S hex (bytes reversed); roots
and serializations are hex of the serialized bytes.
"""

from __future__ import annotations

import pytest

from fluxd.consensus.trees.incremental import TreeFullError
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree
from fluxd.util.serialize import DecodeError
from tests.vectors import load_json

TESTING_DEPTH = 4
KINDS = {"sprout": (SproutTree, ""), "sapling": (SaplingTree, "_sapling")}
EMPTY_ROOTS = load_json("fluxd_test_data/fluxd_empty_merkle_roots.json")
SMALL_LEAF = bytes.fromhex("54d626e08c1c802b305dad30b7e54a82f102390cc92c7d4db112048935236e9c")[::-1]


def _vectors(suffix: str):
    base = "fluxd_test_data/merkle_{}%s.json" % suffix
    return [load_json(base.format(name)) for name in ("commitments", "roots", "serialization")]


@pytest.mark.parametrize("kind", KINDS)
def test_cpp_vectors(kind):
    cls, suffix = KINDS[kind]
    commitments, roots, serializations = _vectors(suffix)
    tree = cls(TESTING_DEPTH)
    assert tree.root() == cls.empty_root(TESTING_DEPTH)
    assert tree.size() == 0
    with pytest.raises(ValueError):
        tree.last()
    for i in range(16):
        leaf = bytes.fromhex(commitments[i])[::-1]
        tree.append(leaf)
        assert tree.size() == i + 1
        assert tree.last() == leaf
        assert tree.root().hex() == roots[i]
        assert tree.serialize().hex() == serializations[i]
        again = cls.deserialize(tree.serialize(), TESTING_DEPTH)
        assert again == tree and again.root() == tree.root()
    assert tree.is_full()
    with pytest.raises(TreeFullError):
        tree.append(bytes(32))


@pytest.mark.parametrize("kind", KINDS)
def test_copy_is_independent(kind):
    cls, suffix = KINDS[kind]
    commitments = _vectors(suffix)[0]
    tree = cls(TESTING_DEPTH)
    for hex_leaf in commitments[:5]:
        tree.append(bytes.fromhex(hex_leaf)[::-1])
    snapshot = tree.copy()
    before = snapshot.root()
    tree.append(bytes.fromhex(commitments[5])[::-1])
    assert snapshot.size() == 5 and snapshot.root() == before
    assert tree.size() == 6 and tree.root() != before


def test_sprout_empty_roots_match_cpp_table():
    table = EMPTY_ROOTS["sprout_sha256_compress"]
    assert len(table) == 66
    for depth, expected in enumerate(table):
        assert SproutTree.empty_root(depth).hex() == expected


def test_sapling_empty_roots_match_cpp_table():
    table = EMPTY_ROOTS["sapling_pedersen"]
    assert len(table) == 63
    for depth, expected in enumerate(table):
        assert SaplingTree.empty_root(depth).hex() == expected


def test_empty_root_literals_from_gtest():
    sprout = "59d2cde5e65c1414c32ba54f0fe4bdb3d67618125286e6a191317917c812c6d7"
    sapling = "3e49b5f954aa9d3545bc6c37744661eea48d7c34e3000d82b7f0010c30f4c2fb"
    assert SproutTree.empty_root()[::-1].hex() == sprout
    assert SproutTree().root()[::-1].hex() == sprout
    assert SaplingTree.empty_root()[::-1].hex() == sapling
    assert SaplingTree().root()[::-1].hex() == sapling


def test_uncommitted_leaves():
    assert SproutTree.empty_root(0) == bytes(32)
    assert SaplingTree.empty_root(0) == b"\x01" + bytes(31)


def test_deserialize_too_many_parents_for_depth():
    big = SproutTree()
    for _ in range(17):
        big.append(SMALL_LEAF)
    with pytest.raises(DecodeError, match="too many parents"):
        SproutTree.deserialize(big.serialize(), TESTING_DEPTH)
    assert SproutTree.deserialize(big.serialize()) == big


@pytest.mark.parametrize(
    "hex_data, reason",
    [
        ("0155b852781b9995a44c939b64e441ae2724b96f99c8f4fb9a141cfc9842c4b0e3000100", "parent"),
        ("000155b852781b9995a44c939b64e441ae2724b96f99c8f4fb9a141cfc9842c4b0e300", "right should not"),
        ("000001018695873d63ec0bceeadb5bf4ccc6723ac803c1826fc7cfb34fc76180305ae27d", "parents should not"),
    ],
)
def test_deserialize_non_canonical(hex_data, reason):
    with pytest.raises(DecodeError, match=reason):
        SproutTree.deserialize(bytes.fromhex(hex_data))


@pytest.mark.parametrize("hex_data", ["02", "01" + "00" * 31, "0000", "000000aa", "000002"])
def test_deserialize_malformed(hex_data):
    with pytest.raises(DecodeError):
        SproutTree.deserialize(bytes.fromhex(hex_data))


def test_zero_leaves_keep_the_sprout_root():
    for start in range(20):
        tree = SproutTree()
        for _ in range(start):
            tree.append(SMALL_LEAF)
        old_root = tree.root()
        for _ in range(100):
            tree.append(bytes(32))
        assert tree.root() == old_root


def test_depth_one_tree_holds_two_leaves():
    tree = SproutTree(1)
    tree.append(SMALL_LEAF)
    tree.append(SMALL_LEAF)
    assert tree.root() == SproutTree.combine(SMALL_LEAF, SMALL_LEAF, 0)
    with pytest.raises(TreeFullError):
        tree.append(SMALL_LEAF)


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33)])
def test_leaf_must_be_32_bytes(bad):
    with pytest.raises(ValueError):
        SproutTree().append(bad)
