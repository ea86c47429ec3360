"""BIP37 bloom filters as C++ CBloomFilter (bloom.cpp): MurmurHash3, the size limits, and the transaction match
with its update flags, used for `filterload` / `filteradd` / `filterclear`, filtered blocks and filtered relay."""

from __future__ import annotations

import math

from fluxd.core.opcodes import iter_ops
from fluxd.core.standard import TX_MULTISIG, TX_PUBKEY, solver
from fluxd.core.transaction import Transaction
from fluxd.util.serialize import DecodeError, Reader, Writer

MAX_BLOOM_FILTER_SIZE = 36_000  # bytes
MAX_HASH_FUNCS = 50
MAX_SCRIPT_ELEMENT_SIZE = 520  # filteradd's largest data item
BLOOM_UPDATE_NONE, BLOOM_UPDATE_ALL, BLOOM_UPDATE_P2PUBKEY_ONLY, BLOOM_UPDATE_MASK = 0, 1, 2, 3
_M32 = 0xFFFFFFFF
_LN2_SQUARED = 0.4804530139182014246671025263266649717305529515945455
_LN2 = 0.6931471805599453094172321214581765680755001343602552


def _rotl32(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (32 - shift))) & _M32


def murmur3_32(seed: int, data: bytes) -> int:
    """MurmurHash3 x86 32-bit (C++ hash.cpp MurmurHash3)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h1 = seed & _M32
    blocks = len(data) // 4
    for index in range(blocks):
        k1 = int.from_bytes(data[4 * index:4 * index + 4], "little")
        k1 = (_rotl32((k1 * c1) & _M32, 15) * c2) & _M32
        h1 = (_rotl32(h1 ^ k1, 13) * 5 + 0xE6546B64) & _M32
    tail = data[4 * blocks:]
    k1 = 0
    if len(tail) >= 3:
        k1 ^= tail[2] << 16
    if len(tail) >= 2:
        k1 ^= tail[1] << 8
    if tail:
        k1 ^= tail[0]
        h1 ^= (_rotl32((k1 * c1) & _M32, 15) * c2) & _M32
    h1 ^= len(data)
    h1 ^= h1 >> 16
    h1 = (h1 * 0x85EBCA6B) & _M32
    h1 ^= h1 >> 13
    h1 = (h1 * 0xC2B2AE35) & _M32
    return h1 ^ (h1 >> 16)


def outpoint_bytes(txid_rev: bytes, index: int) -> bytes:
    return txid_rev + index.to_bytes(4, "little")


class BloomFilter:
    """C++ CBloomFilter as a peer loads it (filterload), with isFull / isEmpty kept as C++ does."""

    def __init__(self, data: bytes = b"", hash_funcs: int = 0, tweak: int = 0, flags: int = BLOOM_UPDATE_NONE) -> None:
        self.data = bytearray(data)
        self.hash_funcs = hash_funcs
        self.tweak = tweak & _M32
        self.flags = flags
        self.is_full = False
        self.is_empty = not data  # C++ CBloomFilter(): empty data, isEmpty true (filterclear's fresh filter)

    @classmethod
    def create(cls, elements: int, fp_rate: float, tweak: int, flags: int) -> "BloomFilter":
        """C++ CBloomFilter(nElements, nFPRate, nTweak, nFlags): sized for the rate within the protocol limits."""
        size = min(int(-1 / _LN2_SQUARED * elements * math.log(fp_rate)), MAX_BLOOM_FILTER_SIZE * 8) // 8
        made = cls(bytes(size), min(int(size * 8 / elements * _LN2), MAX_HASH_FUNCS), tweak, flags)
        made.is_empty = False  # as this C++ constructor leaves it
        return made

    def to_payload(self) -> bytes:
        writer = Writer()
        writer.var_bytes(bytes(self.data))
        writer.u32(self.hash_funcs)
        writer.u32(self.tweak)
        writer.u8(self.flags)
        return writer.getvalue()

    @classmethod
    def from_payload(cls, payload: bytes) -> "BloomFilter":
        """filterload: vData, nHashFuncs, nTweak, nFlags; DecodeError when malformed."""
        reader = Reader(payload)
        data = reader.var_bytes()
        hash_funcs, tweak, flags = reader.u32(), reader.u32(), reader.u8()
        reader.expect_end("filterload")
        loaded = cls(data, hash_funcs, tweak, flags)
        loaded.update_empty_full()
        return loaded

    def within_size_constraints(self) -> bool:
        return len(self.data) <= MAX_BLOOM_FILTER_SIZE and self.hash_funcs <= MAX_HASH_FUNCS

    def _bit(self, hash_num: int, key: bytes) -> int:
        return murmur3_32((hash_num * 0xFBA4C795 + self.tweak) & _M32, key) % (len(self.data) * 8)

    def insert(self, key: bytes) -> None:
        if self.is_full or not self.data:
            return
        for hash_num in range(self.hash_funcs):
            bit = self._bit(hash_num, key)
            self.data[bit >> 3] |= 1 << (7 & bit)
        self.is_empty = False

    def contains(self, key: bytes) -> bool:
        if self.is_full:
            return True
        if self.is_empty:
            return False
        for hash_num in range(self.hash_funcs):
            bit = self._bit(hash_num, key)
            if not self.data[bit >> 3] & (1 << (7 & bit)):
                return False
        return True

    def update_empty_full(self) -> None:
        self.is_full = all(byte == 0xFF for byte in self.data)
        self.is_empty = all(byte == 0 for byte in self.data)

    def is_relevant_and_update(self, tx: Transaction) -> bool:
        """C++ IsRelevantAndUpdate: the txid, a data push of an output (adding the outpoint as the flags say), a spent
        outpoint, or a data push of an input script."""
        if self.is_full:
            return True
        if self.is_empty:
            return False
        txid_rev = tx.txid_rev
        found = self.contains(txid_rev)
        for index, output in enumerate(tx.vout):
            if self._matches_pushes(output.script_pubkey):
                found = True
                self._update_for_output(txid_rev, index, output.script_pubkey)
        if found:
            return True
        for txin in tx.vin:
            if self.contains(outpoint_bytes(txin.prevout.txid_rev, txin.prevout.n)) or self._matches_pushes(txin.script_sig):
                return True
        return False

    def _matches_pushes(self, script: bytes) -> bool:
        for op in iter_ops(script):
            if op is None:
                return False  # C++ GetOp fails: stop reading this script
            if op.data and self.contains(op.data):
                return True
        return False

    def _update_for_output(self, txid_rev: bytes, index: int, script: bytes) -> None:
        mode = self.flags & BLOOM_UPDATE_MASK
        if mode == BLOOM_UPDATE_ALL:
            self.insert(outpoint_bytes(txid_rev, index))
        elif mode == BLOOM_UPDATE_P2PUBKEY_ONLY and solver(script)[0] in (TX_PUBKEY, TX_MULTISIG):
            self.insert(outpoint_bytes(txid_rev, index))


def filteradd_data(payload: bytes) -> bytes:
    """filteradd: one var_bytes data item; DecodeError when malformed."""
    reader = Reader(payload)
    data = reader.var_bytes()
    reader.expect_end("filteradd")
    return data


__all__ = ["BloomFilter", "DecodeError", "filteradd_data", "murmur3_32", "MAX_SCRIPT_ELEMENT_SIZE"]
