"""Wallet RPCs for addresses and the key pool (C++ rpcwallet.cpp): getnewaddress, getrawchangeaddress,
keypoolrefill and the deprecated accounts calls (only the default account "" exists, as in Zcash)."""

from __future__ import annotations

from fluxd.core.address import Destination, decode_destination
from fluxd.rpc.errors import RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_int
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import (
    KEYPOOL_RAN_OUT_TEXT,
    RPC_WALLET_KEYPOOL_RAN_OUT,
    account_from_value,
    destination_param,
    ensure_unlocked,
    node_wallet,
    wallet_errors,
)
from fluxd.core.hashes import hash160
from fluxd.wallet.ismine import ISMINE_NO
from fluxd.wallet.wallet import Wallet


def rpc_getnewaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 1, wallet_help("getnewaddress"))
    account = account_from_value(params[0]) if params else ""
    with wallet_errors():
        return wallet.new_address(account, "receive")


def rpc_getrawchangeaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 1, wallet_help("getrawchangeaddress"))
    with wallet.lock:
        index, pubkey = wallet.reserve_key()
        if index == -1:
            raise RPCError(RPC_WALLET_KEYPOOL_RAN_OUT, KEYPOOL_RAN_OUT_TEXT)
        wallet.keep_key(index)
        return wallet.address_of_key(pubkey)


def account_address(wallet: Wallet, account: str, force_new: bool = False) -> str:
    """GetAccountAddress: the account's current key, replaced once it has received anything."""
    with wallet.lock:
        pubkey = wallet.file.account(account)
        used = False
        if pubkey is not None:
            script = Destination("pubkeyhash", hash160(pubkey)).script_pubkey()
            used = any(out.script_pubkey == script for wtx in wallet.txs.values() for out in wtx.tx.vout)
        if pubkey is None or force_new or used:
            pubkey = wallet.get_key_from_pool()
            if pubkey is None:
                raise RPCError(RPC_WALLET_KEYPOOL_RAN_OUT, KEYPOOL_RAN_OUT_TEXT)
            wallet.set_address_book(wallet.address_of_key(pubkey), account, "receive")
            wallet.file.put_account(account, pubkey)
        return wallet.address_of_key(pubkey)


def rpc_getaccountaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("getaccountaddress"))
    return account_address(wallet, account_from_value(params[0]))


def rpc_setaccount(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 2, wallet_help("setaccount"))
    destination = destination_param(node, params[0])
    account = account_from_value(params[1]) if len(params) > 1 else ""
    with wallet.lock:
        if wallet.is_mine(destination.script_pubkey()) == ISMINE_NO:
            raise RPCError(RPC_MISC_ERROR, "setaccount can only be used with own address")
        address = wallet.address_of(destination)
        if address in wallet.address_book:
            old = wallet.address_book[address][0]
            if address == account_address(wallet, old):
                account_address(wallet, old, force_new=True)
        wallet.set_address_book(address, account, "receive")
    return None


def rpc_getaccount(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("getaccount"))
    destination = destination_param(node, params[0])
    with wallet.lock:
        label, _purpose = wallet.address_book.get(wallet.address_of(destination), ("", ""))
    return label


def rpc_getaddressesbyaccount(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("getaddressesbyaccount"))
    account = account_from_value(params[0])
    with wallet.lock:
        return [address for address, (label, _p) in sorted(wallet.address_book.items(), key=_book_order(wallet)) if label == account]


def _book_order(wallet: Wallet):
    """C++ iterates mapAddressBook in CTxDestination order: key ids before script ids, then by hash."""
    def key(item):
        destination = decode_destination(item[0], wallet.prefixes)
        return (0 if destination.kind == "pubkeyhash" else 1, destination.hash160)

    return key


def rpc_keypoolrefill(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 1, wallet_help("keypoolrefill"))
    size = 0
    if params:
        size = get_int(params[0])
        if size < 0:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expected valid size.")
    with wallet.lock:
        ensure_unlocked(wallet)
        with wallet_errors():
            wallet.top_up_keypool(size)
        if len(wallet.pool) < size:
            raise RPCError(-4, "Error refreshing keypool.")
    return None


METHODS = {
    "getnewaddress": rpc_getnewaddress,
    "getrawchangeaddress": rpc_getrawchangeaddress,
    "getaccountaddress": rpc_getaccountaddress,
    "setaccount": rpc_setaccount,
    "getaccount": rpc_getaccount,
    "getaddressesbyaccount": rpc_getaddressesbyaccount,
    "keypoolrefill": rpc_keypoolrefill,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
