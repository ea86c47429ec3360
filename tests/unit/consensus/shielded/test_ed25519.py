"""joinSplitSig's Ed25519 as libsodium 1.0.15 crypto_sign_verify_detached (crypto_sign/ed25519/ref10/open.c):
libsodium's own signatures verify; S >= L, a blacklisted R and the all-zero key are refused; a small-order
or non-canonical key is not (1.0.15 does not check it; a current libsodium does, so PyNaCl differs)."""

from __future__ import annotations

import os

import nacl.bindings
import nacl.exceptions
import nacl.signing
import pytest

from fluxd.consensus.shielded import ed25519

IDENTITY_CANONICAL = bytes([1]) + bytes(31)
IDENTITY_AS_P_PLUS_1 = (ed25519.P + 1).to_bytes(32, "little")  # y = p + 1 ≡ 1: read without a canonical check


def _pynacl_accepts(signature: bytes, message: bytes, key: bytes) -> bool:
    try:
        nacl.bindings.crypto_sign_open(signature + message, key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError):
        return False
    return True


def _forged_for_identity_key(key: bytes, s: int) -> bytes:
    """With A the identity, [S]B - [k]A = [S]B for any k: R = encode([S]B) verifies under the 1.0.15 rules."""
    return ed25519._encode(ed25519._multiply_base(s)) + s.to_bytes(32, "little")


def test_libsodium_signatures_verify_and_any_change_fails():
    for size in range(0, 80, 7):
        signer = nacl.signing.SigningKey.generate()
        message = os.urandom(size)
        signature, key = signer.sign(message).signature, bytes(signer.verify_key)
        assert ed25519.verify(signature, message, key)
        assert not ed25519.verify(signature, message + b"x", key)
        assert not ed25519.verify(signature[:40] + bytes([signature[40] ^ 1]) + signature[41:], message, key)


def test_a_non_canonical_s_is_refused():
    signer = nacl.signing.SigningKey.generate()
    signature, key = signer.sign(b"m").signature, bytes(signer.verify_key)
    s = int.from_bytes(signature[32:], "little") + ed25519.L
    assert s < 2**256 and not ed25519.verify(signature[:32] + s.to_bytes(32, "little"), b"m", key)


@pytest.mark.parametrize("r", sorted(ed25519._SMALL_ORDER_R))
def test_every_blacklisted_r_is_refused(r):
    assert not ed25519.verify(r + bytes(32), b"m", IDENTITY_CANONICAL)


def test_the_identity_key_is_accepted_as_1_0_15_does_canonical_or_not():
    for key in (IDENTITY_CANONICAL, IDENTITY_AS_P_PLUS_1):
        signature = _forged_for_identity_key(key, 12345)
        assert ed25519.verify(signature, b"anything", key)
        assert not _pynacl_accepts(signature, b"anything", key)  # a current libsodium refuses small-order keys


def test_the_all_zero_key_and_keys_off_the_curve_are_refused():
    assert not ed25519.verify(_forged_for_identity_key(bytes(32), 7), b"m", bytes(32))
    off_curve = (2).to_bytes(32, "little")  # y = 2: (y² - 1)/(d·y² + 1) is not a square
    assert ed25519._decode(off_curve) is None and not ed25519.verify(bytes(64), b"m", off_curve)
    assert not ed25519.verify(b"\x00" * 63, b"m", IDENTITY_CANONICAL)
