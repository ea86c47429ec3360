"""The C++ wallet's encryption primitives (src/wallet/crypter.cpp CCrypter, crypter.h CMasterKey).

A passphrase becomes an AES-256 key and IV by OpenSSL's EVP_BytesToKey with
SHA-512 over (passphrase ‖ salt), hashed ``rounds`` times (derivation method
0).  Secrets are AES-256-CBC with PKCS#7 padding: the master key under the
passphrase key, each private key under the master key with the first 16 bytes
of the public key's double SHA-256 as IV.

Every decryption that fails (wrong length, wrong padding, wrong passphrase)
returns None, never raises: C++ answers ``false`` there too.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from fluxd.core.hashes import sha256d
from fluxd.core.keys import PrivateKey, is_compressed_pubkey, is_valid_secret
from fluxd.util.serialize import Reader, Writer

KEY_SIZE = 32  # WALLET_CRYPTO_KEY_SIZE
SALT_SIZE = 8  # WALLET_CRYPTO_SALT_SIZE
IV_SIZE = 16  # AES block
MIN_ROUNDS = 25_000
MAX_ROUNDS = 0xFFFFFFFF  # nDeriveIterations is an unsigned int on disk
CALIBRATION_TARGET_MS = 100  # C++: about a tenth of a second to derive the key
DERIVATION_EVP_SHA512 = 0


@dataclass(frozen=True, slots=True)
class MasterKey:
    """CMasterKey: the master key crypted under a passphrase, with its salt and rounds."""

    crypted_key: bytes
    salt: bytes
    derivation_method: int = DERIVATION_EVP_SHA512
    derive_iterations: int = MIN_ROUNDS
    other_parameters: bytes = b""

    def write(self, writer: Writer) -> None:
        """The C++ field order: vchCryptedKey, vchSalt, nDerivationMethod, nDeriveIterations, vchOther…"""
        writer.var_bytes(self.crypted_key)
        writer.var_bytes(self.salt)
        writer.u32(self.derivation_method)
        writer.u32(self.derive_iterations)
        writer.var_bytes(self.other_parameters)

    def to_bytes(self) -> bytes:
        writer = Writer()
        self.write(writer)
        return writer.getvalue()

    @classmethod
    def read(cls, reader: Reader) -> "MasterKey":
        return cls(reader.var_bytes(), reader.var_bytes(), reader.u32(), reader.u32(), reader.var_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> "MasterKey":
        """Raises DecodeError on short or trailing bytes."""
        reader = Reader(data)
        key = cls.read(reader)
        reader.expect_end("master key")
        return key


def key_from_passphrase(passphrase: bytes, salt: bytes, rounds: int, method: int = 0) -> tuple[bytes, bytes] | None:
    """CCrypter::SetKeyFromPassphrase: (key, iv); None where C++ answers false.

    That is rounds < 1, a salt that is not 8 bytes, or a derivation method other
    than 0.  SHA-512 gives 64 bytes, enough for the 32-byte key and the 16-byte
    IV from one chain, so EVP_BytesToKey is the digest hashed ``rounds`` times.
    """
    if rounds < 1 or len(salt) != SALT_SIZE or method != DERIVATION_EVP_SHA512:
        return None
    digest = hashlib.sha512(passphrase + salt).digest()
    for _ in range(rounds - 1):
        digest = hashlib.sha512(digest).digest()
    return digest[:KEY_SIZE], digest[KEY_SIZE:KEY_SIZE + IV_SIZE]


def aes_encrypt(key: bytes, iv: bytes, plain: bytes) -> bytes:
    """CCrypter::Encrypt: AES-256-CBC, PKCS#7 padding (an empty plaintext gives one block)."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_decrypt(key: bytes, iv: bytes, crypted: bytes) -> bytes | None:
    """CCrypter::Decrypt: None when the length or the padding is wrong (a wrong key, mostly)."""
    if not crypted or len(crypted) % IV_SIZE:
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    data = decryptor.update(crypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(data) + unpadder.finalize()
    except ValueError:
        return None


def secret_iv(pubkey: bytes) -> bytes:
    """The IV of a crypted key: CPubKey::GetHash (double SHA-256), first 16 bytes."""
    return sha256d(pubkey)[:IV_SIZE]


def encrypt_secret(master_key: bytes, secret: bytes, pubkey: bytes) -> bytes:
    """EncryptSecret: a private key under the master key (IV from the public key)."""
    return aes_encrypt(master_key, secret_iv(pubkey), secret)


def decrypt_secret(master_key: bytes, crypted: bytes, pubkey: bytes) -> bytes | None:
    """DecryptSecret plus DecryptKey's size check: the 32-byte secret or None."""
    if len(master_key) != KEY_SIZE:
        return None
    secret = aes_decrypt(master_key, secret_iv(pubkey), crypted)
    return secret if secret is not None and len(secret) == 32 else None


def decrypt_key(master_key: bytes, crypted: bytes, pubkey: bytes) -> PrivateKey | None:
    """DecryptKey + CKey::VerifyPubKey: the key only when it gives back ``pubkey`` (same compression)."""
    secret = decrypt_secret(master_key, crypted, pubkey)
    if secret is None or not is_valid_secret(secret):
        return None
    key = PrivateKey(secret, is_compressed_pubkey(pubkey))
    return key if key.pubkey == pubkey else None


def new_master_key(passphrase: str, salt: bytes, rounds: int, master_key: bytes) -> MasterKey:
    """The CMasterKey EncryptWallet / ChangeWalletPassphrase store (ValueError on a bad salt or rounds)."""
    derived = key_from_passphrase(passphrase.encode(), salt, rounds)
    if derived is None:
        raise ValueError(f"cannot derive a key from {len(salt)} bytes of salt and {rounds} rounds")
    return MasterKey(aes_encrypt(*derived, master_key), salt, DERIVATION_EVP_SHA512, rounds)


def decrypt_master_key(record: MasterKey, passphrase: str) -> bytes | None:
    """The 32-byte master key, or None (wrong passphrase, unknown method, bad salt)."""
    derived = key_from_passphrase(passphrase.encode(), record.salt, record.derive_iterations, record.derivation_method)
    if derived is None:
        return None
    master = aes_decrypt(*derived, record.crypted_key)
    return master if master is not None and len(master) == KEY_SIZE else None


def _millis_for(passphrase: bytes, salt: bytes, rounds: int) -> float:
    start = time.perf_counter()
    digest = hashlib.sha512(passphrase + salt).digest()  # timed like SetKeyFromPassphrase, whatever the salt size
    for _ in range(rounds - 1):
        digest = hashlib.sha512(digest).digest()
    return max(0.001, (time.perf_counter() - start) * 1000)


def _clamp_rounds(rounds: float) -> int:
    return int(min(float(MAX_ROUNDS), max(1.0, rounds)))


def calibrate_iterations(passphrase: str, salt: bytes, start_rounds: int = MIN_ROUNDS) -> int:
    """C++ EncryptWallet / ChangeWalletPassphrase: rounds for ~0.1 s, measured twice, never below 25,000.

    EncryptWallet starts from 25,000 rounds; ChangeWalletPassphrase from the
    master key's current rounds.  The first timing scales the rounds to the
    target, the second averages that guess with its own correction.
    """
    data = passphrase.encode()
    start_rounds = _clamp_rounds(start_rounds)
    rounds = _clamp_rounds(start_rounds * (CALIBRATION_TARGET_MS / _millis_for(data, salt, start_rounds)))
    second = rounds * CALIBRATION_TARGET_MS / _millis_for(data, salt, rounds)
    rounds = _clamp_rounds((rounds + second) / 2)
    return max(MIN_ROUNDS, rounds)
