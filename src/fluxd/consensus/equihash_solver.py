"""Wagner's algorithm for small Equihash parameter sets (regtest 48,5; tests 96,5).

Returns every solution in C++ canonical order (each pair with the smaller
index subtree first), encoded minimally.  Rows are (hash as int, indices tuple);
pairs are found by bucketing on the next collision chunk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from fluxd.consensus.equihash import (
    base_state,
    generate_hash,
    minimal_from_indices,
    shape_of,
)
from fluxd.params.chainparams import EquihashParams

MAX_ROWS_PER_BUCKET = 64  # guards against pathological inputs; far above normal bucket sizes


def _initial_rows(params: EquihashParams, header_input: bytes) -> list[tuple[int, tuple[int, ...]]]:
    shape = shape_of(params)
    state = base_state(shape, header_input)
    rows = []
    count = 1 << (shape.collision_bits + 1)
    for group in range((count + shape.indices_per_hash - 1) // shape.indices_per_hash):
        digest = generate_hash(shape, state, group)
        for slot in range(shape.indices_per_hash):
            index = group * shape.indices_per_hash + slot
            if index >= count:
                break
            piece = digest[slot * shape.slice_bytes : (slot + 1) * shape.slice_bytes]
            rows.append((int.from_bytes(piece, "big") >> (shape.slice_bytes * 8 - shape.n), (index,)))
    return rows


def _combine(left, right, keep: int):
    (left_hash, left_idx), (right_hash, right_idx) = left, right
    if right_idx < left_idx:
        left_idx, right_idx = right_idx, left_idx
    return (left_hash ^ right_hash) & keep, left_idx + right_idx


def _collide(rows, shift: int, keep: int) -> list:
    buckets: dict[int, list] = defaultdict(list)
    for row in rows:
        buckets[row[0] >> shift].append(row)
    merged = []
    for bucket in buckets.values():
        if len(bucket) > MAX_ROWS_PER_BUCKET:
            bucket = bucket[:MAX_ROWS_PER_BUCKET]
        for first in range(len(bucket)):
            for second in range(first + 1, len(bucket)):
                left, right = bucket[first], bucket[second]
                if set(left[1]).isdisjoint(right[1]):
                    merged.append(_combine(left, right, keep))
    return merged


def solve(params: EquihashParams, header_input: bytes) -> list[bytes]:
    """All minimal-encoded solutions for the 140-byte header input."""
    shape = shape_of(params)
    rows = _initial_rows(params, header_input)
    hash_bits = shape.n
    step = shape.collision_bits
    for _ in range(shape.k - 1):
        shift = hash_bits - step
        rows = _collide(rows, shift, (1 << shift) - 1)
        hash_bits = shift
    finals = _collide(rows, 0, (1 << hash_bits) - 1) if hash_bits else []
    seen = set()
    solutions = []
    for value, indices in finals:
        if value == 0 and indices not in seen and len(set(indices)) == len(indices):
            seen.add(indices)
            solutions.append(minimal_from_indices(list(indices), shape.collision_bits))
    return solutions


def solve_header(
    params: EquihashParams,
    header_prefix: bytes,
    start_nonce: int = 0,
    accept: Callable[[bytes, bytes], bool] | None = None,
    max_attempts: int = 1 << 32,
) -> tuple[bytes, bytes]:
    """Try nonces from ``start_nonce`` until a solution is accepted; returns (nonce _rev, solution)."""
    for nonce in _nonces(start_nonce, max_attempts):
        nonce_rev = nonce.to_bytes(32, "little")
        for solution in solve(params, header_prefix + nonce_rev):
            if accept is None or accept(nonce_rev, solution):
                return nonce_rev, solution
    raise RuntimeError("no Equihash solution found within the nonce range")


def _nonces(start: int, count: int) -> Iterator[int]:
    for offset in range(count):
        yield (start + offset) % (1 << 256)
