"""Property tests of the Jubjub group law, scalar multiplication and encoding."""

from __future__ import annotations

from functools import reduce

from hypothesis import given, settings, strategies as st

from fluxd.consensus.shielded import jubjub as J
from tests.unit.consensus.shielded.helpers import order_eight

BASES = st.sampled_from(sorted(J.GENERATORS))
SCALARS = st.integers(min_value=0, max_value=J.R_J - 1)
WIDE_SCALARS = st.integers(min_value=-(1 << 300), max_value=1 << 300)


@settings(max_examples=60, deadline=None)
@given(name=BASES, a=SCALARS, b=SCALARS)
def test_scalar_mult_distributes(name, a, b):
    g = J.GENERATORS[name]
    assert g * (a + b) == g * a + g * b
    assert J.fixed_base(g).mul((a + b) % J.R_J) == g * a + g * b


@settings(max_examples=40, deadline=None)
@given(a=WIDE_SCALARS, b=WIDE_SCALARS)
def test_scalar_mult_distributes_on_mixed_order_point(a, b):
    p = J.SPENDING_KEY_BASE + order_eight()  # order 8 * R_J: scalars are not reduced
    assert p * (a + b) == p * a + p * b


@settings(max_examples=30, deadline=None)
@given(name=BASES, k=st.integers(min_value=0, max_value=40))
def test_scalar_mult_matches_repeated_addition(name, k):
    g = J.GENERATORS[name]
    assert g * k == reduce(lambda acc, _: acc + g, range(k), J.Point.identity())


@settings(max_examples=60, deadline=None)
@given(name=BASES, k=SCALARS)
def test_encode_decode_round_trip(name, k):
    p = J.GENERATORS[name] * k
    encoded = p.encode()
    decoded = J.decode_point(encoded)
    assert decoded == p
    assert decoded.encode() == encoded
    assert (decoded * J.R_J).is_identity()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=32, max_size=32))
def test_decode_any_bytes(data):
    word = int.from_bytes(data, "little")
    v, sign = word & ((1 << 255) - 1), word >> 255
    point = J.decode_point(data)
    if v >= J.Q:
        assert point is None
        return
    if point is None:
        return
    u, pv = point.to_affine()
    assert pv == v
    J.Point.from_affine(u, pv)  # on the curve
    if u == 0:
        assert v in (1, J.Q - 1)  # the only points with u = 0; either sign bit decodes
    else:
        assert point.encode() == data
        assert u & 1 == sign
