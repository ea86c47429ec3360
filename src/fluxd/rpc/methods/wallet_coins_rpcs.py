"""Wallet coin RPCs (C++ rpcwallet.cpp): listunspent, lockunspent, listlockunspent."""

from __future__ import annotations

from fluxd.core.address import AddressError, decode_destination
from fluxd.core.amount import amount_to_decimal
from fluxd.core.script import is_p2sh
from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_bool, get_int, get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import node_wallet
from fluxd.rpc.wallet_list_params import int_at, type_check, type_check_obj
from fluxd.util.hexutil import is_hex, rev_to_hum
from fluxd.wallet import history
from fluxd.wallet.ismine import extract_destination

MAX_DEPTH_DEFAULT = 9_999_999


def _destinations(node, values) -> set:
    found = set()
    for value in values:
        text = get_str(value)
        try:
            destination = decode_destination(text, node.params.base58)
        except AddressError:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, f"Invalid Flux address: {text}") from None
        if destination in found:
            raise RPCError(RPC_INVALID_PARAMETER, f"Invalid parameter, duplicated address: {text}")
        found.add(destination)
    return found


def rpc_listunspent(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 3, wallet_help("listunspent"))
    type_check(params, ["number", "number", "array"])
    min_depth, max_depth = int_at(params, 0, 1), int_at(params, 1, MAX_DEPTH_DEFAULT)
    destinations = _destinations(node, params[2]) if len(params) > 2 else set()
    with wallet.lock:
        return [_unspent_entry(wallet, coin) for coin in history.unspent_coins(wallet, min_depth, max_depth, destinations)]


def _unspent_entry(wallet, coin) -> dict:
    script = coin.script_pubkey
    entry = {"txid": coin.wtx.txid_hum, "vout": coin.index, "generated": coin.wtx.is_coinbase}
    destination = extract_destination(script)
    if destination is not None:
        entry["address"] = wallet.address_of(destination)
        label = history.label_of(wallet, destination)
        if label is not None:
            entry["account"] = label
        if is_p2sh(script):
            redeem = wallet.keys.get_script(destination.hash160)
            if redeem is not None:
                entry["redeemScript"] = redeem.hex()
    entry["scriptPubKey"] = script.hex()
    entry["amount"] = amount_to_decimal(coin.value)
    entry["confirmations"] = coin.depth
    entry["spendable"] = coin.spendable
    return entry


def rpc_lockunspent(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 2, wallet_help("lockunspent"))
    type_check(params, ["bool"] if len(params) == 1 else ["bool", "array"])
    unlock = get_bool(params[0])
    if len(params) == 1:
        if unlock:
            history.unlock_all_coins(wallet)
        return True
    for output in params[1]:
        outpoint = _locked_output(output)
        if unlock:
            history.unlock_coin(wallet, outpoint)
        else:
            history.lock_coin(wallet, outpoint)
    return True


def _locked_output(output) -> OutPoint:
    if not isinstance(output, dict):
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expected object")
    type_check_obj(output, {"txid": "string", "vout": "number"})
    txid = output["txid"]
    if not is_hex(txid):
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expected hex txid")
    index = get_int(output["vout"])
    if index < 0:
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, vout must be positive")
    return OutPoint(uint256_from_text(txid), index)


def rpc_listlockunspent(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 0, wallet_help("listlockunspent"))
    return [{"txid": rev_to_hum(outpoint.txid_rev), "vout": outpoint.n} for outpoint in history.locked_coins(wallet)]


METHODS = {
    "listunspent": rpc_listunspent,
    "lockunspent": rpc_lockunspent,
    "listlockunspent": rpc_listlockunspent,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
