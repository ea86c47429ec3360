"""The C++ wallet's CPrivKey: an OpenSSL-style DER EC private key (src/key.cpp ec_privkey_import_der).

The C++ node writes SEC 1 ``ECPrivateKey`` with the secp256k1 parameters
spelled out: 279 bytes for an uncompressed key, 214 for a compressed one.
Reading takes only the 32-byte secret and, like C++, is lenient about the
rest:

* the outer SEQUENCE length must use the long form with 1 or 2 length bytes
  and fit in the data, but need not match it exactly;
* then INTEGER 1 (02 01 01) and an OCTET STRING of at most 32 bytes, padded
  on the left with zeros to 32;
* anything after the octet string is ignored.

The compression flag is not in the DER: C++ takes it from the stored public
key (CKey::Load), and so does :func:`key_from_cxx_privkey`, which then checks
that the secret gives back exactly that public key.
"""

from __future__ import annotations

from fluxd.core.keys import PrivateKey, is_compressed_pubkey, is_valid_secret

SEQUENCE_TAG = 0x30
VERSION_ONE = b"\x02\x01\x01"
OCTET_STRING_TAG = 0x04
SECRET_SIZE = 32
COMPRESSED_PRIVKEY_SIZE = 214
UNCOMPRESSED_PRIVKEY_SIZE = 279


class PrivKeyError(ValueError):
    """A CPrivKey that C++ would refuse (CKey::Load false), or one that does not match its public key."""


def _sequence_body_start(der: bytes) -> int:
    """The offset after the SEQUENCE header, checking its long-form length fits in ``der``."""
    if len(der) < 2 or der[0] != SEQUENCE_TAG:
        raise PrivKeyError("not a DER SEQUENCE")
    if not der[1] & 0x80:
        raise PrivKeyError("the SEQUENCE length is not in the long form")
    length_bytes = der[1] & 0x7F
    if not 1 <= length_bytes <= 2 or len(der) < 2 + length_bytes:
        raise PrivKeyError(f"the SEQUENCE length uses {length_bytes} bytes (1 or 2 expected)")
    body_length = int.from_bytes(der[2:2 + length_bytes], "big")
    start = 2 + length_bytes
    if body_length > len(der) - start:
        raise PrivKeyError(f"the SEQUENCE claims {body_length} bytes, only {len(der) - start} follow")
    return start


def secret_from_der(der: bytes) -> bytes:
    """The 32-byte secret of a CPrivKey (ec_privkey_import_der), checked to be in the curve's range."""
    pos = _sequence_body_start(der)
    if der[pos:pos + 3] != VERSION_ONE:
        raise PrivKeyError("the ECPrivateKey version is not INTEGER 1")
    pos += 3
    if len(der) < pos + 2 or der[pos] != OCTET_STRING_TAG:
        raise PrivKeyError("no OCTET STRING with the private key")
    size = der[pos + 1]
    pos += 2
    if size > SECRET_SIZE or len(der) < pos + size:
        raise PrivKeyError(f"the private key OCTET STRING is {size} bytes")
    secret = der[pos:pos + size].rjust(SECRET_SIZE, b"\x00")
    if not is_valid_secret(secret):
        raise PrivKeyError("the private key is zero or not below the curve order")
    return secret


def key_from_cxx_privkey(der: bytes, pubkey: bytes) -> PrivateKey:
    """CKey::Load: the secret of ``der`` with the compression of ``pubkey``, which it must give back."""
    key = PrivateKey(secret_from_der(der), is_compressed_pubkey(pubkey))
    if key.pubkey != pubkey:
        raise PrivKeyError("the private key does not match its public key")
    return key
