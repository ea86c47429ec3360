"""secp256k1 ECDSA as the C++ node uses it (pubkey.cpp, key.cpp), through coincurve's libsecp256k1.

* ``verify_der``: DER parse by libsecp256k1, S normalised to low-S before the
  check (CPubKey::Verify), so high-S signatures verify — coincurve's own
  ``verify`` would reject them.
* ``is_low_s``: CPubKey::CheckLowS.
* ``sign_der``: RFC6979, low-S DER (CKey::Sign).
* Compact recoverable signatures and message hashing (CKey::SignCompact,
  CPubKey::RecoverCompact, strMessageMagic).
"""

from __future__ import annotations

from functools import lru_cache

import coincurve
from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from fluxd.core.hashes import sha256d
from fluxd.util.serialize import compact_size_bytes

COMPACT_SIGNATURE_SIZE = 65
MESSAGE_MAGIC = b"Zelcash Signed Message:\n"
_CTX = GLOBAL_CONTEXT.ctx


@lru_cache(maxsize=16384)
def _parse_pubkey(pubkey: bytes):
    """A parsed key (read-only afterwards, so cached: keys repeat a lot on chain)."""
    parsed = ffi.new("secp256k1_pubkey *")
    if not pubkey or not lib.secp256k1_ec_pubkey_parse(_CTX, parsed, pubkey, len(pubkey)):
        return None
    return parsed


def _parse_der(signature: bytes):
    parsed = ffi.new("secp256k1_ecdsa_signature *")
    if not signature or not lib.secp256k1_ecdsa_signature_parse_der(_CTX, parsed, signature, len(signature)):
        return None
    return parsed


def verify_der(pubkey: bytes, message_hash: bytes, signature: bytes) -> bool:
    """CPubKey::Verify: ``signature`` is DER without the sighash byte."""
    parsed_key = _parse_pubkey(pubkey)
    if parsed_key is None:
        return False
    parsed_sig = _parse_der(signature)
    if parsed_sig is None:
        return False
    lib.secp256k1_ecdsa_signature_normalize(_CTX, parsed_sig, parsed_sig)
    return bool(lib.secp256k1_ecdsa_verify(_CTX, parsed_sig, message_hash, parsed_key))


def is_low_s(signature: bytes) -> bool:
    """CPubKey::CheckLowS: parses and S is already at most n/2."""
    parsed_sig = _parse_der(signature)
    if parsed_sig is None:
        return False
    return not lib.secp256k1_ecdsa_signature_normalize(_CTX, ffi.NULL, parsed_sig)


def sign_der(secret: bytes, message_hash: bytes) -> bytes:
    """CKey::Sign: deterministic (RFC6979) low-S DER signature of a 32-byte hash."""
    return coincurve.PrivateKey(secret).sign(message_hash, hasher=None)


def sign_compact(secret: bytes, message_hash: bytes, compressed: bool = True) -> bytes:
    """CKey::SignCompact: header byte 27 + recid (+4 when compressed), then r, s."""
    recoverable = coincurve.PrivateKey(secret).sign_recoverable(message_hash, hasher=None)
    header = 27 + recoverable[64] + (4 if compressed else 0)
    return bytes([header]) + recoverable[:64]


def recover_compact(message_hash: bytes, signature: bytes) -> bytes | None:
    """CPubKey::RecoverCompact: the serialized key (compression from the header), or None."""
    if len(signature) != COMPACT_SIGNATURE_SIZE:
        return None
    recid = (signature[0] - 27) & 3
    compressed = ((signature[0] - 27) & 4) != 0
    parsed = ffi.new("secp256k1_ecdsa_recoverable_signature *")
    if not lib.secp256k1_ecdsa_recoverable_signature_parse_compact(_CTX, parsed, signature[1:], recid):
        return None
    recovered = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ecdsa_recover(_CTX, recovered, parsed, message_hash):
        return None
    output = ffi.new("unsigned char[65]")
    length = ffi.new("size_t *", 65)
    flags = lib.SECP256K1_EC_COMPRESSED if compressed else lib.SECP256K1_EC_UNCOMPRESSED
    lib.secp256k1_ec_pubkey_serialize(_CTX, output, length, recovered, flags)
    return bytes(ffi.buffer(output, length[0]))


def signed_message_hash(message: bytes) -> bytes:
    """The hash signmessage/verifymessage and fluxnode signatures use."""
    return sha256d(
        compact_size_bytes(len(MESSAGE_MAGIC)) + MESSAGE_MAGIC + compact_size_bytes(len(message)) + message
    )


def sign_message(secret: bytes, message: bytes, compressed: bool = True) -> bytes:
    """signmessage: the 65-byte compact signature (base64 at the RPC edge)."""
    return sign_compact(secret, signed_message_hash(message), compressed)


def message_signer_key(signature: bytes, message: bytes) -> bytes | None:
    """verifymessage: the key that signed ``message`` (compare its hash160 with the address)."""
    return recover_compact(signed_message_hash(message), signature)
