"""Importing a C++ fluxd wallet.dat into this wallet: keys (decrypted with the old passphrase), labels,
redeem scripts and watch-only scripts.  The C++ file is only read (``read_cxx_wallet``); its
transactions are not copied, a rescan from the oldest key's time finds them on the chain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fluxd.core.address import is_valid_address
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, is_compressed_pubkey
from fluxd.wallet.cxx_wallet_records import CxxWallet, read_cxx_wallet
from fluxd.wallet.wallet import Wallet, WalletError

log = logging.getLogger("fluxd.wallet")
UNKNOWN_KEY_TIME = 1  # a key without metadata may be as old as the chain (C++ nCreateTime 1)


@dataclass(frozen=True)
class ImportSummary:
    keys: int  # new private keys
    known_keys: int  # keys the wallet already had
    scripts: int
    watch_only: int
    labels: int
    skipped: dict  # record types not imported (shielded keys, HD seed, ...) and their counts

    def text(self) -> str:
        skipped = ", ".join(f"{name} {count}" for name, count in sorted(self.skipped.items())) or "none"
        return (
            f"{self.keys} keys imported ({self.known_keys} already in the wallet), {self.scripts} scripts,"
            f" {self.watch_only} watch-only scripts, {self.labels} labels; not imported: {skipped}"
        )


def import_wallet_dat(wallet: Wallet, path: Path, passphrase: str | None = None) -> ImportSummary:
    """Read the C++ file (WalletFileError / DecryptionError on a bad file or passphrase), then import it."""
    cxx = read_cxx_wallet(path, passphrase)
    summary = apply_cxx_wallet(wallet, cxx)
    log.info("Imported %s: %s", path, summary.text())
    return summary


def apply_cxx_wallet(wallet: Wallet, cxx: CxxWallet) -> ImportSummary:
    """All of it in one wallet-file transaction: an error leaves the wallet as it was."""
    with wallet.lock:
        if wallet.keys.locked:
            raise WalletError(-13, "Error: Please enter the wallet passphrase with walletpassphrase first.")
        with wallet.file.transaction():
            new, known = _import_keys(wallet, cxx)
            scripts = [script for script in cxx.scripts.values() if wallet.keys.get_script(hash160(script)) is None]
            for script in scripts:
                wallet.add_script(script)
            watch = [script for script in cxx.watch_only if not wallet.keys.have_watch_only(script)]
            for script in watch:
                wallet.add_watch_only(script)
            labels = {address: label for address, label in cxx.labels.items() if is_valid_address(address, wallet.prefixes)}
            for address, label in labels.items():
                wallet.set_address_book(address, label, cxx.purposes.get(address, "receive"))
    return ImportSummary(new, known, len(scripts), len(watch), len(labels), dict(cxx.skipped))


def _import_keys(wallet: Wallet, cxx: CxxWallet) -> tuple[int, int]:
    new = known = 0
    for key_id, cxx_key in cxx.keys.items():
        if wallet.have_key(key_id):
            known += 1
            continue
        if cxx_key.secret is None:
            continue  # a crypted key the reader could not decrypt has raised already; nothing else lacks one
        key = PrivateKey(cxx_key.secret, is_compressed_pubkey(cxx_key.pubkey))
        wallet.add_key(key, cxx_key.created or UNKNOWN_KEY_TIME)
        new += 1
    return new, known
