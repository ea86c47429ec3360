"""Wallet encryption (C++ CWallet::EncryptWallet / Unlock / ChangeWalletPassphrase over CCrypter).

A random 32-byte master key encrypts every private key (AES-256-CBC, IV from
the public key's hash); the master key itself is stored encrypted under a key
derived from the passphrase (``mkey`` records: salt, rounds).  Encrypting
writes the master key, replaces every plain secret by its crypted form and
writes a new key pool in ONE wallet-file transaction.
"""

from __future__ import annotations

import logging
import os

from fluxd.core.keys import PrivateKey, is_compressed_pubkey
from fluxd.wallet import crypter

log = logging.getLogger("fluxd.wallet")
MASTER_KEY_PREFIX = "master_key/"
MASTER_KEY_SIZE = 32
SALT_SIZE = 8


def has_master_key(file) -> bool:
    return bool(file.meta_with_prefix(MASTER_KEY_PREFIX))


def master_keys(file) -> list[crypter.MasterKey]:
    stored = file.meta_with_prefix(MASTER_KEY_PREFIX)
    return [crypter.MasterKey.from_bytes(stored[name]) for name in sorted(stored)]


def encrypt_key(master_key: bytes, secret: bytes, pubkey: bytes) -> bytes:
    return crypter.encrypt_secret(master_key, secret, pubkey)


def encrypt_wallet(wallet, passphrase: str) -> None:
    """EncryptWallet: master key, crypted keys, a new key pool; the wallet ends locked."""
    keys = wallet.keys
    master = os.urandom(MASTER_KEY_SIZE)
    salt = os.urandom(SALT_SIZE)
    rounds = crypter.calibrate_iterations(passphrase, salt)
    log.info("Encrypting Wallet with an nDeriveIterations of %d", rounds)
    record = crypter.new_master_key(passphrase, salt, rounds, master)
    crypted = {key_id: encrypt_key(master, key.secret, keys.pubkeys[key_id]) for key_id, key in keys.secrets.items()}
    with wallet.lock, wallet.file.transaction():
        wallet.file.put_meta(MASTER_KEY_PREFIX + "1", record.to_bytes())
        for row in wallet.file.keys():
            if row.key_id in crypted:
                wallet.file.put_key(row.__class__(row.key_id, row.pubkey, None, crypted[row.key_id], row.created))
        keys.crypted.update(crypted)
        keys.encrypted = True
        keys.master_key = master
        wallet.new_keypool()
    keys.lock()
    wallet.file.compact()


def unlock(wallet, passphrase: str) -> bool:
    """Unlock: the first master key the passphrase decrypts and that decrypts the keys."""
    for record in master_keys(wallet.file):
        master = crypter.decrypt_master_key(record, passphrase)
        if master is not None and _unlock_with(wallet, master):
            return True
    return False


def _unlock_with(wallet, master: bytes) -> bool:
    keys = wallet.keys
    secrets: dict[bytes, PrivateKey] = {}
    for key_id, crypted in keys.crypted.items():
        pubkey = keys.pubkeys[key_id]
        secret = crypter.decrypt_secret(master, crypted, pubkey)
        if secret is None:
            return False
        key = PrivateKey(secret, is_compressed_pubkey(pubkey))
        if key.pubkey != pubkey:
            return False
        secrets[key_id] = key
    keys.secrets.update(secrets)
    keys.master_key = master
    return True


def change_passphrase(wallet, old: str, new: str) -> bool:
    """ChangeWalletPassphrase: the master key re-encrypted under the new passphrase (new rounds)."""
    keys = wallet.keys
    was_locked = keys.locked
    keys.lock()
    stored = wallet.file.meta_with_prefix(MASTER_KEY_PREFIX)
    for name in sorted(stored):
        record = crypter.MasterKey.from_bytes(stored[name])
        master = crypter.decrypt_master_key(record, old)
        if master is None or not _unlock_with(wallet, master):
            return False
        rounds = crypter.calibrate_iterations(new, record.salt, record.derive_iterations)
        log.info("Wallet passphrase changed to an nDeriveIterations of %d", rounds)
        wallet.file.put_meta(name, crypter.new_master_key(new, record.salt, rounds, master).to_bytes())
        if was_locked:
            keys.lock()
        return True
    return False
