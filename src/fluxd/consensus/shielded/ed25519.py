"""Ed25519 verification exactly as libsodium 1.0.15 ``crypto_sign_verify_detached`` (the C++ node's
joinSplitSig check; its depends/ build libsodium 1.0.15 unpatched, ZIP 215 never activated on Flux).

Read from libsodium 1.0.15 ``crypto_sign/ed25519/ref10/open.c`` (built without ED25519_COMPAT):

1. S (the signature's last 32 bytes, little-endian) must be below the group order L;
2. R (its first 32 bytes) must not be one of twelve byte strings of small-order points (canonical and
   non-canonical encodings; compared as bytes, so other encodings of those points pass this step);
3. A (the public key) must decode: y is read from 255 bits with no canonical check (arithmetic is mod
   p), x is the square root with the sign bit's parity — x = 0 with the sign bit set is accepted;
   all-zero key bytes are refused; A itself is *not* checked for small order;
4. k = SHA-512(R ‖ A ‖ message) mod L, and the canonical encoding of [S]B − [k]A must equal R's bytes
   (cofactorless, so a non-canonical R never verifies).

The curve maths is plain integer arithmetic in extended coordinates (a joinSplitSig is one per
JoinSplit transaction).
"""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

_SMALL_ORDER_R = frozenset(bytes.fromhex(text) for text in (
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "13e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "b4176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "d9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "dbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
))  # fmt: skip

Point = tuple[int, int, int, int]  # extended (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z


def _add(p: Point, q: Point) -> Point:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _double(p: Point) -> Point:
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


IDENTITY: Point = (0, 1, 1, 0)


def _multiply(scalar: int, point: Point) -> Point:
    """[scalar]point with a 4-bit window (scalar >= 0)."""
    table = [IDENTITY]
    for _ in range(15):
        table.append(_add(table[-1], point))
    result = IDENTITY
    for shift in range(((scalar.bit_length() + 3) // 4 - 1) * 4, -1, -4):
        for _ in range(4):
            result = _double(result)
        result = _add(result, table[(scalar >> shift) & 15])
    return result


def _base_tables(base: Point) -> list[list[Point]]:
    """[j * 16^i]B for the 64 nibbles of a 256-bit scalar: a fixed-base product is 64 additions."""
    tables, power = [], base
    for _ in range(64):
        row = [IDENTITY]
        for _ in range(15):
            row.append(_add(row[-1], power))
        tables.append(row)
        for _ in range(4):
            power = _double(power)
    return tables


def _multiply_base(scalar: int) -> Point:
    result = IDENTITY
    for index, row in enumerate(_BASE_TABLES):
        nibble = (scalar >> (4 * index)) & 15
        if nibble:
            result = _add(result, row[nibble])
    return result


def _encode(point: Point) -> bytes:
    x, y, z, _ = point
    z_inv = pow(z, P - 2, P)
    x, y = x * z_inv % P, y * z_inv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(data: bytes) -> Point | None:
    """ref10 ``ge_frombytes`` (without its negation): None when x² has no root."""
    raw = int.from_bytes(data, "little")
    y = (raw & ((1 << 255) - 1)) % P
    sign = raw >> 255
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * x * x % P
    if check != u:
        if check != (-u) % P:
            return None
        x = x * SQRT_M1 % P
    if (x & 1) != sign:
        x = (-x) % P
    return (x, y, 1, x * y % P)


_BASE = _decode(bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666"))
_BASE_TABLES = _base_tables(_BASE)


def verify(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """``crypto_sign_verify_detached(signature, message, public_key) == 0`` of libsodium 1.0.15."""
    if len(signature) != 64 or len(public_key) != 32:
        return False
    r_bytes, s = signature[:32], int.from_bytes(signature[32:], "little")
    if s >= L or r_bytes in _SMALL_ORDER_R:
        return False
    a = _decode(public_key)
    if a is None or not any(public_key):
        return False
    k = int.from_bytes(hashlib.sha512(r_bytes + public_key + message).digest(), "little") % L
    x, y, z, t = _multiply(k, a)
    check = _add(_multiply_base(s), ((-x) % P, y, z, (-t) % P))
    return _encode(check) == r_bytes
