"""The insight address RPCs over real index records (tests/unit/rpc/insight_chain.py): results, params, every error."""

from __future__ import annotations

import pytest

from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPCError
from fluxd.rpc.insight import disabled_help
from fluxd.rpc.methods.address_help import HELP_PARTS
from fluxd.rpc.methods.address_rpcs import (
    rpc_getaddressbalance,
    rpc_getaddressdeltas,
    rpc_getaddressmempool,
    rpc_getaddresstxids,
    rpc_getaddressutxos,
)
from fluxd.util.univalue import RawNumber
from tests.unit.rpc.insight_chain import ADDR_A, ADDR_B, ADDR_S, SCRIPT_A, SCRIPT_B, SCRIPT_S, sample_chain, spend

HANDLERS = {
    "getaddresstxids": rpc_getaddresstxids,
    "getaddressbalance": rpc_getaddressbalance,
    "getaddressdeltas": rpc_getaddressdeltas,
    "getaddressutxos": rpc_getaddressutxos,
    "getaddressmempool": rpc_getaddressmempool,
}


@pytest.fixture(scope="module")
def chain():
    return sample_chain()


def _error(handler, node, params) -> tuple[int, str]:
    with pytest.raises(RPCError) as failure:
        handler(node, params)
    return failure.value.code, failure.value.message


def _txid(block, position: int) -> str:
    return block.transactions[position].txid_hum


def test_balance_string_and_object_forms(chain):
    c, _ = chain
    assert rpc_getaddressbalance(c.node, [ADDR_A]) == {"balance": 5_000 + 7_000 + 17_000 + 12_000 - 5_000, "received": 41_000}
    assert list(rpc_getaddressbalance(c.node, [ADDR_A])) == ["balance", "received"]
    assert rpc_getaddressbalance(c.node, [{"addresses": [ADDR_S]}]) == {"balance": 11_000 + 6_000 + 19_000 - 11_000, "received": 36_000}
    both = rpc_getaddressbalance(c.node, [{"addresses": [ADDR_A, ADDR_B]}])
    assert both == {"balance": 36_000 + 13_000 + 9_000 - 13_000, "received": 41_000 + 22_000}
    twice = rpc_getaddressbalance(c.node, [{"addresses": [ADDR_B, ADDR_B]}])  # C++ reads each entry: counted twice
    assert twice == {"balance": 18_000, "received": 44_000}


def test_deltas_order_keys_and_ranges(chain):
    c, blocks = chain
    deltas = rpc_getaddressdeltas(c.node, [{"addresses": [ADDR_S]}])
    assert [list(item) for item in deltas] == [["address", "blockindex", "height", "index", "satoshis", "txid"]] * 4
    expected = [
        (0, 0, 2, 11_000, _txid(blocks[0], 0)),
        (2, 1, 1, 6_000, _txid(blocks[2], 1)),  # the output sorts before the input of the same index (spending last)
        (2, 1, 1, -11_000, _txid(blocks[2], 1)),
        (3, 0, 0, 19_000, _txid(blocks[3], 0)),
    ]
    assert [(d["height"], d["blockindex"], d["index"], d["satoshis"], d["txid"]) for d in deltas] == expected
    assert {d["address"] for d in deltas} == {ADDR_S}
    ranged = rpc_getaddressdeltas(c.node, [{"addresses": [ADDR_S], "start": 2, "end": 2}])
    assert [d["satoshis"] for d in ranged] == [6_000, -11_000]
    only_start = rpc_getaddressdeltas(c.node, [{"addresses": [ADDR_S], "start": 3}])  # one bound alone is ignored
    assert only_start == deltas


def test_deltas_chain_info(chain):
    c, blocks = chain
    result = rpc_getaddressdeltas(c.node, [{"addresses": [ADDR_B], "start": 1, "end": 3, "chainInfo": True}])
    assert list(result) == ["deltas", "start", "end"]
    assert result["start"] == {"hash": blocks[1].hash_hum, "height": 1}
    assert result["end"] == {"hash": blocks[3].hash_hum, "height": 3}
    assert [d["satoshis"] for d in result["deltas"]] == [13_000, 9_000, -13_000]
    no_range = rpc_getaddressdeltas(c.node, [{"addresses": [ADDR_B], "chainInfo": True}])  # chainInfo needs start and end
    assert isinstance(no_range, list) and len(no_range) == 3


def test_txids_dedup_and_height_order(chain):
    c, blocks = chain
    assert rpc_getaddresstxids(c.node, [ADDR_A]) == [_txid(blocks[0], 0), *sorted([_txid(blocks[2], 0), _txid(blocks[2], 1)]),
                                                     _txid(blocks[3], 1)]  # fmt: skip
    merged = rpc_getaddresstxids(c.node, [{"addresses": [ADDR_S, ADDR_B], "start": 2, "end": 3}])
    assert merged == [_txid(blocks[2], 1), *sorted([_txid(blocks[3], 0), _txid(blocks[3], 1)])]


def test_utxos_sorted_by_height_with_chain_info(chain):
    c, blocks = chain
    utxos = rpc_getaddressutxos(c.node, [{"addresses": [ADDR_S, ADDR_A]}])
    assert [list(u) for u in utxos] == [["address", "txid", "outputIndex", "script", "satoshis", "height"]] * len(utxos)
    got = [(u["address"], u["txid"], u["outputIndex"], u["satoshis"], u["height"]) for u in utxos]
    assert got == [
        (ADDR_A, _txid(blocks[0], 0), 1, 7_000, 0),
        (ADDR_S, _txid(blocks[2], 1), 1, 6_000, 2),  # S before A at the same height: the addresses' order, stable sort
        (ADDR_A, _txid(blocks[2], 0), 0, 17_000, 2),
        (ADDR_S, _txid(blocks[3], 0), 0, 19_000, 3),
        (ADDR_A, _txid(blocks[3], 1), 0, 12_000, 3),
    ]
    assert utxos[0]["script"] == SCRIPT_A.hex() and utxos[1]["script"] == SCRIPT_S.hex()
    info = rpc_getaddressutxos(c.node, [{"addresses": [ADDR_B], "chainInfo": True}])
    assert info == {"utxos": [{"address": ADDR_B, "txid": _txid(blocks[2], 1), "outputIndex": 0, "script": SCRIPT_B.hex(),
                               "satoshis": 9_000, "height": 2}], "hash": blocks[3].hash_hum, "height": 3}  # fmt: skip


def test_mempool_deltas_follow_the_pool():
    c, blocks = sample_chain()
    utxo_a = OutPoint(blocks[3].transactions[1].txid_rev, 0)  # 12_000 to A
    first = spend([utxo_a], [(4_000, SCRIPT_B), (7_500, SCRIPT_S)])
    c.pool_add(first, 5_000)
    second = spend([OutPoint(first.txid_rev, 1)], [(7_000, SCRIPT_A)])  # spends a pool output
    c.pool_add(second, 4_000)  # an earlier time: sorted first
    result = rpc_getaddressmempool(c.node, [{"addresses": [ADDR_A, ADDR_S]}])
    assert result == [
        {"address": ADDR_A, "txid": second.txid_hum, "index": 0, "satoshis": 7_000, "timestamp": 4_000},
        {"address": ADDR_S, "txid": second.txid_hum, "index": 0, "satoshis": -7_500, "timestamp": 4_000,
         "prevtxid": first.txid_hum, "prevout": 1},
        {"address": ADDR_A, "txid": first.txid_hum, "index": 0, "satoshis": -12_000, "timestamp": 5_000,
         "prevtxid": blocks[3].transactions[1].txid_hum, "prevout": 0},
        {"address": ADDR_S, "txid": first.txid_hum, "index": 1, "satoshis": 7_500, "timestamp": 5_000},
    ]  # fmt: skip
    c.pool.remove(first.txid_rev)  # recursive: the child leaves too
    assert rpc_getaddressmempool(c.node, [{"addresses": [ADDR_A, ADDR_S]}]) == []
    assert c.pool.address_index.by_address == {} and c.pool.address_index.inserted == {}


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_help_and_disabled(chain, name):
    c, _ = chain
    head, tail = HELP_PARTS[name]
    assert _error(HANDLERS[name], c.node, []) == (-1, head + tail)
    assert _error(HANDLERS[name], c.node, [ADDR_A, 1]) == (-1, head + tail)
    modules = c.modules
    c.modules = {}
    try:
        assert _error(HANDLERS[name], c.node, []) == (-1, head + disabled_help(name) + tail)
        message = f"Error: {name} is disabled. Run './flux-cli help {name}' for instructions on how to enable this feature."
        assert _error(HANDLERS[name], c.node, [ADDR_A]) == (-1, message)
    finally:
        c.modules = modules


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_refused_while_building(chain, name):
    c, _ = chain
    c.address_index.progress = (1, b"\x00" * 32)
    try:
        message = "Error: the address index is still being built (height 1 of 3); try again when it is done (see getindexinfo)"
        assert _error(HANDLERS[name], c.node, [ADDR_A]) == (-1, message)
    finally:
        del c.address_index.progress


@pytest.mark.parametrize("name", sorted(HANDLERS))
@pytest.mark.parametrize(
    "param, expected",
    [
        ({"addresses": ADDR_A}, (-5, "Addresses is expected to be an array")),
        ({}, (-5, "Addresses is expected to be an array")),
        ({"addresses": [1]}, (-1, "JSON value is not a string as expected")),
        ({"addresses": ["t1notanaddress"]}, (-5, "Invalid address")),
        (5, (-5, "Invalid address")),
        ([ADDR_A], (-5, "Invalid address")),
        ("tmQSykQD423VP8Z6LpeuGVP8KzTBKkWR5rx", (-5, "Invalid address")),  # bad checksum
    ],
)
def test_address_param_errors(chain, name, param, expected):
    c, _ = chain
    assert _error(HANDLERS[name], c.node, [param]) == expected


def test_main_net_address_is_invalid_on_regtest(chain):
    c, _ = chain
    assert _error(rpc_getaddressbalance, c.node, ["t1ZJR468HBuSt1SW2tgWjoxLfYv2yPHgGge"]) == (-5, "Invalid address")


@pytest.mark.parametrize("name", ["getaddressdeltas", "getaddresstxids"])
@pytest.mark.parametrize(
    "bounds, expected",
    [
        ({"start": 0, "end": 2}, (-5, "Start and end are expected to be greater than zero")),
        ({"start": 2, "end": -1}, (-5, "Start and end are expected to be greater than zero")),
        ({"start": 3, "end": 2}, (-5, "End value is expected to be greater than start")),
        ({"start": 1, "end": 4}, (-5, "Start or end is outside chain range")),
        ({"start": "1", "end": 2}, (-1, "JSON value is not an integer as expected")),
        ({"start": RawNumber("1.5"), "end": 2}, (-1, "JSON integer out of range")),
    ],
)
def test_height_range_errors(chain, name, bounds, expected):
    c, _ = chain
    assert _error(HANDLERS[name], c.node, [{"addresses": ["bad"], **bounds}]) == expected  # checked before the addresses


@pytest.mark.parametrize("name", ["getaddressdeltas", "getaddressutxos"])
def test_chain_info_must_be_bool(chain, name):
    c, _ = chain
    assert _error(HANDLERS[name], c.node, [{"addresses": [ADDR_A], "chainInfo": 1}]) == (-1, "JSON value is not a boolean as expected")


def test_utxos_check_chain_info_before_addresses(chain):
    c, _ = chain  # C++ getaddressutxos reads chainInfo first, getaddressdeltas after the addresses
    assert _error(rpc_getaddressutxos, c.node, [{"addresses": ["bad"], "chainInfo": 1}]) == (-1, "JSON value is not a boolean as expected")
    assert _error(rpc_getaddressdeltas, c.node, [{"addresses": ["bad"], "chainInfo": 1}]) == (-5, "Invalid address")
