"""The Sapling Pedersen hash and MerkleCRH^Sapling (Zcash protocol spec §5.4.1.7, §5.4.1.3).

The message is cut into 3-bit chunks (s0, s1, s2), each worth
enc = (1 - 2*s2) * (1 + s0 + 2*s1); chunk j of a segment weighs 16**j, and
segments of 63 chunks use successive generators I_1, I_2, ...  The hash is the
u-coordinate of the sum of <segment_i> * I_i.

The generators are derived here as the spec defines them (FindGroupHash with
BLAKE2s, personalization "Zcash_PH", then multiplied by the cofactor 8) and
the tests compare them with the published generator vectors.  For speed each
generator gets a table of byte-window multiples (32 windows x 255 entries,
built lazily on first use), so a segment costs at most 32 point additions.

MerkleCRH(layer, left, right) hashes the 6-bit little-endian layer (0 when
joining two leaves, C++ PedersenHash::combine's ``depth``) followed by the low
255 bits of each child read as a little-endian integer.
"""

from __future__ import annotations

from fluxd.consensus.shielded.group_hash import find_group_hash
from fluxd.consensus.trees import jubjub

PERSONALIZATION = b"Zcash_PH"
CHUNKS_PER_SEGMENT = 63
WINDOWS = 32  # byte windows: scalars below 2**256
_FIELD_BITS = 255
_FIELD_MASK = (1 << _FIELD_BITS) - 1
MERKLE_MESSAGE_BITS = 6 + 2 * _FIELD_BITS

_tables: dict[int, list[list[jubjub.Precomputed]]] = {}


def generator(index: int) -> jubjub.Extended:
    """I_(index+1)^"Zcash_PH": the generator of segment ``index`` (0-based), by the shielded package's
    FindGroupHash, in this module's extended-coordinate tuple."""
    point = find_group_hash(index.to_bytes(4, "little"), PERSONALIZATION)
    return (point.x, point.y, point.z, point.t)


def _window_table(index: int) -> list[list[jubjub.Precomputed]]:
    """table[w][b] = b * 256**w * I (b = 0 is a placeholder), built once per generator."""
    table = _tables.get(index)
    if table is not None:
        return table
    base = generator(index)
    points: list[jubjub.Extended] = []
    for _ in range(WINDOWS):
        acc = base
        points.append(acc)
        for _ in range(254):
            acc = jubjub.add(acc, base)
            points.append(acc)
        base = jubjub.add(acc, base)  # 256 * base
    flat = jubjub.to_precomputed(points)
    table = [[(0, 0, 0)] + flat[w * 255:(w + 1) * 255] for w in range(WINDOWS)]
    _tables[index] = table
    return table


def _segment_scalar(message: int, first_chunk: int, chunk_count: int) -> int:
    """<M_i> = sum of enc(chunk_j) * 16**j over the segment's chunks."""
    scalar = 0
    for j in range(chunk_count - 1, -1, -1):
        chunk = (message >> (3 * (first_chunk + j))) & 7
        magnitude = 1 + (chunk & 3)
        scalar = (scalar << 4) + (-magnitude if chunk & 4 else magnitude)
    return scalar


def _multiply_add(acc: jubjub.Extended, index: int, scalar: int) -> jubjub.Extended:
    """acc + scalar * I_index using the byte-window table."""
    table = _window_table(index)
    negative = scalar < 0
    add = jubjub.add_precomputed
    for w, byte in enumerate(abs(scalar).to_bytes(WINDOWS, "little")):
        if byte:
            entry = table[w][byte]
            acc = add(acc, jubjub.negate_precomputed(entry) if negative else entry)
    return acc


def pedersen_point(message: int, bit_length: int) -> jubjub.Extended:
    """PedersenHashToPoint for a message given as an int (bit k = message bit k)."""
    chunks = (bit_length + 2) // 3  # zero padding to a multiple of 3 bits
    acc = jubjub.IDENTITY
    for index, first in enumerate(range(0, chunks, CHUNKS_PER_SEGMENT)):
        count = min(CHUNKS_PER_SEGMENT, chunks - first)
        acc = _multiply_add(acc, index, _segment_scalar(message, first, count))
    return acc


def merkle_crh(layer: int, left: bytes, right: bytes) -> bytes:
    """MerkleCRH^Sapling of two 32-byte children at ``layer`` (0 = leaves), 32 bytes LE."""
    if not 0 <= layer < 64:
        raise ValueError("MerkleCRH layer must fit 6 bits")
    message = (
        layer
        | (int.from_bytes(left, "little") & _FIELD_MASK) << 6
        | (int.from_bytes(right, "little") & _FIELD_MASK) << (6 + _FIELD_BITS)
    )
    point = pedersen_point(message, MERKLE_MESSAGE_BITS)
    return jubjub.affine_u(point).to_bytes(32, "little")
