"""Sapling group hash: how the fixed Jubjub generators are derived.

Follows librustzcash @ 06da3b9 (the version the Flux C++ node links),
``sapling-crypto/src/group_hash.rs`` and the generator set-up in
``sapling-crypto/src/jubjub/mod.rs``:

* ``group_hash(tag, personalization)``: BLAKE2s-256 with the 8-byte
  personalization over ``GH_FIRST_BLOCK || tag``; the digest is decoded as a
  point with the ordinary point decoding; the result is multiplied by the
  cofactor; a failed decode or an identity result gives None.
* ``find_group_hash(m, personalization)``: try ``m || [i]`` for i = 0, 1, ...
  and return the first success.

The node itself only uses the resulting constants (``jubjub.GENERATORS``);
this module exists so tests can re-derive them.
"""

from __future__ import annotations

import hashlib

from fluxd.consensus.shielded.jubjub import Point, decode_point

# 64 bytes of ASCII hex chosen by the Sapling designers ("URS"), constants.rs.
GH_FIRST_BLOCK = b"096b36a5804bfacef1691e173c366a47ff5ba84a44f26ddd7e8d9f79d5b42df0"

# (message, personalization) of each generator, as jubjub/mod.rs builds them.
GENERATOR_INPUTS = {
    "skb": (b"", b"Zcash_G_"),
    "pkb": (b"", b"Zcash_H_"),
    "npb": (b"", b"Zcash_J_"),
    "wprb": (b"r", b"Zcash_PH"),
    "vcvb": (b"v", b"Zcash_cv"),
    "vcrb": (b"r", b"Zcash_cv"),
    **{f"pb{i}": (i.to_bytes(4, "little"), b"Zcash_PH") for i in range(4)},
}


def group_hash(tag: bytes, personalization: bytes) -> Point | None:
    """GroupHash^J(personalization, tag), or None where it has no result."""
    if len(personalization) != 8:
        raise ValueError("personalization must be 8 bytes")
    digest = hashlib.blake2s(GH_FIRST_BLOCK + tag, digest_size=32, person=personalization).digest()
    point = decode_point(digest)
    if point is None:
        return None
    point = point.mul_by_cofactor()
    return None if point.is_identity() else point


def find_group_hash(message: bytes, personalization: bytes) -> Point:
    """The first successful ``group_hash(message || [i])`` for i = 0..254."""
    for i in range(255):
        point = group_hash(message + bytes([i]), personalization)
        if point is not None:
            return point
    raise ValueError("no group hash found")  # pragma: no cover - never for Sapling inputs
