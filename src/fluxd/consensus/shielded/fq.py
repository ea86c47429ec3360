"""The BLS12-381 scalar field F_Q, Jubjub's base field: the one non-trivial helper, sqrt."""

from __future__ import annotations

Q = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001


def _tonelli_constants() -> tuple[int, int, int]:
    """Return (s, t, z): Q - 1 = 2^s * t with t odd, and z a non-residue."""
    s, t = 0, Q - 1
    while t % 2 == 0:
        s, t = s + 1, t // 2
    z = 2
    while pow(z, (Q - 1) // 2, Q) != Q - 1:
        z += 1
    return s, t, z


_TS_S, _TS_T, NON_RESIDUE = _tonelli_constants()


def sqrt_fq(a: int) -> int | None:
    """A square root of ``a`` in F_Q (Tonelli-Shanks), or None if there is none.

    Which of the two roots is returned does not matter to callers: decoding
    fixes the sign from the encoding's sign bit afterwards.
    """
    a %= Q
    if a == 0:
        return 0
    if pow(a, (Q - 1) // 2, Q) != 1:
        return None
    m, c = _TS_S, pow(NON_RESIDUE, _TS_T, Q)
    t, r = pow(a, _TS_T, Q), pow(a, (_TS_T + 1) // 2, Q)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2, i = t2 * t2 % Q, i + 1
        b = pow(c, 1 << (m - i - 1), Q)
        m, c = i, b * b % Q
        t, r = t * c % Q, r * b % Q
    return r
