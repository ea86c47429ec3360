"""Witnesses of both trees against C++ src/gtest/test_merkletree.cpp's test_tree: a witness taken before each of
the 16 appends, every witness given every later commitment; after each append every witness's path and
serialization match merkle_path*.json / merkle_witness_serialization*.json in order, its root is the tree's,
the first witness has no path, and once the tree is full no witness takes another leaf."""

from __future__ import annotations

import pytest

from fluxd.consensus.trees.incremental import TreeFullError
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree
from fluxd.consensus.trees.witness import IncrementalWitness
from tests.vectors import load_json

TESTING_DEPTH = 4
KINDS = {"sprout": (SproutTree, ""), "sapling": (SaplingTree, "_sapling")}


@pytest.mark.parametrize("kind", KINDS)
def test_cpp_witness_and_path_vectors(kind):
    cls, suffix = KINDS[kind]
    commitments, paths, serializations = (load_json(f"fluxd_test_data/merkle_{name}{suffix}.json")
                                          for name in ("commitments", "path", "witness_serialization"))  # fmt: skip
    paths, serializations = iter(paths), iter(serializations)
    tree = cls(TESTING_DEPTH)
    witnesses: list[IncrementalWitness] = []
    for hex_leaf in commitments[:16]:
        leaf = bytes.fromhex(hex_leaf)[::-1]
        witnesses.append(IncrementalWitness(tree))
        tree.append(leaf)
        for number, witness in enumerate(witnesses):
            witness.append(leaf)
            if number == 0:
                with pytest.raises(ValueError):
                    witness.path()
            else:
                assert witness.path().hex() == next(paths)
            assert witness.serialize().hex() == next(serializations)
            assert witness.root() == tree.root()
    assert next(paths, None) is None and next(serializations, None) is None
    for witness in witnesses:
        with pytest.raises(TreeFullError):
            witness.append(bytes(32))
    assert witnesses[5].element() == bytes.fromhex(commitments[4])[::-1]
