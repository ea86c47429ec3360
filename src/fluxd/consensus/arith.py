"""256-bit target arithmetic: compact ``nBits``, block proof (chainwork) and the PoW target check.

Behaviour follows C++ ``arith_uint256`` (``SetCompact``/``GetCompact``) and
``pow.cpp`` (``GetBlockProof``, ``CheckProofOfWork``,
``GetBlockProofEquivalentTime``); see CONSENSUS_HEADERS.md §0, §3.6 and §4.

C++ ``arith_uint256`` silently wraps modulo 2^256.  Python integers do not, so
every helper here that mirrors a wrapping C++ expression reduces with
``wrap256`` explicitly; callers in ``difficulty.py`` do the same.
"""

from __future__ import annotations

from dataclasses import dataclass

UINT256_MASK = (1 << 256) - 1
UINT64_MASK = (1 << 64) - 1
UINT32_MASK = (1 << 32) - 1
INT64_MAX = (1 << 63) - 1

PON_VERSION = 100
PON_BLOCK_PROOF = 1 << 40  # GetBlockProof: every block with nVersion >= 100 adds exactly 2^40

_SIGN_BIT = 0x00800000
_MANTISSA_MASK = 0x007FFFFF


def wrap256(value: int) -> int:
    """The value an ``arith_uint256`` would hold: reduced modulo 2^256."""
    return value & UINT256_MASK


def mul_u32(value: int, factor: int) -> int:
    """``arith_uint256 *= integer``: C++ picks the uint32_t overload, so ``factor`` is cut to 32 bits."""
    return wrap256(value * (factor & UINT32_MASK))


@dataclass(frozen=True, slots=True)
class CompactTarget:
    """The three results of ``SetCompact``: the 256-bit value and the two error flags."""

    target: int
    negative: bool
    overflow: bool

    @property
    def usable(self) -> bool:
        """Neither negative, overflowing nor zero (the range check of CheckProofOfWork/GetBlockProof)."""
        return not self.negative and not self.overflow and self.target != 0


def set_compact(bits: int) -> CompactTarget:
    """Decode ``nBits`` exactly as ``arith_uint256::SetCompact``.

    The exponent is the top byte, the mantissa the low 23 bits; bit 23 is a
    sign flag.  Mantissa bits shifted past 2^256 are lost, as in C++.
    """
    if not 0 <= bits <= UINT32_MASK:
        raise ValueError(f"compact bits out of uint32 range: {bits!r}")
    exponent = bits >> 24
    mantissa = bits & _MANTISSA_MASK
    if exponent <= 3:
        mantissa >>= 8 * (3 - exponent)
        value = mantissa
    else:
        value = wrap256(mantissa << (8 * (exponent - 3)))
    negative = mantissa != 0 and bool(bits & _SIGN_BIT)
    overflow = mantissa != 0 and (
        exponent > 34 or (mantissa > 0xFF and exponent > 33) or (mantissa > 0xFFFF and exponent > 32)
    )
    return CompactTarget(value, negative, overflow)


def target_from_bits(bits: int) -> int:
    """The 256-bit value of ``nBits`` with the flags ignored, as the C++ difficulty loops use it.

    Same value as ``set_compact(bits).target``, without building the flags
    (this runs 60 times per LWMA computation).
    """
    exponent = bits >> 24
    mantissa = bits & _MANTISSA_MASK
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return (mantissa << (8 * (exponent - 3))) & UINT256_MASK


def get_compact(target: int, negative: bool = False) -> int:
    """Encode a 256-bit value as ``arith_uint256::GetCompact``: keep the top 3 bytes, rounding down."""
    if not 0 <= target <= UINT256_MASK:
        raise ValueError("target must be an unsigned 256-bit integer")
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        mantissa = target << (8 * (3 - size))
    else:
        mantissa = target >> (8 * (size - 3))
    if mantissa & _SIGN_BIT:
        mantissa >>= 8
        size += 1
    compact = (size << 24) | mantissa
    if negative and mantissa & _MANTISSA_MASK:
        compact |= _SIGN_BIT
    return compact


def block_proof(bits: int) -> int:
    """GetBlockProof of a PoW block: floor(2^256 / (target + 1)), 0 when ``bits`` is not usable.

    C++ cannot hold 2^256, so it computes ``~target / (target + 1) + 1``; that
    equals the floor above for every target below 2^256 - 1, and compact bits
    can never encode 2^256 - 1.
    """
    decoded = set_compact(bits)
    if not decoded.usable:
        return 0
    target = decoded.target
    return (wrap256(~target) // (target + 1)) + 1


def block_work(bits: int, version: int) -> int:
    """GetBlockProof of any block: the fixed PoN proof for nVersion >= 100 (emergency blocks too)."""
    if version >= PON_VERSION:
        return PON_BLOCK_PROOF
    return block_proof(bits)


def chain_work_after(parent_work: int, bits: int, version: int) -> int:
    """nChainWork of a block: its parent's plus its proof, modulo 2^256 as arith_uint256 addition wraps
    (a regtest chain mined back to back without mocktime drives the target down until the sum passes 2^256)."""
    return wrap256(parent_work + block_work(bits, version))


def hash_value(hash_rev: bytes) -> int:
    """UintToArith256: a 32-byte hash in internal order read as a little-endian integer."""
    if len(hash_rev) != 32:
        raise ValueError("a block hash is 32 bytes")
    return int.from_bytes(hash_rev, "little")


def check_proof_of_work(hash_rev: bytes, bits: int, pow_limit: int, *, is_regtest: bool = False) -> bool:
    """CheckProofOfWork: ``bits`` usable and not above ``pow_limit``, and hash <= target.

    C++ returns true for every header on regtest (the network check comes
    right after decoding), so pass ``is_regtest=params.is_regtest``.
    """
    decoded = set_compact(bits)
    if is_regtest:
        return True
    if not decoded.usable or decoded.target > pow_limit:
        return False
    return hash_value(hash_rev) <= decoded.target


def block_proof_equivalent_time(to_chainwork: int, from_chainwork: int, tip_proof: int, target_spacing: int) -> int:
    """GetBlockProofEquivalentTime: seconds of work at the tip's rate between two chainworks.

    ``tip_proof`` is ``block_work`` of the tip and ``target_spacing`` is
    nPowTargetSpacing (C++ uses the PoW spacing even after PoN).  The product
    wraps at 2^256 and the result saturates at INT64_MAX, as in C++.  A zero
    ``tip_proof`` raises ZeroDivisionError (C++ throws uint_error).
    """
    if to_chainwork > from_chainwork:
        difference, sign = to_chainwork - from_chainwork, 1
    else:
        difference, sign = from_chainwork - to_chainwork, -1
    if tip_proof == 0:
        raise ZeroDivisionError("block proof of the tip is zero")
    seconds = wrap256(difference * (target_spacing & UINT64_MASK)) // tip_proof
    if seconds.bit_length() > 63:
        return sign * INT64_MAX
    return sign * seconds
