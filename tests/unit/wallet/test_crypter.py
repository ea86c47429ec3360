"""Wallet encryption primitives against Bitcoin's wallet/test/crypto_tests.cpp and OpenSSL itself.

The known vector (passphrase "test", salt 0000deadbeef0000, 25,000 rounds) and
the corner-case ciphertexts are those of the C++ test file.  Where the C++ test
compares CCrypter against direct OpenSSL calls, these tests compare crypter.py
against OpenSSL's EVP_BytesToKey / EVP cipher through ctypes (skipped when the
system libcrypto is missing).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.core.keys import PrivateKey
from fluxd.util.serialize import DecodeError
from fluxd.wallet import crypter

SALT = bytes.fromhex("0000deadbeef0000")
CORNER_CIPHERTEXTS = [
    "795643ce39d736088367822cdc50535ec6f103715e3e48f4f3b1a60a08ef59ca",
    "de096f4a8f9bd97db012aa9d90d74de8cdea779c3ee8bc7633d8b5d6da703486",
    "32d0a8974e3afd9c6c3ebf4d66aa4e6419f8c173de25947f98cf8b7ace49449c",
    "e7c055cca2faa78cb9ac22c9357a90b4778ded9b2cc220a14cea49f931e596ea",
    "b88efddd668a6801d19516d6830da4ae9811988ccbaf40df8fbb72f3f4d335fd",
    "8cae76aa6a43694e961ebcb28c8ca8f8540b84153d72865e8561ddd93fa7bfa9",
]


class OpenSsl:
    """The system libcrypto, called the way CCrypter calls it."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        for name in ("EVP_sha512", "EVP_aes_256_cbc", "EVP_CIPHER_CTX_new"):
            getattr(lib, name).restype = ctypes.c_void_p
        lib.EVP_BytesToKey.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                       ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p]
        lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
        for name in ("EVP_EncryptInit_ex", "EVP_DecryptInit_ex"):
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                           ctypes.c_char_p]
        for name in ("EVP_EncryptUpdate", "EVP_DecryptUpdate"):
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int),
                                           ctypes.c_char_p, ctypes.c_int]
        for name in ("EVP_EncryptFinal_ex", "EVP_DecryptFinal_ex"):
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]

    def bytes_to_key(self, passphrase: bytes, salt: bytes, rounds: int) -> tuple[bytes, bytes]:
        key, iv = ctypes.create_string_buffer(32), ctypes.create_string_buffer(16)
        size = self.lib.EVP_BytesToKey(self.lib.EVP_aes_256_cbc(), self.lib.EVP_sha512(), salt, passphrase,
                                       len(passphrase), rounds, key, iv)
        assert size == 32
        return key.raw, iv.raw

    def cipher(self, encrypt: bool, key: bytes, iv: bytes, data: bytes) -> bytes | None:
        prefix = "EVP_Encrypt" if encrypt else "EVP_Decrypt"
        ctx = self.lib.EVP_CIPHER_CTX_new()
        out = ctypes.create_string_buffer(len(data) + 32)
        size, final = ctypes.c_int(0), ctypes.c_int(0)
        try:
            ok = getattr(self.lib, prefix + "Init_ex")(ctx, self.lib.EVP_aes_256_cbc(), None, key, iv) == 1
            ok = ok and getattr(self.lib, prefix + "Update")(ctx, out, ctypes.byref(size), data, len(data)) == 1
            tail = ctypes.cast(ctypes.addressof(out) + size.value, ctypes.c_char_p)
            ok = ok and getattr(self.lib, prefix + "Final_ex")(ctx, tail, ctypes.byref(final)) == 1
        finally:
            self.lib.EVP_CIPHER_CTX_free(ctx)
        return out.raw[:size.value + final.value] if ok else None


@pytest.fixture(scope="module")
def openssl() -> OpenSsl:
    name = ctypes.util.find_library("crypto")
    if name is None:
        pytest.skip("the system libcrypto (OpenSSL) is not installed: no independent oracle")
    return OpenSsl(ctypes.CDLL(name))


def derived(passphrase: bytes, salt: bytes = SALT, rounds: int = 25_000) -> tuple[bytes, bytes]:
    result = crypter.key_from_passphrase(passphrase, salt, rounds)
    assert result is not None
    return result


# ----- key derivation (TestPassphrase) ---------------------------------------------------------


def test_known_passphrase_vector():
    key, iv = derived(b"test")
    assert key.hex() == "fc7aba077ad5f4c3a0988d8daa4810d0d4a0e3bcb53af662998898f33df0556a"
    assert iv.hex() == "cf2f2691526dd1aa220896fb8bf7c369"


def test_every_passphrase_suffix_matches_openssl(openssl):
    passphrase = b"test"
    for start in range(len(passphrase)):
        assert derived(passphrase[start:]) == openssl.bytes_to_key(passphrase[start:], SALT, 25_000)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=70), st.binary(min_size=8, max_size=8), st.integers(min_value=1, max_value=3000))
def test_random_passphrases_match_openssl(openssl, passphrase, salt, rounds):
    assert derived(passphrase, salt, rounds) == openssl.bytes_to_key(passphrase, salt, rounds)


def test_one_round_is_one_sha512():
    digest = hashlib.sha512(b"pw" + SALT).digest()
    assert derived(b"pw", rounds=1) == (digest[:32], digest[32:48])


@pytest.mark.parametrize(("salt", "rounds", "method"), [
    (SALT, 0, 0),  # nRounds < 1
    (SALT[:7], 25_000, 0),  # salt not WALLET_CRYPTO_SALT_SIZE
    (SALT + b"\x00", 25_000, 0),
    (SALT, 25_000, 1),  # scrypt was never implemented: i stays 0, C++ false
])
def test_derivation_refusals_like_cxx(salt, rounds, method):
    assert crypter.key_from_passphrase(b"test", salt, rounds, method) is None


# ----- AES-256-CBC (TestEncrypt / TestDecrypt) -----------------------------------------------


def test_encrypt_plaintext_and_suffixes_match_openssl(openssl):
    key, iv = derived(b"passphrase")
    plain = bytes.fromhex("22bcade09ac03ff6386914359cfe885cfeb5f77ff0d670f102f619687453b29d")
    for start in range(len(plain) + 1):
        crypted = crypter.aes_encrypt(key, iv, plain[start:])
        assert crypted == openssl.cipher(True, key, iv, plain[start:])
        assert len(crypted) == (len(plain) - start) // 16 * 16 + 16
        assert crypter.aes_decrypt(key, iv, crypted) == plain[start:]


def test_encrypt_random_hashes_round_trip(openssl):
    key, iv = derived(b"passphrase")
    for _ in range(100):
        plain = os.urandom(32)
        crypted = crypter.aes_encrypt(key, iv, plain)
        assert crypted == openssl.cipher(True, key, iv, plain)
        assert crypter.aes_decrypt(key, iv, crypted) == plain


@pytest.mark.parametrize("crypted_hex", CORNER_CIPHERTEXTS)
def test_decrypt_corner_cases_agree_with_openssl(openssl, crypted_hex):
    key, iv = derived(b"passphrase")
    crypted = bytes.fromhex(crypted_hex)
    assert crypter.aes_decrypt(key, iv, crypted) == openssl.cipher(False, key, iv, crypted)


def test_decrypt_random_blocks_agree_with_openssl(openssl):
    key, iv = derived(b"passphrase")
    for _ in range(100):
        crypted = os.urandom(32)
        assert crypter.aes_decrypt(key, iv, crypted) == openssl.cipher(False, key, iv, crypted)


@pytest.mark.parametrize("crypted", [b"", b"\x00" * 15, b"\x00" * 33])
def test_decrypt_bad_lengths_fail_cleanly(crypted):
    key, iv = derived(b"passphrase")
    assert crypter.aes_decrypt(key, iv, crypted) is None


# ----- secrets and keys (EncryptSecret / DecryptSecret / DecryptKey) ------------------------


@pytest.mark.parametrize("compressed", [True, False])
def test_secret_round_trip_and_key_check(compressed):
    master = os.urandom(32)
    key = PrivateKey.generate(compressed)
    crypted = crypter.encrypt_secret(master, key.secret, key.pubkey)
    assert len(crypted) == 48  # 32 bytes + a full padding block
    assert crypter.decrypt_secret(master, crypted, key.pubkey) == key.secret
    assert crypter.decrypt_key(master, crypted, key.pubkey) == key


def test_secret_iv_is_the_pubkey_hash_prefix():
    master, key = os.urandom(32), PrivateKey.generate()
    iv = hashlib.sha256(hashlib.sha256(key.pubkey).digest()).digest()[:16]
    assert crypter.secret_iv(key.pubkey) == iv
    assert crypter.encrypt_secret(master, key.secret, key.pubkey) == crypter.aes_encrypt(master, iv, key.secret)


def test_decrypt_key_refuses_wrong_master_other_pubkey_and_other_compression():
    master, key, other = os.urandom(32), PrivateKey.generate(True), PrivateKey.generate(True)
    crypted = crypter.encrypt_secret(master, key.secret, key.pubkey)
    assert crypter.decrypt_key(os.urandom(32), crypted, key.pubkey) is None
    assert crypter.decrypt_key(master, crypted, other.pubkey) is None  # other IV: garbage or bad padding
    uncompressed = PrivateKey(key.secret, False).pubkey
    same_iv_crypted = crypter.encrypt_secret(master, key.secret, uncompressed)
    assert crypter.decrypt_key(master, same_iv_crypted, uncompressed) == PrivateKey(key.secret, False)
    lying = crypter.aes_encrypt(master, crypter.secret_iv(other.pubkey), key.secret)
    assert crypter.decrypt_key(master, lying, other.pubkey) is None  # decrypts, but to another key


def test_decrypt_secret_refuses_a_secret_of_another_size():
    master, key = os.urandom(32), PrivateKey.generate()
    crypted = crypter.aes_encrypt(master, crypter.secret_iv(key.pubkey), key.secret + b"\x01")
    assert crypter.decrypt_secret(master, crypted, key.pubkey) is None
    assert crypter.decrypt_secret(b"\x00" * 16, crypted, key.pubkey) is None


def test_decrypt_key_refuses_an_out_of_range_secret():
    master, key = os.urandom(32), PrivateKey.generate()
    crypted = crypter.aes_encrypt(master, crypter.secret_iv(key.pubkey), b"\x00" * 32)
    assert crypter.decrypt_key(master, crypted, key.pubkey) is None


# ----- master keys (CMasterKey) --------------------------------------------------------------


def test_master_key_round_trip_and_wrong_passphrase():
    master = os.urandom(32)
    record = crypter.new_master_key("correct horse", SALT, 1000, master)
    assert (record.salt, record.derivation_method, record.derive_iterations) == (SALT, 0, 1000)
    assert crypter.decrypt_master_key(record, "correct horse") == master
    assert crypter.decrypt_master_key(record, "wrong horse") is None
    assert crypter.decrypt_master_key(crypter.MasterKey(record.crypted_key, SALT, 1, 1000), "correct horse") is None


def test_master_key_unicode_passphrase_is_utf8():
    master = os.urandom(32)
    record = crypter.new_master_key("pässwörd ✓", SALT, 10, master)
    key, iv = derived("pässwörd ✓".encode(), SALT, 10)
    assert crypter.aes_decrypt(key, iv, record.crypted_key) == master


def test_new_master_key_refuses_a_bad_salt():
    with pytest.raises(ValueError, match="salt"):
        crypter.new_master_key("pw", b"short", 1000, os.urandom(32))


def test_master_key_wire_layout():
    record = crypter.MasterKey(b"\xaa" * 48, SALT, 0, 25_000, b"")
    expected = b"\x30" + b"\xaa" * 48 + b"\x08" + SALT + b"\x00\x00\x00\x00" + (25_000).to_bytes(4, "little") + b"\x00"
    assert record.to_bytes() == expected
    assert crypter.MasterKey.from_bytes(expected) == record


@given(st.binary(max_size=300), st.binary(max_size=20), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
       st.binary(max_size=300))
def test_master_key_serialization_round_trip(crypted, salt, method, rounds, other):
    record = crypter.MasterKey(crypted, salt, method, rounds, other)
    assert crypter.MasterKey.from_bytes(record.to_bytes()) == record


def test_master_key_truncated_or_trailing_bytes_raise_decode_error():
    data = crypter.MasterKey(b"\x01" * 48, SALT).to_bytes()
    with pytest.raises(DecodeError):
        crypter.MasterKey.from_bytes(data[:-1])
    with pytest.raises(DecodeError):
        crypter.MasterKey.from_bytes(data + b"\x00")


# ----- nDeriveIterations calibration ---------------------------------------------------------


def fake_timings(monkeypatch, *millis: float) -> list[int]:
    asked: list[int] = []
    answers = iter(millis)

    def timing(passphrase, salt, rounds):
        asked.append(rounds)
        return next(answers)

    monkeypatch.setattr(crypter, "_millis_for", timing)
    return asked


def test_calibration_follows_the_cxx_formula(monkeypatch):
    asked = fake_timings(monkeypatch, 10.0, 80.0)
    # 25,000 rounds in 10 ms -> 250,000; then (250,000 + 250,000 * 100 / 80) / 2
    assert crypter.calibrate_iterations("pw", SALT) == 281_250
    assert asked == [25_000, 250_000]


def test_calibration_starts_from_the_current_rounds_on_a_passphrase_change(monkeypatch):
    asked = fake_timings(monkeypatch, 200.0, 100.0)
    assert crypter.calibrate_iterations("pw", SALT, start_rounds=400_000) == 200_000
    assert asked == [400_000, 200_000]


def test_calibration_never_goes_below_25000(monkeypatch):
    fake_timings(monkeypatch, 1000.0, 1000.0)
    assert crypter.calibrate_iterations("pw", SALT) == crypter.MIN_ROUNDS


def test_calibration_stays_a_u32(monkeypatch):
    fake_timings(monkeypatch, 0.001, 0.001)
    rounds = crypter.calibrate_iterations("pw", SALT)
    assert rounds == crypter.MAX_ROUNDS
    crypter.MasterKey(b"", SALT, 0, rounds).to_bytes()


def test_real_calibration_gives_at_least_the_minimum():
    assert crypter.calibrate_iterations("pw", SALT) >= crypter.MIN_ROUNDS
