"""Hash functions used on the wire: sha256d, hash160, personalised BLAKE2b."""

from __future__ import annotations

import hashlib

from fluxd.core.ripemd160 import ripemd160


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """SHA256(SHA256(data)): block hashes, txids, merkle nodes, checksums."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)): key and script ids."""
    return ripemd160(hashlib.sha256(data).digest())


def blake2b_256(person: bytes, data: bytes) -> bytes:
    """BLAKE2b with a 32-byte digest and a 16-byte personalisation (ZIP-143/243)."""
    return hashlib.blake2b(data, digest_size=32, person=person).digest()


def blake2b_hasher(person: bytes, digest_size: int = 32) -> "hashlib.blake2b":
    return hashlib.blake2b(digest_size=digest_size, person=person)
