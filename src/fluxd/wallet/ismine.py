"""Which scripts the wallet owns (C++ wallet_ismine.cpp IsMine) and the destination of an output.

``ISMINE_SPENDABLE``: the wallet holds the keys (P2PK, P2PKH, bare multisig with
every key, P2SH whose redeem script is known and itself spendable).
``ISMINE_WATCH_ONLY``: the exact scriptPubKey was imported with importaddress.
"""

from __future__ import annotations

from typing import Protocol

from fluxd.core.address import Destination, destination_from_script
from fluxd.core.hashes import hash160
from fluxd.core.script import is_p2pkh
from fluxd.core.standard import TX_MULTISIG, TX_PUBKEY, TX_PUBKEYHASH, TX_SCRIPTHASH, solver

ISMINE_NO = 0
ISMINE_WATCH_ONLY = 1
ISMINE_SPENDABLE = 2
ISMINE_ALL = ISMINE_WATCH_ONLY | ISMINE_SPENDABLE


class OwnedScripts(Protocol):
    def have_key(self, key_id: bytes) -> bool: ...

    def get_script(self, script_id: bytes) -> bytes | None: ...

    def have_watch_only(self, script_pubkey: bytes) -> bool: ...


def is_mine(store: OwnedScripts, script_pubkey: bytes) -> int:
    if is_p2pkh(script_pubkey):  # the common case, without the solver (same answer)
        if store.have_key(script_pubkey[3:23]):
            return ISMINE_SPENDABLE
        return ISMINE_WATCH_ONLY if store.have_watch_only(script_pubkey) else ISMINE_NO
    kind, solutions = solver(script_pubkey)
    if _spendable(store, kind, solutions):
        return ISMINE_SPENDABLE
    return ISMINE_WATCH_ONLY if store.have_watch_only(script_pubkey) else ISMINE_NO


def _spendable(store: OwnedScripts, kind: str, solutions: list[bytes]) -> bool:
    if kind == TX_PUBKEY:
        return store.have_key(hash160(solutions[0]))
    if kind == TX_PUBKEYHASH:
        return store.have_key(solutions[0])
    if kind == TX_SCRIPTHASH:
        redeem = store.get_script(solutions[0])
        return redeem is not None and is_mine(store, redeem) == ISMINE_SPENDABLE
    if kind == TX_MULTISIG:
        keys = solutions[1:-1]
        return all(store.have_key(hash160(key)) for key in keys)
    return False


def extract_destination(script_pubkey: bytes) -> Destination | None:
    """C++ ExtractDestination: P2PKH, P2SH, and a P2PK output's key id."""
    destination = destination_from_script(script_pubkey)
    if destination is not None:
        return destination
    kind, solutions = solver(script_pubkey)
    if kind == TX_PUBKEY:
        return Destination("pubkeyhash", hash160(solutions[0]))
    return None
