"""Wallet RPCs over received value and accounts (C++ rpcwallet.cpp): listreceivedbyaddress,
listreceivedbyaccount, getreceivedbyaddress, getreceivedbyaccount, listaccounts, listaddressgroupings, move."""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.rpc.errors import RPC_TYPE_ERROR, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_int, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import account_from_value, amount_value, destination_param, node_wallet
from fluxd.rpc.wallet_list_params import filter_at, flag_at, int_at
from fluxd.util.hexutil import rev_to_hum
from fluxd.wallet import history
from fluxd.wallet.accounting import record_move


def _received_params(params: list) -> tuple[int, bool, int]:
    """ListReceived: minconf, includeempty, includeWatchonly."""
    return int_at(params, 0, 1), flag_at(params, 1), filter_at(params, 2)


def rpc_listreceivedbyaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 3, wallet_help("listreceivedbyaddress"))
    min_depth, include_empty, filter_ = _received_params(params)
    with wallet.lock:
        rows = history.received_by_address(wallet, min_depth, include_empty, filter_)
    result = []
    for row in rows:
        entry = {"involvesWatchonly": True} if row.watch_only else {}
        entry.update(address=row.address, account=row.account, amount=amount_to_decimal(row.amount))
        entry.update(confirmations=row.confirmations, txids=[rev_to_hum(txid) for txid in row.txids])
        result.append(entry)
    return result


def rpc_listreceivedbyaccount(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 3, wallet_help("listreceivedbyaccount"))
    min_depth, include_empty, filter_ = _received_params(params)
    with wallet.lock:
        rows = history.received_by_account(wallet, min_depth, include_empty, filter_)
    result = []
    for row in rows:
        entry = {"involvesWatchonly": True} if row.watch_only else {}
        entry.update(account=row.account, amount=amount_to_decimal(row.amount), confirmations=row.confirmations)
        result.append(entry)
    return result


def rpc_getreceivedbyaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 2, wallet_help("getreceivedbyaddress"))
    script = destination_param(node, params[0]).script_pubkey()
    with wallet.lock:
        if not wallet.is_mine(script):
            return amount_to_decimal(0)
        min_depth = int_at(params, 1, 1)
        return amount_to_decimal(history.received_by_script(wallet, script, min_depth))


def rpc_getreceivedbyaccount(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 2, wallet_help("getreceivedbyaccount"))
    min_depth = int_at(params, 1, 1)
    account = account_from_value(params[0])
    with wallet.lock:
        return amount_to_decimal(history.received_by_account_total(wallet, account, min_depth))


def rpc_listaccounts(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 2, wallet_help("listaccounts"))
    min_depth, filter_ = int_at(params, 0, 1), filter_at(params, 1)
    with wallet.lock:
        totals = history.account_balances(wallet, min_depth, filter_)
    return {name: amount_to_decimal(value) for name, value in totals.items()}


def rpc_listaddressgroupings(node, params):
    wallet = node_wallet(node)  # C++ checks no parameter count here
    with wallet.lock:
        found = history.address_balances(wallet)
        result = []
        for group in history.address_groupings(wallet):
            rows = []
            for destination in group:
                row = [wallet.address_of(destination), amount_to_decimal(found.get(destination, 0))]
                label = history.label_of(wallet, destination)
                rows.append(row if label is None else row + [label])
            result.append(rows)
    return result


def rpc_move(node, params):
    wallet = node_wallet(node)
    check_count(params, 3, 5, wallet_help("move"))
    from_account = account_from_value(params[0])
    to_account = account_from_value(params[1])
    amount = amount_value(params[2])
    if amount <= 0:
        raise RPCError(RPC_TYPE_ERROR, "Invalid amount for send")
    if len(params) > 3:
        get_int(params[3])  # the old minconf: unused, still type-checked
    comment = get_str(params[4]) if len(params) > 4 else ""
    record_move(wallet, from_account, to_account, amount, comment)
    return True


METHODS = {
    "listreceivedbyaddress": rpc_listreceivedbyaddress,
    "listreceivedbyaccount": rpc_listreceivedbyaccount,
    "getreceivedbyaddress": rpc_getreceivedbyaddress,
    "getreceivedbyaccount": rpc_getreceivedbyaccount,
    "listaccounts": rpc_listaccounts,
    "listaddressgroupings": rpc_listaddressgroupings,
    "move": rpc_move,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
