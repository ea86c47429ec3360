"""Equihash proof-of-work verification (C++ crypto/equihash.cpp), including Flux's ZelHash (125,4).

CONSENSUS_HEADERS.md §2.  The hash input is the 108-byte CEquihashInput plus
the 32-byte nonce; BLAKE2b is personalised with 'ZcashPoW' or 'ZelProof' plus
le32(n) || le32(k).  For (125,4) every generated hash is the word-wise sum of
the hashes of its 16-aligned group up to it, with three bits cleared per 16
bytes (the ZelHash twist).
"""

from __future__ import annotations

import hashlib
import struct

from fluxd.params.chainparams import EquihashParams

INDEX_BYTES = 4


class EquihashShape:
    """The derived sizes of one (n, k) parameter set (C++ Equihash<N,K> constants)."""

    __slots__ = (
        "n", "k", "collision_bits", "collision_bytes", "hash_length", "indices_per_hash", "hash_output",
        "solution_width", "person", "twist", "slice_bytes",
    )  # fmt: skip

    def __init__(self, params: EquihashParams) -> None:
        self.n, self.k = params.n, params.k
        self.collision_bits = self.n // (self.k + 1)
        self.collision_bytes = (self.collision_bits + 7) // 8
        self.hash_length = (self.k + 1) * self.collision_bytes
        self.indices_per_hash = 512 // self.n
        self.slice_bytes = (self.n + 7) // 8
        self.hash_output = self.indices_per_hash * self.slice_bytes
        self.solution_width = (1 << self.k) * (self.collision_bits + 1) // 8
        self.person = params.personalization + struct.pack("<II", self.n, self.k)
        self.twist = (self.n, self.k) == (125, 4)


_SHAPES: dict[tuple[int, int], EquihashShape] = {}


def shape_of(params: EquihashParams) -> EquihashShape:
    key = (params.n, params.k)
    if key not in _SHAPES:
        _SHAPES[key] = EquihashShape(params)
    return _SHAPES[key]


def base_state(shape: EquihashShape, header_input: bytes):
    """BLAKE2b state after the header input (108-byte CEquihashInput + 32-byte nonce)."""
    state = hashlib.blake2b(digest_size=shape.hash_output, person=shape.person)
    state.update(header_input)
    return state


def generate_hash(shape: EquihashShape, state, group: int) -> bytes:
    """GenerateHash: BLAKE2b of the state || le32(group), with the ZelHash twist for (125,4)."""
    if not shape.twist:
        copy = state.copy()
        copy.update(struct.pack("<I", group))
        return copy.digest()
    words = [0] * 16
    for member in range(group & 0xFFFFFFF0, group + 1):
        copy = state.copy()
        copy.update(struct.pack("<I", member))
        for position, word in enumerate(struct.unpack("<16I", copy.digest())):
            words[position] = (words[position] + word) & 0xFFFFFFFF
    summed = bytearray(struct.pack("<16I", *words))
    for position in range(15, shape.hash_output, 16):
        summed[position] &= 0xF8
    return bytes(summed[: shape.hash_output])


def expand_array(data: bytes, bit_len: int, byte_pad: int = 0) -> bytes:
    """ExpandArray: each bit_len-bit chunk into its own (bit_len+7)//8 + byte_pad bytes."""
    width = (bit_len + 7) // 8 + byte_pad
    total_bits = len(data) * 8
    value = int.from_bytes(data, "big")
    count = total_bits // bit_len
    mask = (1 << bit_len) - 1
    out = bytearray()
    for position in range(count):
        chunk = (value >> (total_bits - (position + 1) * bit_len)) & mask
        out += chunk.to_bytes(width, "big")
    return bytes(out)


def compress_array(data: bytes, bit_len: int, byte_pad: int = 0) -> bytes:
    """CompressArray: the inverse of expand_array."""
    width = (bit_len + 7) // 8 + byte_pad
    value = 0
    for position in range(0, len(data), width):
        value = (value << bit_len) | (int.from_bytes(data[position : position + width], "big") & ((1 << bit_len) - 1))
    total_bits = (len(data) // width) * bit_len
    return value.to_bytes((total_bits + 7) // 8, "big")


def indices_from_minimal(minimal: bytes, collision_bits: int) -> list[int]:
    """GetIndicesFromMinimal: unpack (collision_bits + 1)-bit indices."""
    bit_len = collision_bits + 1
    total_bits = len(minimal) * 8
    value = int.from_bytes(minimal, "big")
    mask = (1 << bit_len) - 1
    return [(value >> (total_bits - (position + 1) * bit_len)) & mask for position in range(total_bits // bit_len)]


def minimal_from_indices(indices: list[int], collision_bits: int) -> bytes:
    """GetMinimalFromIndices."""
    bit_len = collision_bits + 1
    value = 0
    for index in indices:
        value = (value << bit_len) | index
    total_bits = len(indices) * bit_len
    return value.to_bytes((total_bits + 7) // 8, "big")


def _leaf_values(shape: EquihashShape, header_input: bytes, indices: list[int]) -> list[int]:
    """The n hash bits of every index (one BLAKE2b per group of indices_per_hash indices)."""
    state = base_state(shape, header_input)
    per_hash, slice_bytes = shape.indices_per_hash, shape.slice_bytes
    pad = slice_bytes * 8 - shape.n
    pack, from_bytes, fork = struct.Struct("<I").pack, int.from_bytes, state.copy
    digests: dict[int, bytes] = {}
    values = []
    for index in indices:
        group, slot = divmod(index, per_hash)
        digest = digests.get(group)
        if digest is None:
            if shape.twist:
                digest = generate_hash(shape, state, group)
            else:
                branch = fork()
                branch.update(pack(group))
                digest = branch.digest()
            digests[group] = digest
        values.append(from_bytes(digest[slot * slice_bytes : (slot + 1) * slice_bytes], "big") >> pad)
    return values


def is_valid_solution(params: EquihashParams, header_input: bytes, solution: bytes) -> bool:
    """Equihash::IsValidSolution.

    C++ checks at every level that the two halves share no index and that the
    left half's first index is the smaller.  With all indices distinct (checked
    once, up front: any repeat would meet itself in some merge) comparing the
    halves' first indices decides the C++ ``IndicesBefore`` test, so a row
    carries only its hash bits and its first index.  The verdict is the same.
    """
    shape = shape_of(params)
    if len(solution) != shape.solution_width:
        return False
    indices = indices_from_minimal(solution, shape.collision_bits)
    if len(set(indices)) != len(indices):
        return False
    rows = list(zip(_leaf_values(shape, header_input, indices), indices))
    hash_bits = shape.n
    step = shape.collision_bits
    while len(rows) > 1:
        shift = hash_bits - step
        keep = (1 << shift) - 1
        merged = []
        for position in range(0, len(rows), 2):
            (left_hash, left_first), (right_hash, right_first) = rows[position], rows[position + 1]
            if (left_hash ^ right_hash) >> shift or right_first < left_first:
                return False
            merged.append(((left_hash ^ right_hash) & keep, left_first))
        rows = merged
        hash_bits = shift
    return rows[0][0] == 0


def params_for_solution_size(size: int) -> EquihashParams | None:
    """The (n, k) whose minimal solution has ``size`` bytes (CheckEquihashSolution's switch)."""
    for n, k in ((200, 9), (144, 5), (96, 5), (125, 4), (48, 5)):
        candidate = EquihashParams(n, k)
        if candidate.solution_size == size:
            return candidate
    return None


def check_equihash_solution(header_input: bytes, solution: bytes) -> bool:
    """CheckEquihashSolution: (n, k) from the solution size, then IsValidSolution."""
    params = params_for_solution_size(len(solution))
    return params is not None and is_valid_solution(params, header_input, solution)
