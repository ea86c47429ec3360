"""Mempool RPCs: getmempoolinfo, getrawmempool, sendrawtransaction, prioritisetransaction (C++ rpc/blockchain.cpp,
rpc/rawtransaction.cpp, rpc/mining.cpp)."""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.accept import MempoolRejected
from fluxd.params.upgrades import Upgrade, network_upgrade_active
from fluxd.rpc.errors import (
    RPC_DESERIALIZATION_ERROR,
    RPC_METHOD_NOT_FOUND,
    RPC_VERIFY_ALREADY_IN_CHAIN,
    RPC_VERIFY_ERROR,
    RPC_VERIFY_REJECTED,
    RPCError,
)
from fluxd.rpc.params import check_count, get_bool, get_int64, get_str, parse_hash
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import is_hex, rev_to_hum
from fluxd.util.serialize import DecodeError
from fluxd.util.univalue import RawNumber

TX_EXPIRING_SOON_THRESHOLD = 3

GETMEMPOOLINFO_HELP = """getmempoolinfo

Returns details on the active state of the TX memory pool.

Result:
{
  "size": xxxxx                (numeric) Current tx count
  "bytes": xxxxx               (numeric) Sum of all tx sizes
  "usage": xxxxx               (numeric) Total memory usage for the mempool
}
"""
GETRAWMEMPOOL_HELP = """getrawmempool ( verbose )

Returns all transaction ids in memory pool as a json array of string transaction ids.

Arguments:
1. verbose           (boolean, optional, default=false) true for a json object, false for array of transaction ids
"""
SENDRAWTRANSACTION_HELP = """sendrawtransaction "hexstring" ( allowhighfees )

Submits raw transaction (serialized, hex-encoded) to local node and network.

Also see createrawtransaction and signrawtransaction calls.

Arguments:
1. "hexstring"    (string, required) The hex string of the raw transaction)
2. allowhighfees    (boolean, optional, default=false) Allow high fees

Result:
"hex"             (string) The transaction hash in hex
"""
PRIORITISETRANSACTION_HELP = """prioritisetransaction <txid> <priority delta> <fee delta>
Accepts the transaction into mined blocks at a higher (or lower) priority

Arguments:
1. "txid"       (string, required) The transaction id.
2. priority delta (numeric, required) The priority to add or subtract.
3. fee delta      (numeric, required) The fee value (in zatoshis) to add (or subtract, if negative).

Result:
true              (boolean) Returns true
"""


def _pool(node):
    pool = node.mempool
    if pool is None:
        raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found")
    return pool


def rpc_getmempoolinfo(node, params):
    check_count(params, 0, 0, GETMEMPOOLINFO_HELP)
    pool = _pool(node)
    with pool.lock:
        info = {"size": len(pool), "bytes": pool.total_bytes, "usage": pool.dynamic_usage()}
    if node.params.is_regtest:
        info["fullyNotified"] = True  # changes reach every listener synchronously here
    return info


def entry_json(pool, entry, tip_height: int) -> dict:
    """The verbose getrawmempool entry (C++ key order)."""
    return {
        "size": entry.size,
        "fee": amount_to_decimal(entry.fee),
        "time": entry.time,
        "height": entry.height,
        "startingpriority": RawNumber(_priority_text(entry.starting_priority)),
        "currentpriority": RawNumber(_priority_text(entry.current_priority(tip_height))),
        "depends": [rev_to_hum(parent) for parent in sorted(entry.parents) if parent in pool],
    }


def _priority_text(value: float) -> str:
    """UniValue prints doubles as an ostream with precision 16."""
    return f"{value:.16g}"


def rpc_getrawmempool(node, params):
    check_count(params, 0, 1, GETRAWMEMPOOL_HELP)
    verbose = get_bool(params[0]) if params else False
    pool = _pool(node)
    with pool.lock:
        if not verbose:
            return [rev_to_hum(txid) for txid in pool.entries]
        tip_height = node.chainstate.height
        return {rev_to_hum(txid): entry_json(pool, entry, tip_height) for txid, entry in pool.entries.items()}


def rpc_sendrawtransaction(node, params):
    check_count(params, 1, 2, SENDRAWTRANSACTION_HELP)
    text = get_str(params[0])
    allow_high_fees = get_bool(params[1]) if len(params) > 1 else False
    tx = _decode_tx(text)
    service = node.mempool_service
    if service is None:
        raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found")
    _refuse_expiring_soon(node, tx)
    in_pool = tx.txid_rev in service.pool
    in_chain = _in_chain(node, tx)
    if in_chain:
        raise RPCError(RPC_VERIFY_ALREADY_IN_CHAIN, "transaction already in block chain")
    if not in_pool:
        try:
            service.submit(tx, limit_free=False, reject_absurd_fee=not allow_high_fees)
        except MempoolRejected as rejected:
            if rejected.invalid:
                raise RPCError(RPC_VERIFY_REJECTED, f"{rejected.code}: {rejected.reason}") from None
            if rejected.missing_inputs:
                raise RPCError(RPC_VERIFY_ERROR, "Missing inputs") from None
            raise RPCError(RPC_VERIFY_ERROR, rejected.reason) from None
    service.relay(tx)
    return tx.txid_hum


def _decode_tx(text: str) -> Transaction:
    if not is_hex(text):
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed")
    try:
        return Transaction.from_bytes(bytes.fromhex(text))
    except (DecodeError, ValueError):
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed") from None


def _refuse_expiring_soon(node, tx: Transaction) -> None:
    if not tx.expiry_height:
        return
    next_height = node.chainstate.height + 1
    if network_upgrade_active(node.params, next_height, Upgrade.ACADIA) and next_height + TX_EXPIRING_SOON_THRESHOLD > tx.expiry_height:
        raise RPCError(
            RPC_VERIFY_REJECTED,
            f"tx-expiring-soon: expiryheight is {tx.expiry_height} but should be at least "
            f"{next_height + TX_EXPIRING_SOON_THRESHOLD} to avoid transaction expiring soon",
        )


def _in_chain(node, tx: Transaction) -> bool:
    """C++ fHaveChain: the chain still has an unspent output of this transaction."""
    chainstate = node.chainstate
    return any(chainstate.get_coin(OutPoint(tx.txid_rev, index)) is not None for index in range(len(tx.vout)))


def rpc_prioritisetransaction(node, params):
    check_count(params, 3, 3, PRIORITISETRANSACTION_HELP)
    txid_rev = parse_hash(params[0], "txid")
    priority_delta = _get_real(params[1])
    fee_delta = get_int64(params[2])
    _pool(node).prioritise(txid_rev, priority_delta, fee_delta)
    return True


def _get_real(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RPCError(-1, "JSON value is not a number as expected")
    return float(value)


def register(table: RPCTable) -> None:
    table.register("getmempoolinfo", "blockchain", rpc_getmempoolinfo, GETMEMPOOLINFO_HELP)
    table.register("getrawmempool", "blockchain", rpc_getrawmempool, GETRAWMEMPOOL_HELP)
    table.register("sendrawtransaction", "rawtransactions", rpc_sendrawtransaction, SENDRAWTRANSACTION_HELP)
    table.register("prioritisetransaction", "mining", rpc_prioritisetransaction, PRIORITISETRANSACTION_HELP)
