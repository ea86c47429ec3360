"""Compact difficulty bits, block proof (chainwork) and the PoW target check (C++ arith_uint256, pow.cpp)."""

from __future__ import annotations

from dataclasses import dataclass

UINT256_MASK = (1 << 256) - 1
PON_BLOCK_PROOF = 1 << 40
PON_VERSION = 100


@dataclass(frozen=True, slots=True)
class CompactTarget:
    target: int
    negative: bool
    overflow: bool

    @property
    def usable(self) -> bool:
        return not self.negative and not self.overflow and self.target != 0


def set_compact(bits: int) -> CompactTarget:
    """arith_uint256::SetCompact: (target, negative, overflow)."""
    size = bits >> 24
    word = bits & 0x007FFFFF
    if size <= 3:
        word >>= 8 * (3 - size)
        target = word
    else:
        target = word << (8 * (size - 3))
    negative = word != 0 and (bits & 0x00800000) != 0
    overflow = word != 0 and (size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32))
    return CompactTarget(target & UINT256_MASK, negative, overflow)


def get_compact(target: int, negative: bool = False) -> int:
    """arith_uint256::GetCompact."""
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        compact = (target & 0xFFFFFFFFFFFFFFFF) << (8 * (3 - size))
    else:
        compact = (target >> (8 * (size - 3))) & 0xFFFFFFFFFFFFFFFF
    if compact & 0x00800000:
        compact >>= 8
        size += 1
    compact |= size << 24
    if negative and compact & 0x007FFFFF:
        compact |= 0x00800000
    return compact & 0xFFFFFFFF


def target_from_bits(bits: int) -> int:
    return set_compact(bits).target


def block_proof(bits: int, version: int = 4) -> int:
    """GetBlockProof: 2^40 for PoN blocks, else 2^256 / (target + 1), 0 for unusable bits."""
    if version >= PON_VERSION:
        return PON_BLOCK_PROOF
    compact = set_compact(bits)
    if compact.negative or compact.overflow or compact.target == 0:
        return 0
    return ((~compact.target & UINT256_MASK) // (compact.target + 1)) + 1


def check_proof_of_work(hash_rev: bytes, bits: int, pow_limit: int, is_regtest: bool = False) -> bool:
    """CheckProofOfWork (always true on regtest, as in C++)."""
    compact = set_compact(bits)
    if is_regtest:
        return True
    if not compact.usable or compact.target > pow_limit:
        return False
    return int.from_bytes(hash_rev, "little") <= compact.target
