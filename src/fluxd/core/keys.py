"""secp256k1 keys through coincurve: public key checks, private keys, WIF (C++ key.cpp, pubkey.cpp, key_io.cpp)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import coincurve

from fluxd.core.base58 import Base58Error, b58check_decode, b58check_encode
from fluxd.core.fluxnode_tx import pubkey_length_from_header
from fluxd.core.hashes import hash160

CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
COMPRESSED_PUBKEY_SIZE = 33
UNCOMPRESSED_PUBKEY_SIZE = 65


class InvalidKeyError(ValueError):
    """A key that cannot be parsed or is outside the curve's range."""


def is_pubkey_size_valid(pubkey: bytes) -> bool:
    """CPubKey::IsValid: the length matches the header byte."""
    return bool(pubkey) and pubkey_length_from_header(pubkey[0]) == len(pubkey)


def is_fully_valid_pubkey(pubkey: bytes) -> bool:
    """CPubKey::IsFullyValid: a point on the curve."""
    if not is_pubkey_size_valid(pubkey):
        return False
    try:
        coincurve.PublicKey(pubkey)
    except (ValueError, TypeError):
        return False
    return True


def is_compressed_pubkey(pubkey: bytes) -> bool:
    return len(pubkey) == COMPRESSED_PUBKEY_SIZE


def key_id(pubkey: bytes) -> bytes:
    """CPubKey::GetID: hash160 of the serialized key."""
    return hash160(pubkey)


def is_valid_secret(secret: bytes) -> bool:
    """CKey::Check: 32 bytes, 0 < value < curve order."""
    return len(secret) == 32 and 0 < int.from_bytes(secret, "big") < CURVE_ORDER


@dataclass(frozen=True, slots=True)
class PrivateKey:
    secret: bytes
    compressed: bool = True

    def __post_init__(self) -> None:
        if not is_valid_secret(self.secret):
            raise InvalidKeyError("private key out of range")

    @property
    def pubkey(self) -> bytes:
        return coincurve.PrivateKey(self.secret).public_key.format(compressed=self.compressed)

    @property
    def key_id(self) -> bytes:
        return hash160(self.pubkey)

    @classmethod
    def generate(cls, compressed: bool = True) -> "PrivateKey":
        return cls(coincurve.PrivateKey().secret, compressed)


class SecretPrefix(Protocol):
    secret_key: bytes


def encode_wif(key: PrivateKey, prefixes: SecretPrefix) -> str:
    """EncodeSecret: prefix || secret || 0x01 when compressed."""
    suffix = b"\x01" if key.compressed else b""
    return b58check_encode(prefixes.secret_key + key.secret + suffix)


def decode_wif(text: str, prefixes: SecretPrefix) -> PrivateKey:
    """DecodeSecret: raises InvalidKeyError for anything that is not a WIF key of this network."""
    prefix = prefixes.secret_key
    try:
        data = b58check_decode(text, 34 + len(prefix))
    except Base58Error as exc:
        raise InvalidKeyError("Invalid private key encoding") from exc
    if not data.startswith(prefix):
        raise InvalidKeyError("Invalid private key encoding")
    body = data[len(prefix):]
    if len(body) == 33 and body[32] == 1:
        return PrivateKey(body[:32], True)
    if len(body) == 32:
        return PrivateKey(body, False)
    raise InvalidKeyError("Invalid private key encoding")
