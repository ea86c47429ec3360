"""Raw transaction RPCs that need no mempool or index: decoderawtransaction (C++ rpc/rawtransaction.cpp)."""

from __future__ import annotations

from fluxd.core.transaction import Transaction
from fluxd.rpc.errors import RPC_DESERIALIZATION_ERROR, RPC_TYPE_ERROR, RPCError
from fluxd.rpc.params import check_count, type_name
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
