"""The C++ wallet's encryption primitives (src/wallet/crypter.cpp CCrypter, crypter.h CMasterKey).

A passphrase becomes an AES-256 key and IV by OpenSSL's EVP_BytesToKey with
SHA-512 over (passphrase ‖ salt), hashed ``rounds`` times (derivation method
0).  Secrets are AES-256-CBC with PKCS#7 padding: the master key under the
passphrase key, each private key under the master key with the first 16 bytes
of the public key's double SHA-256 as IV.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from fluxd.core.hashes import sha256d
from fluxd.util.serialize import Reader, Writer

KEY_SIZE = 32
IV_SIZE = 16
MIN_ROUNDS = 25_000
CALIBRATION_TARGET_MS = 100  # C++: about a tenth of a second to derive the key


@dataclass(frozen=True, slots=True)
class MasterKey:
    """CMasterKey: the master key crypted under a passphrase, with its salt and rounds."""

    crypted_key: bytes
    salt: bytes
    derivation_method: int = 0
    derive_iterations: int = MIN_ROUNDS
    other_parameters: bytes = b""

    def to_bytes(self) -> bytes:
        writer = Writer()
        writer.var_bytes(self.crypted_key)
        writer.var_bytes(self.salt)
        writer.u32(self.derivation_method)
        writer.u32(self.derive_iterations)
        writer.var_bytes(self.other_parameters)
        return writer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "MasterKey":
        reader = Reader(data)
        key = cls(reader.var_bytes(), reader.var_bytes(), reader.u32(), reader.u32(), reader.var_bytes())
        reader.expect_end("master key")
        return key


def key_from_passphrase(passphrase: bytes, salt: bytes, rounds: int, method: int = 0) -> tuple[bytes, bytes] | None:
    """CCrypter::SetKeyFromPassphrase: (key, iv); None for rounds < 1 or an unknown method (C++ false)."""
    if rounds < 1 or method != 0:
        return None
    digest = hashlib.sha512(passphrase + salt).digest()
    for _ in range(rounds - 1):
        digest = hashlib.sha512(digest).digest()
    return digest[:KEY_SIZE], digest[KEY_SIZE:KEY_SIZE + IV_SIZE]


def aes_encrypt(key: bytes, iv: bytes, plain: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_decrypt(key: bytes, iv: bytes, crypted: bytes) -> bytes | None:
    """CCrypter::Decrypt: None when the length or the padding is wrong (a wrong key, mostly)."""
    if not crypted or len(crypted) % 16:
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    data = decryptor.update(crypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(data) + unpadder.finalize()
    except ValueError:
        return None


def _secret_iv(pubkey: bytes) -> bytes:
    return sha256d(pubkey)[:IV_SIZE]


def encrypt_secret(master_key: bytes, secret: bytes, pubkey: bytes) -> bytes:
    """EncryptSecret: a private key under the master key (IV from the public key)."""
    return aes_encrypt(master_key, _secret_iv(pubkey), secret)


def decrypt_secret(master_key: bytes, crypted: bytes, pubkey: bytes) -> bytes | None:
    secret = aes_decrypt(master_key, _secret_iv(pubkey), crypted)
    return secret if secret is not None and len(secret) == 32 else None


def new_master_key(passphrase: str, salt: bytes, rounds: int, master_key: bytes) -> MasterKey:
    key, iv = key_from_passphrase(passphrase.encode(), salt, rounds)
    return MasterKey(aes_encrypt(key, iv, master_key), salt, 0, rounds)


def decrypt_master_key(record: MasterKey, passphrase: str) -> bytes | None:
    derived = key_from_passphrase(passphrase.encode(), record.salt, record.derive_iterations, record.derivation_method)
    if derived is None:
        return None
    master = aes_decrypt(*derived, record.crypted_key)
    return master if master is not None and len(master) == KEY_SIZE else None


def _millis_for(passphrase: bytes, salt: bytes, rounds: int) -> float:
    start = time.perf_counter()
    key_from_passphrase(passphrase, salt, rounds)
    return max(0.001, (time.perf_counter() - start) * 1000)


def calibrate_iterations(passphrase: str, salt: bytes, start_rounds: int = MIN_ROUNDS) -> int:
    """C++ EncryptWallet / ChangeWalletPassphrase: rounds for ~0.1 s, measured twice, never below 25,000."""
    data = passphrase.encode()
    rounds = int(start_rounds * (CALIBRATION_TARGET_MS / _millis_for(data, salt, start_rounds)))
    rounds = int((rounds + rounds * CALIBRATION_TARGET_MS / _millis_for(data, salt, max(1, rounds))) / 2)
    return max(MIN_ROUNDS, rounds)

