"""Insight-explorer address RPCs (C++ rpc/misc.cpp): getaddresstxids, getaddressbalance, getaddressdeltas,
getaddressutxos, getaddressmempool — over the address index and the mempool's address index."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from fluxd.chainstate.address_index import DeltaRow, address_delta_rows, address_unspent_rows
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_MISC_ERROR, RPCError
from fluxd.rpc.insight import ADDRESS_INDEX, address_text, addresses_from_params, help_text, index_enabled, require_index
from fluxd.rpc.methods.address_help import HELP_PARTS
from fluxd.rpc.params import get_bool, get_int
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import NoFloats, NoFloatsList

_BY_HEIGHT = itemgetter(5)  # of a (text, txid, index, satoshis, script, height) row


def _start(node, rpc: str, params: list) -> None:
    """fHelp || params.size() != 1 -> the help text; then the disabled / still-building refusals."""
    if len(params) != 1:
        head, tail = HELP_PARTS[rpc]
        raise RPCError(RPC_MISC_ERROR, help_text(rpc, head, tail, index_enabled(node, ADDRESS_INDEX)))
    require_index(node, ADDRESS_INDEX, rpc)


def _option(params: list, name: str):
    return params[0].get(name) if isinstance(params[0], dict) else None


def _chain_info(params: list) -> bool:
    value = _option(params, "chainInfo")
    return value is not None and get_bool(value)


def height_range(node, params: list, view) -> tuple[int, int]:
    """getHeightRange: start and end only when both are given (> 0, end >= start), and within the chain."""
    start = end = 0
    start_value, end_value = _option(params, "start"), _option(params, "end")
    if start_value is not None and end_value is not None:
        start, end = get_int(start_value), get_int(end_value)
        if start <= 0 or end <= 0:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Start and end are expected to be greater than zero")
        if end < start:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "End value is expected to be greater than start")
    if start > view.height or end > view.height:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Start or end is outside chain range")
    return start, end


def _deltas(node, params: list, start: int, end: int) -> list[tuple[bytes, Iterable[DeltaRow]]]:
    """getAddressesInHeightRange: every address's deltas, address after address (rows of address_delta_rows)."""
    keys = addresses_from_params(params, node.params.base58)
    reader = node.chainstate.state_reader()
    return [(key, address_delta_rows(reader, key, start, end)) for key in keys]


def rpc_getaddressdeltas(node, params):
    _start(node, "getaddressdeltas", params)
    view = node.chainstate.view()
    start, end = height_range(node, params, view)
    deltas = _deltas(node, params, start, end)
    include_chain_info = _chain_info(params)
    prefixes = node.params.base58
    result = NoFloatsList()
    for key, rows in deltas:
        address = address_text(key, prefixes)  # one Base58Check per address, not per delta
        result += [
            {"address": address, "blockindex": position, "height": height, "index": index, "satoshis": satoshis,
             "txid": txid_rev[::-1].hex()}  # rev_to_hum inline
            for (height, position, txid_rev, index, _spending), (satoshis,) in rows
        ]  # fmt: skip
    if not (include_chain_info and start > 0 and end > 0):
        return result
    if start > view.height or end > view.height:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Start or end is outside chain range")
    return NoFloats(
        deltas=result,
        start={"hash": view.at(start).hash_hum, "height": start},
        end={"hash": view.at(end).hash_hum, "height": end},
    )


def rpc_getaddressbalance(node, params):
    _start(node, "getaddressbalance", params)
    balance = received = 0
    for _key, rows in _deltas(node, params, 0, 0):
        amounts = [satoshis for _, (satoshis,) in rows]
        balance += sum(amounts)
        received += sum(amount for amount in amounts if amount > 0)
    return {"balance": balance, "received": received}


def rpc_getaddresstxids(node, params):
    _start(node, "getaddresstxids", params)
    start, end = height_range(node, params, node.chainstate.view())
    found = {(fields[0], rev_to_hum(fields[2])) for _key, rows in _deltas(node, params, start, end) for fields, _ in rows}
    return [txid_hum for _, txid_hum in sorted(found)]  # C++ std::set<pair<int, string>>: by height, then txid text


def rpc_getaddressutxos(node, params):
    _start(node, "getaddressutxos", params)
    include_chain_info = _chain_info(params)
    keys = addresses_from_params(params, node.params.base58)
    view = node.chainstate.view()
    reader = node.chainstate.state_reader()
    prefixes = node.params.base58
    unspent = []
    for key in keys:
        address = address_text(key, prefixes)  # one Base58Check per address
        unspent += [(address, txid_rev, index, satoshis, script, height) for txid_rev, index, satoshis, height, script in address_unspent_rows(reader, key)]
    unspent.sort(key=_BY_HEIGHT)  # stable: C++ std::sort by blockHeight
    utxos = NoFloatsList(
        {"address": address, "txid": txid_rev[::-1].hex(), "outputIndex": index, "script": script.hex(), "satoshis": satoshis,
         "height": height}
        for address, txid_rev, index, satoshis, script, height in unspent
    )  # fmt: skip
    if not include_chain_info:
        return utxos
    return NoFloats(utxos=utxos, hash=view.tip.hash_hum, height=view.height)


def rpc_getaddressmempool(node, params):
    _start(node, "getaddressmempool", params)
    keys = addresses_from_params(params, node.params.base58)
    pool_index = getattr(node.mempool, "address_index", None) if node.mempool is not None else None
    deltas = [delta for key in keys for delta in pool_index.deltas(key)] if pool_index is not None else []
    deltas.sort(key=lambda delta: delta.time)  # stable: C++ std::sort by time
    prefixes = node.params.base58
    result = []
    for delta in deltas:
        item = {"address": address_text(delta.address_key, prefixes), "txid": rev_to_hum(delta.txid_rev), "index": delta.index,
                "satoshis": delta.satoshis, "timestamp": delta.time}  # fmt: skip
        if delta.satoshis < 0:
            item.update(prevtxid=rev_to_hum(delta.prev_txid_rev), prevout=delta.prev_index)
        result.append(item)
    return result


def register(table: RPCTable) -> None:
    for name, handler in (
        ("getaddresstxids", rpc_getaddresstxids),
        ("getaddressbalance", rpc_getaddressbalance),
        ("getaddressdeltas", rpc_getaddressdeltas),
        ("getaddressutxos", rpc_getaddressutxos),
        ("getaddressmempool", rpc_getaddressmempool),
    ):
        head, tail = HELP_PARTS[name]
        table.register(name, "addressindex", handler, head + tail)
