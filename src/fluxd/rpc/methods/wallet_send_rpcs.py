"""Wallet RPCs that send (C++ rpcwallet.cpp): sendtoaddress, sendmany, sendfrom, consolidateutxos,
fundrawtransaction, settxfee, resendwallettransactions."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from fluxd.core.address import Destination
from fluxd.core.amount import amount_to_decimal, format_amount
from fluxd.rpc.errors import RPC_DESERIALIZATION_ERROR, RPC_INTERNAL_ERROR, RPC_INVALID_PARAMETER, RPC_TYPE_ERROR
from fluxd.rpc.errors import RPC_WALLET_ERROR, RPCError
from fluxd.rpc.methods.rawtransactions import decode_tx_param
from fluxd.rpc.methods.wallet_consolidate import REJECTED_TEXT, consolidate
from fluxd.rpc.methods.wallet_help import register_wallet_methods, wallet_help
from fluxd.rpc.params import check_count, get_bool, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import RPC_WALLET_INSUFFICIENT_FUNDS, amount_value, destination_param, ensure_unlocked
from fluxd.rpc.wallet_common import min_depth_param, node_wallet, wallet_errors
from fluxd.wallet import balances
from fluxd.wallet.fee_policy import NoEstimates
from fluxd.wallet.ismine import extract_destination
from fluxd.wallet.sending import SendSetup, build_send, commit, fund
from fluxd.wallet.tx_builder import Recipient, TxBuildError

DEFAULT_CHANGE_OPTIONS = {"main": "-defaultchangeaddressmainnet", "test": "-defaultchangeaddresstestnet"}


def send_setup(node, wallet, from_address: str = "") -> SendSetup:
    """The settings of this node, its fee estimator, the tip, and coin control (from-only, change address)."""
    settings = wallet.settings
    settings = replace(settings, fees=replace(settings.fees, pay_tx_fee_per_kb=wallet.pay_tx_fee_per_kb))
    estimates = node.fee_estimator if node.fee_estimator is not None else NoEstimates()
    setup = SendSetup(settings, estimates, node.chainstate.view().height, rng=random.SystemRandom())
    if from_address:
        destination = destination_param(node, from_address)
        setup.from_destination = setup.change_destination = destination
    else:
        setup.change_destination = _default_change(node)
    return setup


def _default_change(node) -> Destination | None:
    """CheckAndAssignDefaultChangeAddress: -defaultchangeaddressmainnet / -defaultchangeaddresstestnet."""
    option = DEFAULT_CHANGE_OPTIONS.get(node.params.network_id)
    text = node.args.get(option, "") if option else ""
    if not text:
        return None
    try:
        return destination_param(node, text)
    except RPCError:
        return None


def address_balance(wallet, from_address: str, node) -> int:
    """GetBalance(strFrom): the trusted, available credit of the outputs paying that address."""
    if not from_address:
        return balances.balance(wallet)
    destination = destination_param(node, from_address)
    total = 0
    with wallet.lock:
        for wtx in wallet.txs.values():
            if not balances.is_trusted(wallet, wtx):
                continue
            for index, out in enumerate(wtx.tx.vout):
                if extract_destination(out.script_pubkey) == destination:
                    total += balances.available_credit(wallet, wtx, index=index)
    return total


@dataclass(frozen=True)
class SendStyle:
    """How a send reports failures: SendMoney (sendtoaddress, sendfrom) or sendmany's own wording."""

    build_code: int = RPC_WALLET_ERROR
    commit_text: str = REJECTED_TEXT
    fee_rewording: bool = True


SEND_MONEY = SendStyle()
SEND_MANY = SendStyle(RPC_WALLET_INSUFFICIENT_FUNDS, "Transaction commit failed", False)


def send_money(node, wallet, recipients: list[Recipient], map_value: dict, from_address: str = "", style: SendStyle = SEND_MONEY) -> str:
    """CreateTransaction + CommitTransaction with the wallet's coins and keys; the txid."""
    setup = send_setup(node, wallet, from_address)
    if from_address:
        map_value = {**map_value, "fromaccount": from_address}
    with wallet.lock:
        try:
            built, change = build_send(wallet, setup, recipients)
        except TxBuildError as exc:
            raise RPCError(style.build_code, _failure_text(wallet, recipients, exc, style)) from None
        submitter = node.mempool_service
        ok = commit(wallet, built, change, map_value, _submit(submitter), _relay(submitter))
    if not ok:
        raise RPCError(RPC_WALLET_ERROR, style.commit_text)
    return built.tx.txid_hum


def _failure_text(wallet, recipients: list[Recipient], exc: TxBuildError, style: SendStyle) -> str:
    """SendMoney names the fee when the amount plus the fee needed is over the balance."""
    if style.fee_rewording and len(recipients) == 1 and not recipients[0].subtract_fee_from_amount:
        if recipients[0].amount + exc.fee_required > balances.balance(wallet):
            return (
                f"Error: This transaction requires a transaction fee of at least {format_amount(exc.fee_required)} because"
                " of its amount, complexity, or use of recently received funds!"
            )
    return exc.message


def _submit(submitter):
    def submit(tx):
        if submitter is None:
            raise RuntimeError("no mempool")
        submitter.submit(tx, limit_free=False)

    return submit


def _relay(submitter):
    return (lambda tx: submitter.relay(tx)) if submitter is not None else (lambda tx: None)


def _comment(params: list, position: int) -> str:
    if len(params) > position and params[position] is not None:
        return get_str(params[position])
    return ""


def rpc_sendtoaddress(node, params):
    wallet = node_wallet(node)
    check_count(params, 2, 5, wallet_help("sendtoaddress", wallet.keys.encrypted))
    destination = destination_param(node, params[0])
    amount = amount_value(params[1])
    if amount <= 0:
        raise RPCError(RPC_TYPE_ERROR, "Invalid amount for send")
    map_value = {}
    if _comment(params, 2):
        map_value["comment"] = _comment(params, 2)
    if _comment(params, 3):
        map_value["to"] = _comment(params, 3)
    subtract = get_bool(params[4]) if len(params) > 4 else False
    ensure_unlocked(wallet)
    if amount > balances.balance(wallet):
        raise RPCError(RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds")
    return send_money(node, wallet, [Recipient(destination.script_pubkey(), amount, subtract)], map_value)


def rpc_sendfrom(node, params):
    wallet = node_wallet(node)
    check_count(params, 3, 6, wallet_help("sendfrom", wallet.keys.encrypted))
    from_address = get_str(params[0])
    destination = destination_param(node, params[1], "Invalid destination Flux address")
    if from_address:
        destination_param(node, from_address, "Invalid fromaccount Flux address")
    amount = amount_value(params[2])
    if amount <= 0:
        raise RPCError(RPC_TYPE_ERROR, "Invalid amount for send")
    min_depth_param(params, 3)
    map_value = {}
    if _comment(params, 4):
        map_value["comment"] = _comment(params, 4)
    if _comment(params, 5):
        map_value["to"] = _comment(params, 5)
    ensure_unlocked(wallet)
    if amount > address_balance(wallet, from_address, node):
        raise RPCError(RPC_WALLET_INSUFFICIENT_FUNDS, "Address has insufficient funds")
    if amount > balances.balance(wallet):
        raise RPCError(RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds")
    return send_money(node, wallet, [Recipient(destination.script_pubkey(), amount)], map_value, from_address)


def rpc_sendmany(node, params):
    wallet = node_wallet(node)
    check_count(params, 2, 5, wallet_help("sendmany", wallet.keys.encrypted))
    from_address = get_str(params[0])
    send_to = params[1]
    if not isinstance(send_to, dict):
        raise RPCError(-1, "JSON value is not an object as expected")
    min_depth_param(params, 2)
    map_value = {"comment": _comment(params, 3)} if _comment(params, 3) else {}
    subtract_list = params[4] if len(params) > 4 else []
    if not isinstance(subtract_list, list):
        raise RPCError(-1, "JSON value is not an array as expected")
    recipients, seen, total = [], set(), 0
    for name, value in send_to.items():
        destination = destination_param(node, name, f"Invalid Flux address: {name}")
        if destination in seen:
            raise RPCError(RPC_INVALID_PARAMETER, f"Invalid parameter, duplicated address: {name}")
        seen.add(destination)
        amount = amount_value(value)
        if amount <= 0:
            raise RPCError(RPC_TYPE_ERROR, "Invalid amount for send")
        total += amount
        subtract = any(get_str(item) == name for item in subtract_list)
        recipients.append(Recipient(destination.script_pubkey(), amount, subtract))
    ensure_unlocked(wallet)
    if total > address_balance(wallet, from_address, node):
        raise RPCError(RPC_WALLET_INSUFFICIENT_FUNDS, "Address has insufficient funds")
    return send_money(node, wallet, recipients, map_value, from_address, SEND_MANY)


def rpc_fundrawtransaction(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("fundrawtransaction"))
    if not isinstance(params[0], str):
        raise RPCError(RPC_TYPE_ERROR, f"Expected type string, got {type(params[0]).__name__}")
    try:
        tx = decode_tx_param(params[0])
    except RPCError:
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed") from None
    setup = send_setup(node, wallet)
    try:
        funded, fee, change_position = fund(wallet, setup, tx)
    except TxBuildError as exc:
        raise RPCError(RPC_INTERNAL_ERROR, exc.message) from None
    return {"hex": funded.to_bytes().hex(), "changepos": change_position, "fee": amount_to_decimal(fee)}


def rpc_settxfee(node, params):
    wallet = node_wallet(node)
    check_count(params, 1, 1, wallet_help("settxfee"))
    wallet.pay_tx_fee_per_kb = amount_value(params[0])
    return True


def rpc_resendwallettransactions(node, params):
    node_wallet(node)  # EnsureWalletIsAvailable, and the events so far applied
    check_count(params, 0, 0, wallet_help("resendwallettransactions"))
    if node.wallet_service is None:
        return []
    return node.wallet_service.resend_before(node.clock.now())


def rpc_consolidateutxos(node, params):
    wallet = node_wallet(node)
    check_count(params, 0, 1, wallet_help("consolidateutxos", wallet.keys.encrypted))
    with wallet_errors():
        return consolidate(node, wallet, params, send_setup, _submit(node.mempool_service), _relay(node.mempool_service))


METHODS = {
    "sendtoaddress": rpc_sendtoaddress,
    "sendfrom": rpc_sendfrom,
    "sendmany": rpc_sendmany,
    "fundrawtransaction": rpc_fundrawtransaction,
    "settxfee": rpc_settxfee,
    "resendwallettransactions": rpc_resendwallettransactions,
    "consolidateutxos": rpc_consolidateutxos,
}


def register(table: RPCTable) -> None:
    register_wallet_methods(table, METHODS)

