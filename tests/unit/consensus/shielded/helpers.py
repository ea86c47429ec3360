"""Test-only helpers: a RedJubjub signer and small-order points (not used by the node)."""

from __future__ import annotations

from fluxd.consensus.shielded.jubjub import EDWARDS_D, Q, R_J, Point, decode_point, sqrt_fq
from fluxd.consensus.shielded.redjubjub import h_star


def sign(sk: int, message: bytes, base: Point, nonce: int, r_point: Point | None = None,
         rbar: bytes | None = None) -> bytes:
    """Rbar || Sbar with S = r + H*(Rbar || M) * sk.

    ``r_point`` overrides R = [nonce]base (e.g. to add torsion) and ``rbar`` the
    bytes that are hashed and sent for R (e.g. a non-canonical encoding).
    """
    r_point = base * nonce if r_point is None else r_point
    rbar = r_point.encode() if rbar is None else rbar
    s = (nonce + h_star(rbar, message) * sk) % R_J
    return rbar + s.to_bytes(32, "little")


def order_two() -> Point:
    """The point (0, -1)."""
    return Point.from_affine(0, Q - 1)


def order_four() -> Point:
    """(sqrt(-1), 0): -u^2 = 1 at v = 0."""
    return Point.from_affine(sqrt_fq(Q - 1), 0)


def order_eight() -> Point:
    """A point of exact order 8: the torsion part [R_J]P of some curve point P."""
    v = 2
    while True:
        p = decode_point(v.to_bytes(32, "little"))
        if p is not None:
            t = p * R_J
            if not (t * 4).is_identity():
                return t
        v += 1


def non_square_v() -> int:
    """The smallest v for which (v^2 - 1)/(d v^2 + 1) has no square root."""
    v = 2
    while True:
        vv = v * v % Q
        ratio = (vv - 1) * pow((EDWARDS_D * vv + 1) % Q, -1, Q) % Q
        if sqrt_fq(ratio) is None:
            return v
        v += 1


def with_sign(v: int, sign: int) -> bytes:
    """32-byte encoding of v (any value < 2^255) with the given sign bit."""
    return (v | (sign << 255)).to_bytes(32, "little")
