"""Raw transaction RPCs that need no mempool or index: decoderawtransaction (C++ rpc/rawtransaction.cpp)."""

from __future__ import annotations

from fluxd.core.transaction import Transaction
from fluxd.rpc.errors import RPC_DESERIALIZATION_ERROR, RPC_INVALID_ADDRESS_OR_KEY, RPC_TYPE_ERROR, RPCError
from fluxd.rpc.params import check_count, get_int, parse_hash, type_name
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.util.hexutil import is_hex
from fluxd.util.serialize import DecodeError

DECODERAWTRANSACTION_HELP = """decoderawtransaction "hexstring"

Return a JSON object representing the serialized, hex-encoded transaction.

Arguments:
1. "hex"      (string, required) The transaction hex string
"""


def decode_tx_param(value) -> Transaction:
    if not isinstance(value, str):
        raise RPCError(RPC_TYPE_ERROR, f"Expected type string, got {type_name(value)}")
    try:
        if not is_hex(value):
            raise DecodeError("not hex")
        return Transaction.from_hex(value)
    except (DecodeError, ValueError):
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed") from None


def rpc_decoderawtransaction(node, params):
    check_count(params, 1, 1, DECODERAWTRANSACTION_HELP)
    return tx_to_json(decode_tx_param(params[0]), node.params.base58)


def register(table: RPCTable) -> None:
    table.register("decoderawtransaction", "rawtransactions", rpc_decoderawtransaction, DECODERAWTRANSACTION_HELP)
    register_getrawtransaction(table)


GETRAWTRANSACTION_HELP = """getrawtransaction "txid" ( verbose )

NOTE: By default this function only works sometimes. This is when the tx is in the mempool
or there is an unspent output in the utxo for this transaction. To make it always work,
you need to maintain a transaction index, using the -txindex command line option.

Return the raw transaction data.

If verbose=0, returns a string that is serialized, hex-encoded data for 'txid'.
If verbose is non-zero, returns an Object with information about 'txid'.

Arguments:
1. "txid"      (string, required) The transaction id
2. verbose       (numeric, optional, default=0) If 0, return a string, other return a json object
"""


def rpc_getrawtransaction(node, params):
    check_count(params, 1, 2, GETRAWTRANSACTION_HELP)
    txid_rev = parse_hash(params[0], "parameter 1")
    verbose = get_int(params[1]) != 0 if len(params) > 1 else False
    chainstate = node.chainstate
    found = chainstate.find_transaction(txid_rev)
    if found is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "No information available about transaction")
    tx, entry = found
    if not verbose:
        return tx.to_bytes().hex()
    block = {"blockhash": entry.hash_hum, "height": None}
    if chainstate.contains(entry):
        block.update(height=entry.height, confirmations=chainstate.height - entry.height + 1, time=entry.time)
    return {"hex": tx.to_bytes().hex(), **tx_to_json(tx, node.params.base58, block)}


def register_getrawtransaction(table: RPCTable) -> None:
    table.register("getrawtransaction", "rawtransactions", rpc_getrawtransaction, GETRAWTRANSACTION_HELP)
