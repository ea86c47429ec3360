"""Wallet encryption RPCs (C++ rpcwallet.cpp): encryptwallet, walletpassphrase, walletpassphrasechange, walletlock."""

from __future__ import annotations

import threading

from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import get_int64, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import (
    RPC_WALLET_ENCRYPTION_FAILED,
    RPC_WALLET_PASSPHRASE_INCORRECT,
    RPC_WALLET_WRONG_ENC_STATE,
    node_wallet,
)
from fluxd.wallet import encryption

ENCRYPTED_TEXT = (
    "wallet encrypted; Flux server stopping, restart to run with encrypted wallet. The keypool has been flushed,"
    " you need to make a new backup."
)
_relock_lock = threading.Lock()
_relock_timers: dict[int, threading.Timer] = {}


def _encryption_enabled(node) -> bool:
    return node.args.get_bool("-experimentalfeatures", False) and node.args.get_bool("-developerencryptwallet", False)


def rpc_encryptwallet(node, params):
    wallet = node_wallet(node)
    enabled = _encryption_enabled(node)
    if not wallet.keys.encrypted and len(params) != 1:
        raise RPCError(RPC_MISC_ERROR, wallet_help("encryptwallet", encryption_enabled=enabled))
    if not enabled:
        raise RPCError(RPC_WALLET_ENCRYPTION_FAILED, "Error: wallet encryption is disabled.")
    if wallet.keys.encrypted:
        raise RPCError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an encrypted wallet, but encryptwallet was called.")
    passphrase = get_str(params[0])
    if not passphrase:
        raise RPCError(RPC_MISC_ERROR, "encryptwallet <passphrase>\nEncrypts the wallet with <passphrase>.")
    with wallet.lock:
        try:
            encryption.encrypt_wallet(wallet, passphrase)
        except Exception as exc:  # the file transaction rolled back: nothing was written
            raise RPCError(RPC_WALLET_ENCRYPTION_FAILED, "Error: Failed to encrypt the wallet.") from exc
    node.request_shutdown("encryptwallet")
    return ENCRYPTED_TEXT


def rpc_walletpassphrase(node, params):
    wallet = node_wallet(node)
    if wallet.keys.encrypted and len(params) != 2:
        raise RPCError(RPC_MISC_ERROR, wallet_help("walletpassphrase"))
    if not wallet.keys.encrypted:
        raise RPCError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletpassphrase was called.")
    passphrase = get_str(params[0])
    if not passphrase:
        raise RPCError(
            RPC_MISC_ERROR,
            "walletpassphrase <passphrase> <timeout>\nStores the wallet decryption key in memory for <timeout> seconds.",
        )
    with wallet.lock:
        if not encryption.unlock(wallet, passphrase):
            raise RPCError(RPC_WALLET_PASSPHRASE_INCORRECT, "Error: The wallet passphrase entered was incorrect.")
        wallet.top_up_keypool()
        seconds = get_int64(params[1])
        wallet.unlocked_until = node.clock.now() + seconds
        _schedule_relock(wallet, seconds)
    return None


def _schedule_relock(wallet, seconds: int) -> None:
    """RPCRunLater("lockwallet"): a newer walletpassphrase replaces the timer."""

    def relock() -> None:
        with wallet.lock:
            wallet.keys.lock()
            wallet.unlocked_until = 0

    with _relock_lock:
        old = _relock_timers.pop(id(wallet), None)
        if old is not None:
            old.cancel()
        timer = threading.Timer(max(0, seconds), relock)
        timer.daemon = True
        _relock_timers[id(wallet)] = timer
        timer.start()


def rpc_walletpassphrasechange(node, params):
    wallet = node_wallet(node)
    if wallet.keys.encrypted and len(params) != 2:
        raise RPCError(RPC_MISC_ERROR, wallet_help("walletpassphrasechange"))
    if not wallet.keys.encrypted:
        raise RPCError(
            RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletpassphrasechange was called."
        )
    old, new = get_str(params[0]), get_str(params[1])
    if not old or not new:
        raise RPCError(
            RPC_MISC_ERROR,
            "walletpassphrasechange <oldpassphrase> <newpassphrase>\n"
            "Changes the wallet passphrase from <oldpassphrase> to <newpassphrase>.",
        )
    with wallet.lock:
        if not encryption.change_passphrase(wallet, old, new):
            raise RPCError(RPC_WALLET_PASSPHRASE_INCORRECT, "Error: The wallet passphrase entered was incorrect.")
    return None


def rpc_walletlock(node, params):
    wallet = node_wallet(node)
    if wallet.keys.encrypted and params:
        raise RPCError(RPC_MISC_ERROR, wallet_help("walletlock"))
    if not wallet.keys.encrypted:
        raise RPCError(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, but walletlock was called.")
    with wallet.lock:
        wallet.keys.lock()
        wallet.unlocked_until = 0
    return None


METHODS = {
    "encryptwallet": rpc_encryptwallet,
    "walletpassphrase": rpc_walletpassphrase,
    "walletpassphrasechange": rpc_walletpassphrasechange,
    "walletlock": rpc_walletlock,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
