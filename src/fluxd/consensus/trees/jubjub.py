"""Minimal Jubjub arithmetic for the Sapling Pedersen hash (Zcash protocol spec §5.4.9.3).

Jubjub is the twisted Edwards curve -u^2 + v^2 = 1 + d*u^2*v^2 over the
BLS12-381 scalar field F_q.  Points are kept in extended coordinates
(X, Y, Z, T) with u = X/Z, v = Y/Z, T = X*Y/Z.  Table points are kept
affine in the "precomputed" form (v + u, v - u, 2*d*u*v), so adding one costs
seven field multiplications.  The formulas are complete on Jubjub (a = -1 is
a square and d is not), so no special cases are needed.

Only what the Pedersen hash's tables need is here: addition in these forms, conversion back to the
affine u-coordinate, and encoding (point decoding and group hashing are the shielded package's).
"""

from __future__ import annotations

Q = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
D = (-10240 * pow(10241, -1, Q)) % Q
D2 = (2 * D) % Q
# Order of the prime-order subgroup the Pedersen generators live in.
R_J = 0x0E7DB4EA6533AFA906673B0101343B00A6682093CCC81082D0970E5ED6F72CB7

IDENTITY = (0, 1, 1, 0)

Extended = tuple[int, int, int, int]
Precomputed = tuple[int, int, int]


def add(p: Extended, r: Extended) -> Extended:
    """Sum of two points in extended coordinates."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = r
    a = (y1 - x1) * (y2 - x2) % Q
    b = (y1 + x1) * (y2 + x2) % Q
    c = t1 * D2 % Q * t2 % Q
    d = 2 * z1 * z2 % Q
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % Q, g * h % Q, f * g % Q, e * h % Q)


def add_precomputed(p: Extended, r: Precomputed) -> Extended:
    """Sum of an extended point and an affine point in precomputed form."""
    x1, y1, z1, t1 = p
    yp, ym, t2d = r
    a = (y1 - x1) * ym % Q
    b = (y1 + x1) * yp % Q
    c = t1 * t2d % Q
    d = 2 * z1
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % Q, g * h % Q, f * g % Q, e * h % Q)


def negate_precomputed(r: Precomputed) -> Precomputed:
    """-(u, v) = (-u, v): swap v + u with v - u and negate 2duv."""
    yp, ym, t2d = r
    return (ym, yp, (-t2d) % Q)


def to_precomputed(points: list[Extended]) -> list[Precomputed]:
    """Normalize many points to affine precomputed form with one field inversion."""
    prefix = []
    acc = 1
    for point in points:
        prefix.append(acc)
        acc = acc * point[2] % Q
    inv = pow(acc, -1, Q)
    out: list[Precomputed] = [(0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z, _ = points[i]
        zinv = inv * prefix[i] % Q
        inv = inv * z % Q
        u, v = x * zinv % Q, y * zinv % Q
        out[i] = ((v + u) % Q, (v - u) % Q, D2 * u % Q * v % Q)
    return out


def affine_u(p: Extended) -> int:
    """The affine u-coordinate of a point (the Sapling extract_J)."""
    x, _, z, _ = p
    return x * pow(z, -1, Q) % Q


def compress(p: Extended) -> bytes:
    """Encode a point as 32 bytes: v little-endian with the low bit of u in bit 255."""
    x, y, z, _ = p
    zinv = pow(z, -1, Q)
    u, v = x * zinv % Q, y * zinv % Q
    return (v | ((u & 1) << 255)).to_bytes(32, "little")


def is_identity(p: Extended) -> bool:
    """True for the neutral element (u = 0, v = 1)."""
    x, y, z, _ = p
    return x % Q == 0 and (y - z) % Q == 0
