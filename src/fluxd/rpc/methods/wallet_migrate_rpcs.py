"""importwalletdat (ours): the keys of a C++ fluxd wallet.dat imported into this node's wallet, then a rescan.

C++ fluxd has no such call (its wallet is the Berkeley DB file itself); operators moving from it to this
node give their old wallet.dat here, or at start with -importwallet-dat=<path> for an unencrypted one.
"""

from __future__ import annotations

from pathlib import Path

from fluxd.rpc.errors import RPC_INVALID_PARAMETER, RPC_WALLET_ERROR, RPCError
from fluxd.rpc.methods.wallet_import_rpcs import rescan_whole_chain
from fluxd.rpc.params import check_count, get_bool, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import RPC_WALLET_PASSPHRASE_INCORRECT, ensure_unlocked, node_wallet, wallet_errors
from fluxd.wallet.cxx_import import import_wallet_dat
from fluxd.wallet.cxx_wallet_records import DecryptionError
from fluxd.wallet.wallet_file import WalletFileError

IMPORTWALLETDAT_HELP = """importwalletdat "filename" ( "passphrase" rescan )

Imports the keys of a C++ fluxd wallet.dat (Berkeley DB) into this wallet: private keys (an encrypted
file is decrypted with its passphrase), labels, redeem scripts and watch-only scripts. The file is only
read, never written. Shielded keys and the HD seed are not imported (the result counts them).
Not in the C++ node.

Arguments:
1. "filename"    (string, required) The C++ wallet file (a path on the node's machine)
2. "passphrase"  (string, optional) The passphrase of an encrypted C++ wallet
3. rescan        (boolean, optional, default=true) Rescan the block chain for the imported keys' transactions

Result:
{
  "keys": n,              (numeric) Private keys added
  "known": n,             (numeric) Keys the wallet already had
  "scripts": n,           (numeric) Redeem scripts added
  "watchonly": n,         (numeric) Watch-only scripts added
  "labels": n,            (numeric) Address labels set
  "skipped": {...}        (object) Record types not imported, with their counts
}

Examples:
> flux-cli importwalletdat "/home/flux/.flux/wallet.dat"
> flux-cli importwalletdat "/home/flux/.flux/wallet.dat" "my old passphrase"
"""


def rpc_importwalletdat(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 3, IMPORTWALLETDAT_HELP)
    path = Path(get_str(params[0]))
    passphrase = get_str(params[1]) if len(params) > 1 and params[1] is not None else None
    rescan = get_bool(params[2]) if len(params) > 2 else True
    if not path.is_file():
        raise RPCError(RPC_INVALID_PARAMETER, f"Cannot open wallet file {path}")
    with wallet.lock:
        ensure_unlocked(wallet)
        try:
            with wallet_errors():
                summary = import_wallet_dat(wallet, path, passphrase)
        except DecryptionError as exc:
            raise RPCError(RPC_WALLET_PASSPHRASE_INCORRECT, str(exc)) from None
        except WalletFileError as exc:
            raise RPCError(RPC_WALLET_ERROR, str(exc)) from None
        if rescan and summary.keys + summary.scripts + summary.watch_only:
            rescan_whole_chain(node, wallet)
    return {
        "keys": summary.keys, "known": summary.known_keys, "scripts": summary.scripts,
        "watchonly": summary.watch_only, "labels": summary.labels, "skipped": summary.skipped,
    }


def register(table: RPCTable) -> None:
    table.register("importwalletdat", "wallet", rpc_importwalletdat, IMPORTWALLETDAT_HELP)
