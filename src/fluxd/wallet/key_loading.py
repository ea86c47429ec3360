"""Keys between the wallet file and memory: loading, and the row a new key is written as."""

from __future__ import annotations

from fluxd.core.keys import PrivateKey, is_compressed_pubkey
from fluxd.wallet import encryption
from fluxd.wallet.wallet_file import KeyRow


def load_keys(wallet) -> None:
    keys = wallet.keys
    keys.encrypted = encryption.has_master_key(wallet.file)
    for row in wallet.file.keys():
        keys.pubkeys[row.key_id] = row.pubkey
        keys.created[row.key_id] = row.created
        if row.secret is not None:
            keys.secrets[row.key_id] = PrivateKey(row.secret, is_compressed_pubkey(row.pubkey))
        if row.crypted is not None:
            keys.crypted[row.key_id] = row.crypted
    for script_id, script in wallet.file.scripts():
        keys.scripts[script_id] = script
    for script, _created in wallet.file.watch_only():
        keys.watch_only.add(script)


def key_row(wallet, key: PrivateKey, created: int) -> KeyRow:
    pubkey = key.pubkey
    if wallet.keys.encrypted:
        crypted = encryption.encrypt_key(wallet.keys.master_key, key.secret, pubkey)
        return KeyRow(key.key_id, pubkey, None, crypted, created)
    return KeyRow(key.key_id, pubkey, key.secret, None, created)


def remember_key(wallet, row: KeyRow, key: PrivateKey) -> None:
    keys = wallet.keys
    keys.pubkeys[row.key_id] = row.pubkey
    keys.created[row.key_id] = row.created
    keys.secrets[row.key_id] = key
    if row.crypted is not None:
        keys.crypted[row.key_id] = row.crypted
