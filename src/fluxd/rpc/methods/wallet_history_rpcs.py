"""Wallet history RPCs (C++ rpcwallet.cpp): listtransactions, listsinceblock, gettransaction.

``transaction_entries`` is C++ ListTransactions, ``wallet_tx_fields`` WalletTxToJSON and
``move_entry`` AcentryToJSON; their keys come in the C++ order.
"""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPCError
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_int, get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.tx_json_full import _joinsplits as joinsplits_json
from fluxd.rpc.wallet_common import node_wallet
from fluxd.rpc.wallet_list_params import filter_at, int_at
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RepeatedKeys
from fluxd.wallet import balances, history
from fluxd.wallet.chain_access import blocks_to_maturity
from fluxd.wallet.ismine import ISMINE_WATCH_ONLY

NULL_HASH_HUM = "0" * 64


def json_object(pairs: list[tuple[str, object]]) -> dict:
    """UniValue pushKV appends: a repeated key (a mapValue named like a field) stays repeated."""
    keys = [key for key, _value in pairs]
    return dict(pairs) if len(set(keys)) == len(keys) else RepeatedKeys(pairs)


def wallet_tx_fields(wallet, wtx) -> list[tuple[str, object]]:
    """WalletTxToJSON."""
    depth = wallet.depth(wtx)
    pairs: list[tuple[str, object]] = [("confirmations", depth)]
    if wtx.is_coinbase:
        pairs.append(("generated", True))
    if depth > 0:
        block_time = wallet.chain.block_time(wtx.block_hash_rev)
        pairs += [
            ("blockhash", rev_to_hum(wtx.block_hash_rev)),
            ("blockindex", wtx.block_index),
            ("blocktime", block_time if block_time is not None else 0),
            ("expiryheight", wtx.tx.expiry_height),
        ]
    pairs += [
        ("txid", wtx.txid_hum),
        ("walletconflicts", [rev_to_hum(txid_rev) for txid_rev in history.sorted_conflicts(wallet, wtx)]),
        ("time", wtx.tx_time),
        ("timereceived", wtx.time_received),
    ]
    pairs += history.shown_map_value(wtx)
    pairs.append(("vJoinSplit", joinsplits_json(wtx.tx)))
    return pairs


def _address_pairs(wallet, destination) -> list[tuple[str, object]]:
    """MaybePushAddress."""
    return [] if destination is None else [("address", wallet.address_of(destination))]


def _entry_head(wallet, watch_only: bool, destination, account: str) -> list[tuple[str, object]]:
    watch = watch_only or bool(history.is_mine_destination(wallet, destination) & ISMINE_WATCH_ONLY)
    return ([("involvesWatchonly", True)] if watch else []) + [("account", account)] + _address_pairs(wallet, destination)


def _receive_category(wallet, wtx) -> str:
    if not wtx.is_coinbase:
        return "receive"
    if wallet.depth(wtx) < 1:
        return "orphan"
    return "immature" if blocks_to_maturity(wallet.chain, wtx) > 0 else "generate"


def transaction_entries(wallet, wtx, account: str, min_depth: int, long: bool, filter_: int) -> list[dict]:
    """ListTransactions: the sent entries, then the received ones."""
    received, sent, fee = balances.amounts(wallet, wtx, filter_)
    all_accounts = account == "*"
    from_account = history.sent_account(wtx)
    watch_only = history.involves_watch_only(wallet, wtx)
    size = len(wtx.tx.to_bytes())
    tail = wallet_tx_fields(wallet, wtx) if long else []
    entries = []
    if (sent or fee != 0) and (all_accounts or account == from_account):
        for item in sent:
            pairs = _entry_head(wallet, watch_only, item.destination, from_account)
            pairs += [("category", "send"), ("amount", amount_to_decimal(-item.amount)), ("vout", item.vout)]
            pairs += [("fee", amount_to_decimal(-fee)), *tail, ("size", size)]
            entries.append(json_object(pairs))
    if received and wallet.depth(wtx) >= min_depth:
        for item in received:
            label = history.label_of(wallet, item.destination)
            name = "" if label is None else label
            if not all_accounts and name != account:
                continue
            pairs = _entry_head(wallet, watch_only, item.destination, name)
            pairs += [("category", _receive_category(wallet, wtx)), ("amount", amount_to_decimal(item.amount))]
            pairs += [("vout", item.vout), *tail, ("size", size)]
            entries.append(json_object(pairs))
    return entries


def move_entry(entry) -> dict:
    """AcentryToJSON."""
    return {
        "account": entry.account,
        "category": "move",
        "time": entry.time,
        "amount": amount_to_decimal(entry.amount),
        "otheraccount": entry.other_account,
        "comment": entry.comment,
    }


def rpc_listtransactions(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 4, wallet_help("listtransactions"))
    account = get_str(params[0]) if params else "*"
    count, start = int_at(params, 1, 10), int_at(params, 2, 0)
    filter_ = filter_at(params, 3)
    if count < 0:
        raise RPCError(RPC_INVALID_PARAMETER, "Negative count")
    if start < 0:
        raise RPCError(RPC_INVALID_PARAMETER, "Negative from")
    with wallet.lock:
        newest_first = _newest_entries(wallet, account, filter_, count + start)
    start = min(start, len(newest_first))
    count = min(count, len(newest_first) - start)
    return list(reversed(newest_first[start:start + count]))


def _newest_entries(wallet, account: str, filter_: int, wanted: int) -> list[dict]:
    found: list[dict] = []
    for wtx, entry in reversed(history.ordered_items(wallet, account)):
        if wtx is not None:
            found += transaction_entries(wallet, wtx, account, 0, True, filter_)
        if entry is not None and (account == "*" or entry.account == account):
            found.append(move_entry(entry))
        if len(found) >= wanted:
            break
    return found


def rpc_listsinceblock(node, params):
    wallet = node_wallet(node)  # C++ checks no parameter count here
    view = node.chainstate.view()
    block = None
    if params:
        block = view.lookup(uint256_from_text(get_str(params[0])))
    target_confirms = 1
    if len(params) > 1:
        target_confirms = get_int(params[1])
        if target_confirms < 1:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter")
    filter_ = filter_at(params, 2)
    with wallet.lock:
        depth = 1 + view.height - block.height if block is not None else -1
        transactions = []
        for wtx in history.since_block(wallet, depth):
            transactions += transaction_entries(wallet, wtx, "*", 0, True, filter_)
    last = view.at(view.height + 1 - target_confirms)
    return {"transactions": transactions, "lastblock": last.hash_hum if last is not None else NULL_HASH_HUM}


def rpc_gettransaction(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 2, wallet_help("gettransaction"))
    txid_rev = uint256_from_text(get_str(params[0]))
    filter_ = filter_at(params, 1)
    with wallet.lock:
        wtx = wallet.txs.get(txid_rev)
        if wtx is None:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id")
        return json_object(_transaction_pairs(wallet, wtx, filter_))


def _transaction_pairs(wallet, wtx, filter_: int) -> list[tuple[str, object]]:
    credit = balances.credit(wallet, wtx, filter_)
    debit = wallet.debit(wtx.tx, filter_)
    from_me = debit > 0
    fee = balances.value_out(wtx.tx) - debit if from_me else 0
    pairs: list[tuple[str, object]] = [("amount", amount_to_decimal(credit - debit - fee))]
    if from_me:
        pairs.append(("fee", amount_to_decimal(fee)))
    pairs += wallet_tx_fields(wallet, wtx)
    pairs.append(("details", transaction_entries(wallet, wtx, "*", 0, False, filter_)))
    pairs.append(("hex", wtx.tx.to_bytes().hex()))
    return pairs


METHODS = {
    "listtransactions": rpc_listtransactions,
    "listsinceblock": rpc_listsinceblock,
    "gettransaction": rpc_gettransaction,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)
