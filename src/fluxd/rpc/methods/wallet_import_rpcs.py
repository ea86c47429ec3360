"""Importing keys and scripts, and rescanning (C++ rpcdump.cpp): importprivkey, importaddress, rescanblockchain.

Each holds the wallet lock for the whole call, rescan included, as C++ holds
cs_wallet; a rescan reads the active chain as it was when the scan began.
"""

from __future__ import annotations

import logging

from fluxd.core.address import AddressError, decode_destination
from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPC_WALLET_ERROR, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_bool, get_int, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import ensure_unlocked, node_wallet, wallet_errors
from fluxd.util.hexutil import is_hex
from fluxd.wallet.ismine import ISMINE_SPENDABLE
from fluxd.wallet.rescan import rescan_from

log = logging.getLogger("fluxd.wallet")
IMPORTED_KEY_TIME = 1  # C++ importprivkey: nCreateTime = 1 (0 would mean "no value")


def _optional_label(params: list, position: int) -> str:
    return get_str(params[position]) if len(params) > position else ""


def _optional_rescan(params: list, position: int) -> bool:
    return get_bool(params[position]) if len(params) > position else True


def rescan_whole_chain(node, wallet, start_height: int = 0) -> int:
    """ScanForWalletTransactions(chainActive[start_height], fUpdate) after nTimeFirstKey = 1."""
    wallet.keys.whole_chain = True
    chainstate = node.chainstate
    return rescan_from(wallet, chainstate, chainstate.view().at(start_height))


def rpc_importprivkey(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 3, wallet_help("importprivkey"))
    with wallet.lock:
        ensure_unlocked(wallet)
        secret = get_str(params[0])
        label = _optional_label(params, 1)
        rescan = _optional_rescan(params, 2)
        try:
            key = decode_wif(secret, node.params.base58)
        except InvalidKeyError:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key encoding") from None
        address = wallet.address_of_key(key.pubkey)
        wallet.set_address_book(address, label, "receive")
        if wallet.have_key(key.key_id):
            return address  # no error when the key is already there
        with wallet_errors():
            wallet.add_key(key, IMPORTED_KEY_TIME)
        wallet.keys.whole_chain = True
        if rescan:
            rescan_whole_chain(node, wallet)
    return address


def _script_param(node, text: str):
    """An address's scriptPubKey (with its destination), else the hex script itself."""
    try:
        destination = decode_destination(text, node.params.base58)
        return destination.script_pubkey(), destination
    except AddressError:
        pass
    if is_hex(text):
        return bytes.fromhex(text), None
    raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Flux address or script")


def rpc_importaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 3, wallet_help("importaddress"))
    with wallet.lock:
        script, destination = _script_param(node, get_str(params[0]))
        label = _optional_label(params, 1)
        rescan = _optional_rescan(params, 2)
        if wallet.is_mine(script) == ISMINE_SPENDABLE:
            raise RPCError(RPC_WALLET_ERROR, "The wallet already contains the private key for this address or script")
        if destination is not None:
            wallet.set_address_book(wallet.address_of(destination), label, "receive")
        if wallet.keys.have_watch_only(script):
            return None  # no error when it is already watched
        wallet.add_watch_only(script)
        wallet.keys.whole_chain = True  # no birthday information for watch-only scripts
        if rescan:
            rescan_whole_chain(node, wallet)
            _reaccept(node)
    return None


def _reaccept(node) -> None:
    """ReacceptWalletTransactions after the rescan."""
    service = getattr(node, "wallet_service", None)
    if service is not None:
        service._reaccept()


def rpc_rescanblockchain(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 1, wallet_help("rescanblockchain"))
    with wallet.lock:
        ensure_unlocked(wallet)
        start_height = get_int(params[0]) if params else 0
        if start_height < 0 or start_height > node.chainstate.view().height:
            raise RPCError(RPC_INVALID_PARAMETER, "Block height out of range")
        rescan_whole_chain(node, wallet, start_height)
    return "Rescan Completed"


METHODS = {
    "importprivkey": rpc_importprivkey,
    "importaddress": rpc_importaddress,
    "rescanblockchain": rpc_rescanblockchain,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
