"""Jubjub curve arithmetic, as the Flux C++ node's Rust library applies it.

Jubjub is the twisted Edwards curve ``-u^2 + v^2 = 1 + d*u^2*v^2`` over the
BLS12-381 scalar field ``Q``, with ``d = -(10240/10241)``.  Its group has order
``8 * R_J``; the prime-order subgroup of order ``R_J`` holds every Sapling base.

Where the rules come from
-------------------------
The Flux C++ node (RunOnFlux/fluxd @ 2dfb504, ``depends/packages/librustzcash.mk``)
links zcash/librustzcash at commit ``06da3b9ac8f278e5d4ae13088cf0a4c03d2c13f5``
(Oct 2018).  That tree carries ``sapling-crypto`` in-tree; its
``sapling-crypto/src/jubjub/edwards.rs`` is byte-identical to
zcash-hackworks/sapling-crypto @ ``21084bde`` (the rev named in fluxd's
``depends/patches/librustzcash/cargo.config``).  ``Point::<_, Unknown>::read``
there, which every Sapling point decode goes through, does exactly this:

1. read 32 bytes as a little-endian 256-bit integer; bit 255 is the sign of u,
   the other 255 bits are v;
2. ``Fr::from_repr(v)`` fails when ``v >= Q`` -> reject ("y is not in field");
3. ``get_for_y``: ``u^2 = (v^2 - 1) / (d*v^2 + 1)``; no square root -> reject
   ("not on curve");
4. if the parity of the root differs from the sign bit, negate it.

Nothing else is checked: there is no rule that ``u = 0`` must come with sign
bit 0 (that rule is ZIP 216, which this code predates).  So the two
non-canonical encodings ``v = 1`` and ``v = Q - 1`` with the sign bit set are
ACCEPTED and decode to the identity and to the order-2 point.  ``Point::write``
always emits the canonical form (sign = parity of u), so ``encode`` of such a
decoded point differs from the input bytes.

The group law (``add``/``double``) follows the extended coordinates of Hisil,
Wong, Carter and Dawson, as ``edwards.rs`` does; these formulas are complete on
Jubjub (``a = -1`` is a square, ``d`` is not), so no special cases are needed.
librustzcash's ``is_small_order`` (``librustzcash/src/rustzcash.rs``) is
"three doublings give the identity", which ``Point.is_small_order`` mirrors.
"""

from __future__ import annotations

from fluxd.consensus.shielded.fq import Q, sqrt_fq

R_J = 0x0E7DB4EA6533AFA906673B0101343B00A6682093CCC81082D0970E5ED6F72CB7
COFACTOR = 8
EDWARDS_A = Q - 1
EDWARDS_D = (-10240 * pow(10241, -1, Q)) % Q
_D2 = (2 * EDWARDS_D) % Q

_SIGN_BIT = 1 << 255


class Point:
    """A Jubjub point in extended twisted Edwards coordinates (X:Y:Z:T).

    It represents the affine point ``(u, v) = (X/Z, Y/Z)`` with ``T = X*Y/Z``.
    Instances are immutable; every operation returns a new point.
    """

    __slots__ = ("x", "y", "z", "t")

    def __init__(self, x: int, y: int, z: int, t: int) -> None:
        self.x, self.y, self.z, self.t = x, y, z, t

    @classmethod
    def identity(cls) -> Point:
        """The neutral element (u, v) = (0, 1)."""
        return cls(0, 1, 1, 0)

    @classmethod
    def from_affine(cls, u: int, v: int) -> Point:
        """Build a point from affine coordinates; ValueError if not on the curve."""
        u, v = u % Q, v % Q
        uu, vv = u * u % Q, v * v % Q
        if (vv - uu - 1 - EDWARDS_D * uu % Q * vv) % Q != 0:
            raise ValueError("point is not on the Jubjub curve")
        return cls(u, v, 1, u * v % Q)

    def to_affine(self) -> tuple[int, int]:
        """Return the affine coordinates (u, v) as ints in [0, Q)."""
        zinv = pow(self.z, -1, Q)
        return self.x * zinv % Q, self.y * zinv % Q

    def encode(self) -> bytes:
        """32 bytes: v little-endian, bit 255 = parity of u (``Point::write``)."""
        u, v = self.to_affine()
        if u & 1:
            v |= _SIGN_BIT
        return v.to_bytes(32, "little")

    def __add__(self, other: Point) -> Point:
        """Unified addition (add-2008-hwcd-3, a = -1); complete on Jubjub."""
        a = (self.y - self.x) * (other.y - other.x) % Q
        b = (self.y + self.x) * (other.y + other.x) % Q
        c = self.t * _D2 % Q * other.t % Q
        d = 2 * self.z * other.z % Q
        e, f, g, h = b - a, d - c, d + c, b + a
        return Point(e * f % Q, g * h % Q, f * g % Q, e * h % Q)

    def double(self) -> Point:
        """Doubling (dbl-2008-hwcd with a = -1), as ``edwards.rs`` ``double``."""
        a = self.x * self.x % Q
        b = self.y * self.y % Q
        c = 2 * self.z * self.z % Q
        d = -a
        e = ((self.x + self.y) ** 2 - a - b) % Q
        g = d + b
        f = g - c
        h = d - b
        return Point(e * f % Q, g * h % Q, f * g % Q, e * h % Q)

    def __neg__(self) -> Point:
        return Point(-self.x % Q, self.y, self.z, -self.t % Q)

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __mul__(self, k: int) -> Point:
        """[k]P for any integer k (exact: k is NOT reduced mod R_J)."""
        if k < 0:
            return (-self) * (-k)
        return _window_mul(self, k)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        """Projective equality: X1*Z2 == X2*Z1 and Y1*Z2 == Y2*Z1."""
        if not isinstance(other, Point):
            return NotImplemented
        return (
            (self.x * other.z - other.x * self.z) % Q == 0
            and (self.y * other.z - other.y * self.z) % Q == 0
        )

    def __hash__(self) -> int:
        return hash(self.to_affine())

    def __repr__(self) -> str:
        u, v = self.to_affine()
        return f"Point(u={u:#x}, v={v:#x})"

    def is_identity(self) -> bool:
        """True for the neutral element (u = 0, v = 1)."""
        return self.x % Q == 0 and (self.y - self.z) % Q == 0

    def mul_by_cofactor(self) -> Point:
        """[8]P by three doublings (``Point::mul_by_cofactor``)."""
        return self.double().double().double()

    def is_small_order(self) -> bool:
        """True iff [8]P is the identity (librustzcash ``is_small_order``)."""
        return self.mul_by_cofactor().is_identity()


_WINDOW = 4


def _window_mul(p: Point, k: int) -> Point:
    """Fixed-window (4-bit) left-to-right scalar multiplication."""
    table = [Point.identity(), p]
    for _ in range(2, 1 << _WINDOW):
        table.append(table[-1] + p)
    acc = Point.identity()
    nwin = (k.bit_length() + _WINDOW - 1) // _WINDOW
    mask = (1 << _WINDOW) - 1
    for i in range(nwin - 1, -1, -1):
        for _ in range(_WINDOW):
            acc = acc.double()
        digit = (k >> (i * _WINDOW)) & mask
        if digit:
            acc = acc + table[digit]
    return acc


class FixedBase:
    """Precomputed multiples of one base for fast [k]B with 0 <= k < 2^256.

    ``rows[i][j] = [j * 16^i]B``, so [k]B is one addition per nonzero
    4-bit digit of k and no doublings.  Scalars outside the table's range fall
    back to the generic method, so the result is always exactly [k]B.
    """

    _BITS = 256

    def __init__(self, base: Point) -> None:
        self.base = base
        self.rows: list[list[Point]] = []
        step = base
        for _ in range(self._BITS // _WINDOW):
            row = [Point.identity(), step]
            for _ in range(2, 1 << _WINDOW):
                row.append(row[-1] + step)
            self.rows.append(row)
            step = row[-1] + step

    def mul(self, k: int) -> Point:
        """Return [k]B."""
        if not 0 <= k < (1 << self._BITS):
            return self.base * k
        acc = Point.identity()
        mask = (1 << _WINDOW) - 1
        for row in self.rows:
            digit = k & mask
            if digit:
                acc = acc + row[digit]
            k >>= _WINDOW
        return acc


_FIXED_BASES: dict[tuple[int, int], FixedBase] = {}


def fixed_base(base: Point) -> FixedBase:
    """The (cached) precomputed table of ``base``; built on first use."""
    key = base.to_affine()
    table = _FIXED_BASES.get(key)
    if table is None:
        table = _FIXED_BASES[key] = FixedBase(base)
    return table


def decode_point(data: bytes) -> Point | None:
    """Decode 32 bytes exactly as sapling-crypto ``Point::<_, Unknown>::read``.

    Returns None where that function errors (v >= Q, or no square root) and
    for input that is not 32 bytes long.  The u = 0 / sign-bit-1 encodings are
    accepted (pre-ZIP-216); see the module docstring.
    """
    if len(data) != 32:
        return None
    word = int.from_bytes(data, "little")
    sign = word >> 255
    v = word & (_SIGN_BIT - 1)
    if v >= Q:
        return None
    vv = v * v % Q
    denominator = (EDWARDS_D * vv + 1) % Q
    if denominator == 0:
        return None
    u = sqrt_fq((vv - 1) * pow(denominator, -1, Q))
    if u is None:
        return None
    if (u & 1) != sign:
        u = -u % Q
    return Point(u, v, 1, u * v % Q)


# Sapling fixed generators, compressed (zcash-test-vectors sapling/generators.py;
# the same points librustzcash derives by group hash in jubjub/mod.rs).
_GENERATOR_ENCODINGS = {
    "skb": "30b5f2aaad325630bcdddbce4d67656d05fd1cc2d037bb5375b6e96d9e01a1d7",
    "pkb": "e7e85de0f7f97a46d249a1f5ea51df50cc48490f8401c9de7a2adf1807d1b6d4",
    "npb": "65002bc736faf7a3422effffe8b855e18fba96a0158a9efca584bf40549d36e1",
    "wprb": "ac776c796563fcd44cc49cfaea8bb796952c266e47779d94574c10ad01754b11",
    "vcvb": "d7c86706f5817aa718cd1cfad03233bcd64a7789fd9422d3b17af6823a7e6ac6",
    "vcrb": "8b6a0b38b9faae3c3b803b47b0f146ad50ab221e6e2afbe6dbde45cba9d381ed",
    "pb0": "ca3c2432d4abbf7732464ec08b2e47f95edc7e836b16c979571b52d3a2879ea8",
    "pb1": "9118bf4e3cc50d7be8d3fa98ebbe3a1f25d901c0421189f733fe435b7f8c5d01",
    "pb2": "57d493972c50ed8098b484177f2ab28b53e88c8e6ca400e09eee4ed200152eb6",
    "pb3": "e97035a3ec4b7184856a1fa1a1af0351b747d9d8cb0a0791d8ca564b0ce47e2f",
}


def _decode_generator(name: str) -> Point:
    point = decode_point(bytes.fromhex(_GENERATOR_ENCODINGS[name]))
    if point is None:  # pragma: no cover - constants are fixed
        raise AssertionError(f"generator {name} does not decode")
    return point


GENERATORS: dict[str, Point] = {name: _decode_generator(name) for name in _GENERATOR_ENCODINGS}
SPENDING_KEY_BASE = GENERATORS["skb"]  # SpendAuthSig base (FixedGenerators::SpendingKeyGenerator)
PROOF_GENERATION_KEY_BASE = GENERATORS["pkb"]
NULLIFIER_POSITION_BASE = GENERATORS["npb"]
NOTE_COMMITMENT_RANDOMNESS_BASE = GENERATORS["wprb"]
VALUE_COMMITMENT_VALUE_BASE = GENERATORS["vcvb"]
VALUE_COMMITMENT_RANDOMNESS_BASE = GENERATORS["vcrb"]  # binding signature base
PEDERSEN_BASES = tuple(GENERATORS[f"pb{i}"] for i in range(4))
