"""RedJubjub signature verification and the Sapling signatures built on it.

Everything here follows the Rust code the Flux C++ node links: zcash/librustzcash
@ ``06da3b9ac8f278e5d4ae13088cf0a4c03d2c13f5`` (see ``jubjub`` for how that
version was found).  Files read:

* ``sapling-crypto/src/redjubjub.rs`` ``PublicKey::verify`` (identical to
  zcash-hackworks/sapling-crypto @ 21084bde):

  - ``c = H*(Rbar || M)``; ``H*`` = BLAKE2b-512, personalization
    ``Zcash_RedJubjubH``, the digest read as a 512-bit little-endian integer
    reduced mod R_J (``util.rs`` ``hash_to_scalar`` + ``fs.rs`` ``to_uniform``);
  - ``R = Point::read(Rbar)``: any decode failure -> false;
  - ``S = read_scalar(Sbar)``: ``Fs::from_repr`` fails for ``S >= R_J`` -> false;
  - accept iff ``[8]([c]vk + R - [S]P_G)`` is the identity: this version DOES
    multiply by the cofactor (``mul_by_cofactor()`` before ``eq(zero)``).
  - the public key itself is decoded by ``PublicKey::read`` = ``Point::read``;
    verify does not check vk's order (callers do, see below).

* ``librustzcash/src/rustzcash.rs``:

  - ``librustzcash_sapling_check_spend``: cv and rk must decode and must not be
    small order; the spendAuthSig message is the 32 raw rk bytes as found in
    the transaction followed by the 32-byte sighash; base = SpendingKeyGenerator.
  - ``librustzcash_sapling_check_output``: cv (and epk) must decode and must not
    be small order; the context adds ``-cv``.
  - ``compute_value_balance`` / ``librustzcash_sapling_final_check``:
    ``bvk = sum(cv_spend) - sum(cv_output) - [valueBalance] * ValueCommitmentValue``
    where a negative valueBalance is ``-([|v|] base)``, and ``i64::MIN`` fails
    (``checked_abs``).  The binding message is ``bvk.write()`` (the canonical
    re-encoding) followed by the sighash; base = ValueCommitmentRandomness.

Key prefixing: today's protocol spec defines RedDSA with ``c = H*(Rbar || vk || M)``;
this old code has ``c = H*(Rbar || M)`` and its Sapling callers put the key at
the front of M instead (rk || sighash, bvk || sighash), which gives the same
bytes.  So the current zcash-test-vectors RedJubjub vectors (key-prefixed
since Dec 2023) verify here with ``message = vk || m``, while the vectors in
librustzcash's own ``tests/signatures.rs`` of that era verify with ``m``.
"""

from __future__ import annotations

import hashlib

from fluxd.consensus.shielded.jubjub import (
    R_J,
    SPENDING_KEY_BASE,
    VALUE_COMMITMENT_RANDOMNESS_BASE,
    VALUE_COMMITMENT_VALUE_BASE,
    Point,
    decode_point,
    fixed_base,
)

PERSONALIZATION = b"Zcash_RedJubjubH"
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def h_star(*parts: bytes) -> int:
    """H*: BLAKE2b-512 (personalization ``Zcash_RedJubjubH``) as an int mod R_J."""
    hasher = hashlib.blake2b(digest_size=64, person=PERSONALIZATION)
    for part in parts:
        hasher.update(part)
    return int.from_bytes(hasher.digest(), "little") % R_J


def _mul_base(base: Point, k: int) -> Point:
    """[k]base through the base's cached fixed-base table."""
    return fixed_base(base).mul(k)


def verify_point(vk: Point, message: bytes, signature: bytes, base: Point) -> bool:
    """``PublicKey::verify`` for an already decoded public key ``vk``."""
    if len(signature) != 64:
        return False
    rbar, sbar = signature[:32], signature[32:]
    c = h_star(rbar, message)
    r = decode_point(rbar)
    if r is None:
        return False
    s = int.from_bytes(sbar, "little")
    if s >= R_J:
        return False
    check = vk * c + r - _mul_base(base, s)
    return check.mul_by_cofactor().is_identity()


def verify(vk_bytes: bytes, message: bytes, signature: bytes, base: Point) -> bool:
    """Decode ``vk_bytes`` (``PublicKey::read``) and verify the signature.

    No small-order check on vk here, as in ``PublicKey::verify``; Sapling
    spends add one (``verify_spend_auth``).
    """
    vk = decode_point(vk_bytes)
    if vk is None:
        return False
    return verify_point(vk, message, signature, base)


def spend_auth_message(rk: bytes, sighash: bytes) -> bytes:
    """The spendAuthSig message: raw rk bytes || sighash (64 bytes)."""
    if len(rk) != 32 or len(sighash) != 32:
        raise ValueError("rk and sighash must be 32 bytes each")
    return rk + sighash


def verify_spend_auth(rk: bytes, sighash: bytes, signature: bytes) -> bool:
    """The spendAuthSig part of ``librustzcash_sapling_check_spend``.

    rk must decode and must not be small order; then RedJubjub over
    ``rk || sighash`` with the spending key base.
    """
    vk = decode_point(rk)
    if vk is None or vk.is_small_order():
        return False
    return verify_point(vk, spend_auth_message(rk, sighash), signature, SPENDING_KEY_BASE)


def _decode_cv(cv: bytes, reject_small_order: bool) -> Point | None:
    point = decode_point(cv)
    if point is None or (reject_small_order and point.is_small_order()):
        return None
    return point


def value_balance_point(value_balance: int) -> Point | None:
    """``compute_value_balance``: [valueBalance] * ValueCommitmentValue.

    None outside int64 and for int64's minimum (``checked_abs`` fails).
    """
    if not _INT64_MIN < value_balance <= _INT64_MAX:
        return None
    point = _mul_base(VALUE_COMMITMENT_VALUE_BASE, abs(value_balance))
    return -point if value_balance < 0 else point


def binding_verification_key(
    spend_cvs: list[bytes],
    output_cvs: list[bytes],
    value_balance: int,
    *,
    reject_small_order: bool = True,
) -> Point | None:
    """bvk = sum(spend cv) - sum(output cv) - [valueBalance] * vcvb, or None.

    None when a cv does not decode, when a cv is small order (check_spend /
    check_output fail first in the C++ node; pass ``reject_small_order=False``
    to skip that), or when the value balance is out of range.
    """
    bvk = Point.identity()
    for encoded, sign in [(cv, 1) for cv in spend_cvs] + [(cv, -1) for cv in output_cvs]:
        cv = _decode_cv(encoded, reject_small_order)
        if cv is None:
            return None
        bvk = bvk + cv if sign > 0 else bvk - cv
    balance = value_balance_point(value_balance)
    if balance is None:
        return None
    return bvk - balance


def binding_message(bvk: Point, sighash: bytes) -> bytes:
    """The bindingSig message: canonical encoding of bvk || sighash."""
    if len(sighash) != 32:
        raise ValueError("sighash must be 32 bytes")
    return bvk.encode() + sighash


def verify_binding(bvk: Point, sighash: bytes, signature: bytes) -> bool:
    """The bindingSig check of ``librustzcash_sapling_final_check`` (base vcrb)."""
    message = binding_message(bvk, sighash)
    return verify_point(bvk, message, signature, VALUE_COMMITMENT_RANDOMNESS_BASE)
