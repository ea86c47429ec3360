"""Sapling Pedersen hash: generators, the C++ librustzcash_merkle_hash vector, native roots."""

from __future__ import annotations

import os

import pytest

from fluxd.consensus.trees import jubjub, pedersen_hash
from fluxd.consensus.trees.sapling_tree import SaplingTree, native_root_available
from tests.vectors import load_json

# zcash-test-vectors sapling generators: skb, pkb, npb, wprb, vcvb, vcrb, pb0..pb3.
GENERATORS = load_json("zcash_test_vectors/sapling_generators.json")[2]


@pytest.mark.parametrize("index", range(4))
def test_generators_match_published_vectors(index):
    assert jubjub.compress(pedersen_hash.generator(index)).hex() == GENERATORS[6 + index]


def test_merkle_hash_api_vector():
    """C++ src/gtest/test_pedersen_hash.cpp: librustzcash_merkle_hash(25, a, b)."""
    a = bytes.fromhex("87a086ae7d2252d58729b30263fb7b66308bf94ef59a76c9c86e7ea016536505")[::-1]
    b = bytes.fromhex("a75b84a125b2353da7e8d96ee2a15efe4de23df9601b9d9564ba59de57130406")[::-1]
    expected = "5bf43b5736c19b714d1f462c9d22ba3492c36e3d9bbd7ca24d94b440550aa561"
    assert pedersen_hash.merkle_crh(25, a, b)[::-1].hex() == expected


def test_table_addition_equals_plain_addition():
    g = pedersen_hash.generator(0)
    total = jubjub.IDENTITY
    for _ in range(37):
        total = jubjub.add(total, g)
    via_table = pedersen_hash._multiply_add(jubjub.IDENTITY, 0, 37)
    assert jubjub.compress(via_table) == jubjub.compress(total)
    negative = pedersen_hash._multiply_add(total, 0, -37)
    assert jubjub.is_identity(negative)


def test_merkle_crh_layer_range():
    with pytest.raises(ValueError):
        pedersen_hash.merkle_crh(64, bytes(32), bytes(32))


@pytest.mark.skipif(not native_root_available(), reason="fluxwallet_sapling not installed")
def test_native_root_equals_python_root():
    tree = SaplingTree()
    assert tree.root() == tree.python_root()
    for _ in range(9):
        leaf = (int.from_bytes(os.urandom(32), "little") % jubjub.Q).to_bytes(32, "little")
        tree.append(leaf)
        assert tree.root() == tree.python_root()


@pytest.mark.skipif(not native_root_available(), reason="fluxwallet_sapling not installed")
def test_native_serialization_equals_ours():
    import fluxwallet_sapling

    commitments = load_json("fluxd_test_data/merkle_commitments_sapling.json")
    native = fluxwallet_sapling.empty_sapling_tree()
    ours = SaplingTree()
    assert bytes(native) == ours.serialize()
    for hex_leaf in commitments:
        leaf = bytes.fromhex(hex_leaf)[::-1]
        native = fluxwallet_sapling.add_commitment(native, leaf)
        ours.append(leaf)
        assert bytes(native) == ours.serialize()


def test_non_canonical_leaf_falls_back_to_python():
    """The native reader refuses leaves >= q; the root then comes from the Python fold (low 255 bits, as C++)."""
    tree = SaplingTree()
    tree.append(jubjub.Q.to_bytes(32, "little"))
    assert tree.root() == tree.python_root()
