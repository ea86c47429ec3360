"""Jubjub arithmetic and point decoding (librustzcash 06da3b9 rules, pre-ZIP-216)."""

from __future__ import annotations

import pytest

from fluxd.consensus.shielded import jubjub as J
from fluxd.consensus.shielded.fq import NON_RESIDUE
from fluxd.consensus.shielded.group_hash import GENERATOR_INPUTS, find_group_hash
from tests.unit.consensus.shielded.helpers import (
    non_square_v,
    order_eight,
    order_four,
    order_two,
    with_sign,
)
from tests.vectors import load_json

GENERATOR_NAMES = ["skb", "pkb", "npb", "wprb", "vcvb", "vcrb", "pb0", "pb1", "pb2", "pb3"]


def _vector_generators() -> dict[str, bytes]:
    rows = load_json("zcash_test_vectors/sapling_generators.json")
    names = [name.strip() for name in rows[1][0].split(",")]
    assert names == GENERATOR_NAMES
    return {name: bytes.fromhex(value) for name, value in zip(names, rows[2])}


def test_constants_match_librustzcash():
    # jubjub/mod.rs states d = -(10240/10241) in decimal
    assert J.EDWARDS_D == 19257038036680949359750312669786877991949435402254120286184196891950884077233
    assert (J.EDWARDS_D * 10241 + 10240) % J.Q == 0
    assert J.COFACTOR == 8


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generators_equal_vectors_and_round_trip(name):
    encoded = _vector_generators()[name]
    point = J.decode_point(encoded)
    assert point == J.GENERATORS[name]
    assert point.encode() == encoded


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generators_are_prime_order(name):
    point = J.GENERATORS[name]
    assert not point.is_small_order()
    assert not point.is_identity()
    assert (point * J.R_J).is_identity()


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_group_hash_rederives_generators(name):
    message, personalization = GENERATOR_INPUTS[name]
    assert find_group_hash(message, personalization) == J.GENERATORS[name]


def test_named_generators():
    assert J.SPENDING_KEY_BASE == J.GENERATORS["skb"]
    assert J.VALUE_COMMITMENT_VALUE_BASE == J.GENERATORS["vcvb"]
    assert J.VALUE_COMMITMENT_RANDOMNESS_BASE == J.GENERATORS["vcrb"]
    assert J.PEDERSEN_BASES[3] == J.GENERATORS["pb3"]


def test_identity():
    identity = J.Point.identity()
    assert identity.is_identity() and identity.is_small_order()
    assert identity.to_affine() == (0, 1)
    assert identity.encode() == (1).to_bytes(32, "little")
    assert J.decode_point(identity.encode()).is_identity()


@pytest.mark.parametrize("maker,order", [(order_two, 2), (order_four, 4), (order_eight, 8)])
def test_small_order_points(maker, order):
    point = maker()
    assert point.is_small_order()
    assert (point * order).is_identity()
    assert not (point * (order // 2)).is_identity()
    decoded = J.decode_point(point.encode())
    assert decoded == point and decoded.is_small_order()


def test_generator_plus_torsion_is_not_small_order():
    mixed = J.SPENDING_KEY_BASE + order_eight()
    assert not mixed.is_small_order()
    assert not (mixed * J.R_J).is_identity()
    assert mixed.mul_by_cofactor() == J.SPENDING_KEY_BASE * 8


def test_order_two_encoding():
    assert order_two().encode() == (J.Q - 1).to_bytes(32, "little")


@pytest.mark.parametrize("v", [J.Q, J.Q + 1, (1 << 255) - 1])
@pytest.mark.parametrize("sign", [0, 1])
def test_decode_rejects_non_canonical_v(v, sign):
    assert J.decode_point(with_sign(v, sign)) is None


@pytest.mark.parametrize("sign", [0, 1])
def test_decode_rejects_non_square(sign):
    assert J.decode_point(with_sign(non_square_v(), sign)) is None


def test_decode_accepts_v_just_below_q():
    # v = Q - 1 is canonical (the order-2 point)
    assert J.decode_point(with_sign(J.Q - 1, 0)) == order_two()


def test_u_zero_with_sign_bit_is_accepted_pre_zip216():
    # get_for_y negates u = 0 (a no-op) and never checks the sign bit again.
    identity = J.decode_point(with_sign(1, 1))
    assert identity is not None and identity.is_identity()
    two = J.decode_point(with_sign(J.Q - 1, 1))
    assert two == order_two()
    # encode is canonical, so these two inputs do not round-trip
    assert identity.encode() == with_sign(1, 0)
    assert two.encode() == with_sign(J.Q - 1, 0)


def test_sign_bit_selects_u_parity():
    g = J.SPENDING_KEY_BASE
    encoded, negated = g.encode(), (-g).encode()
    assert encoded[:31] == negated[:31]
    assert encoded[31] ^ negated[31] == 0x80
    assert J.decode_point(negated) == -g
    u, _ = J.decode_point(negated).to_affine()
    assert u & 1 == negated[31] >> 7


@pytest.mark.parametrize("data", [b"", bytes(31), bytes(33)])
def test_decode_wrong_length(data):
    assert J.decode_point(data) is None


def test_sqrt_fq():
    for a in [0, 1, 4, 5, 7, 12345, J.Q - 1]:
        root = J.sqrt_fq(a)
        if root is not None:
            assert root * root % J.Q == a
    assert J.sqrt_fq(NON_RESIDUE) is None


def test_from_affine_rejects_off_curve():
    with pytest.raises(ValueError):
        J.Point.from_affine(1, 1)


def test_arithmetic_basics():
    g = J.SPENDING_KEY_BASE
    assert g + (-g) == J.Point.identity()
    assert g - g == J.Point.identity()
    assert g.double() == g + g == 2 * g
    assert g * 0 == J.Point.identity()
    assert g * -3 == -(g * 3)
    assert hash(g * 5) == hash(g + g * 4)
    assert g != g * 2 and g != "not a point"


def test_scalar_is_not_reduced_for_torsion_points():
    t = order_eight()
    assert not (t * J.R_J).is_identity()  # [R_J]T is T times R_J mod 8, not the identity
    assert (t * (8 * J.R_J)).is_identity()


def test_fixed_base_matches_generic():
    g = J.VALUE_COMMITMENT_RANDOMNESS_BASE
    table = J.fixed_base(g)
    assert J.fixed_base(g) is table
    for k in [0, 1, 15, 16, 17, J.R_J - 1, J.R_J, (1 << 256) - 1, 1 << 256, -5]:
        assert table.mul(k) == g * k
