"""The wallet's keys, redeem scripts and watch-only scripts in memory (C++ CCryptoKeyStore).

Plain keys keep their secret; once the wallet is encrypted only the crypted
secret is kept and the secrets are known while it is unlocked (the master key
in memory).  The file is written by ``Wallet``; this class only answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.wallet.signing import KeyStore


@dataclass
class WalletKeys:
    pubkeys: dict[bytes, bytes] = field(default_factory=dict)  # key id -> public key
    created: dict[bytes, int] = field(default_factory=dict)  # key id -> creation time (0: unknown)
    secrets: dict[bytes, PrivateKey] = field(default_factory=dict)  # plain, or decrypted while unlocked
    crypted: dict[bytes, bytes] = field(default_factory=dict)  # key id -> crypted secret
    scripts: dict[bytes, bytes] = field(default_factory=dict)  # script id -> redeem script
    watch_only: set[bytes] = field(default_factory=set)
    encrypted: bool = False
    master_key: bytes | None = None  # the decrypted master key while unlocked
    whole_chain: bool = False  # C++ nTimeFirstKey = 1 (memory only): after importaddress / rescanblockchain

    @property
    def locked(self) -> bool:
        return self.encrypted and self.master_key is None

    def have_key(self, key_id: bytes) -> bool:
        return key_id in self.pubkeys

    def get_script(self, script_id: bytes) -> bytes | None:
        return self.scripts.get(script_id)

    def have_watch_only(self, script_pubkey: bytes) -> bool:
        return script_pubkey in self.watch_only

    def private_key(self, key_id: bytes) -> PrivateKey | None:
        return self.secrets.get(key_id)

    def add_script(self, script: bytes) -> bytes:
        script_id = hash160(script)
        self.scripts[script_id] = script
        return script_id

    def signing_store(self) -> KeyStore:
        """What the signer needs: the usable secrets and every redeem script."""
        store = KeyStore()
        store.keys.update(self.secrets)
        store.scripts.update(self.scripts)
        return store

    @property
    def first_key_time(self) -> int:
        """nTimeFirstKey: the oldest key's (or watch-only script's) creation time; 0 when any is unknown."""
        if self.whole_chain:
            return 1
        times = list(self.created.values())
        return min(times) if times else 0

    def lock(self) -> None:
        if self.encrypted:
            self.master_key = None
            self.secrets.clear()
