"""getspentinfo (C++ rpc/misc.cpp, insightexplorer): who spent an output, from the mempool or the spent index."""

from __future__ import annotations

from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_MISC_ERROR, RPCError
from fluxd.rpc.insight import SPENT_INDEX, help_text, index_enabled, require_index, spent_lookup
from fluxd.rpc.methods.address_help import HELP_PARTS
from fluxd.rpc.params import get_int, parse_hash
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RawNumber

RPC = "getspentinfo"


def _is_str(value) -> bool:
    return isinstance(value, str) and not isinstance(value, RawNumber)


def _is_num(value) -> bool:
    return isinstance(value, (int, RawNumber)) and not isinstance(value, bool)


def rpc_getspentinfo(node, params):
    if len(params) != 1 or not isinstance(params[0], dict):
        head, tail = HELP_PARTS[RPC]
        raise RPCError(RPC_MISC_ERROR, help_text(RPC, head, tail, index_enabled(node, SPENT_INDEX)))
    require_index(node, SPENT_INDEX, RPC)
    txid_value, index_value = params[0].get("txid"), params[0].get("index")
    if not _is_str(txid_value):
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid txid, must be a string")
    if not _is_num(index_value):
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid index, must be an integer")
    txid_rev = parse_hash(txid_value, "txid")
    output_index = get_int(index_value)
    lookup = spent_lookup(node)
    found = lookup(txid_rev, output_index) if lookup is not None else None
    if found is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Unable to get spent info")
    return {"txid": rev_to_hum(found.txid_rev), "index": found.input_index, "height": found.height}


def register(table: RPCTable) -> None:
    head, tail = HELP_PARTS[RPC]
    table.register(RPC, "blockchain", rpc_getspentinfo, head + tail)
