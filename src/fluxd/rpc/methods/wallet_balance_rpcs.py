"""Wallet balance RPCs (C++ rpcwallet.cpp): getbalance, getunconfirmedbalance, getwalletinfo."""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import account_from_value, min_depth_param, node_wallet, watch_filter
from fluxd.wallet import balances
from fluxd.wallet.chain_access import blocks_to_maturity, is_final
from fluxd.wallet.wallet import WALLET_VERSION



def rpc_getbalance(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 3, wallet_help("getbalance"))
    if not params:
        return amount_to_decimal(balances.balance(wallet))
    min_depth = min_depth_param(params, 1)
    filter_ = watch_filter(params, 2)
    if get_str(params[0]) == "*":
        return amount_to_decimal(total_by_history(wallet, min_depth, filter_))
    account = account_from_value(params[0])
    return amount_to_decimal(account_balance(wallet, account, min_depth, filter_))


def total_by_history(wallet, min_depth: int, filter_: int) -> int:
    """getbalance "*": received (at min_depth) minus sent and fees, over every final, mature, unconflicted tx."""
    total = 0
    with wallet.lock:
        for wtx in wallet.txs.values():
            depth = wallet.depth(wtx)
            if not is_final(wallet.chain, wtx.tx) or blocks_to_maturity(wallet.chain, wtx) > 0 or depth < 0:
                continue
            received, sent, fee = balances.amounts(wallet, wtx, filter_)
            if depth >= min_depth:
                total += sum(entry.amount for entry in received)
            total -= sum(entry.amount for entry in sent) + fee
    return total


def account_balance(wallet, account: str, min_depth: int, filter_: int) -> int:
    """GetAccountBalance: the account's received (at min_depth) minus its sends and fees, plus moves."""
    total = 0
    with wallet.lock:
        for wtx in wallet.txs.values():
            depth = wallet.depth(wtx)
            if not is_final(wallet.chain, wtx.tx) or blocks_to_maturity(wallet.chain, wtx) > 0 or depth < 0:
                continue
            received, sent, fee = account_amounts(wallet, wtx, account, filter_)
            if received and depth >= min_depth:
                total += received
            total -= sent + fee
    return total + wallet.account_moves(account)


def account_amounts(wallet, wtx, account: str, filter_: int) -> tuple[int, int, int]:
    """GetAccountAmounts: (received, sent, fee) of a transaction for one account."""
    received_entries, sent_entries, all_fee = balances.amounts(wallet, wtx, filter_)
    sent = fee = 0
    if account == wtx.map_value.get("fromaccount", ""):
        sent, fee = sum(entry.amount for entry in sent_entries), all_fee
    received = 0
    for entry in received_entries:
        address = wallet.address_of(entry.destination) if entry.destination is not None else None
        if address is not None and address in wallet.address_book:
            if wallet.address_book[address][0] == account:
                received += entry.amount
        elif account == "":
            received += entry.amount
    return received, sent, fee


def rpc_getunconfirmedbalance(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 0, wallet_help("getunconfirmedbalance"))
    return amount_to_decimal(balances.unconfirmed_balance(wallet))


def rpc_getwalletinfo(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 0, wallet_help("getwalletinfo"))
    with wallet.lock:
        info = {
            "walletversion": WALLET_VERSION,
            "balance": amount_to_decimal(balances.balance(wallet)),
            "unconfirmed_balance": amount_to_decimal(balances.unconfirmed_balance(wallet)),
            "immature_balance": amount_to_decimal(balances.immature_balance(wallet)),
            "txcount": len(wallet.txs),
            "keypoololdest": wallet.oldest_keypool_time(),
            "keypoolsize": len(wallet.pool),
        }
        if wallet.keys.encrypted:
            info["unlocked_until"] = wallet.unlocked_until
        info["paytxfee"] = amount_to_decimal(wallet.pay_tx_fee_per_kb)
    return info


METHODS = {
    "getbalance": rpc_getbalance,
    "getunconfirmedbalance": rpc_getunconfirmedbalance,
    "getwalletinfo": rpc_getwalletinfo,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
