"""getspentinfo and getblockdeltas over real spent-index records, the mempool spent index, and the golden captures."""

from __future__ import annotations

import pytest

from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from fluxd.rpc.errors import RPCError
from fluxd.rpc.insight import disabled_help
from fluxd.rpc.methods.address_help import HELP_PARTS
from fluxd.rpc.methods.block_deltas import GETBLOCKDELTAS_HEAD, GETBLOCKDELTAS_TAIL, rpc_getblockdeltas, tx_deltas
from fluxd.rpc.methods.spent_rpcs import rpc_getspentinfo
from fluxd.util.univalue import RawNumber, dumps
from tests.unit.rpc.insight_chain import ADDR_A, ADDR_B, ADDR_S, SCRIPT_B, Entry, sample_chain, spend
from tests.vectors import load_json

MAIN_PREFIXES = networks.main_params().base58


def _error(handler, node, params) -> tuple[int, str]:
    with pytest.raises(RPCError) as failure:
        handler(node, params)
    return failure.value.code, failure.value.message


@pytest.fixture(scope="module")
def chain():
    return sample_chain()


def test_spent_info_from_the_chain(chain):
    c, blocks = chain
    coinbase0, spender = blocks[0].transactions[0], blocks[2].transactions[1]
    result = rpc_getspentinfo(c.node, [{"txid": coinbase0.txid_hum, "index": 2}])
    assert result == {"txid": spender.txid_hum, "index": 1, "height": 2}
    assert list(result) == ["txid", "index", "height"]
    assert _error(rpc_getspentinfo, c.node, [{"txid": coinbase0.txid_hum, "index": 1}]) == (-5, "Unable to get spent info")  # unspent
    assert _error(rpc_getspentinfo, c.node, [{"txid": coinbase0.txid_hum, "index": -1}]) == (-5, "Unable to get spent info")


def test_spent_info_mempool_first_and_gone_with_the_pool():
    c, blocks = sample_chain()
    outpoint = OutPoint(blocks[2].transactions[1].txid_rev, 0)
    tx = spend([outpoint], [(8_000, SCRIPT_B)])
    c.pool_add(tx, 7_000)
    query = [{"txid": outpoint.txid_rev[::-1].hex(), "index": 0}]
    assert rpc_getspentinfo(c.node, query) == {"txid": tx.txid_hum, "index": 0, "height": -1}
    c.pool.remove(tx.txid_rev)
    assert _error(rpc_getspentinfo, c.node, query) == (-5, "Unable to get spent info")
    assert c.pool.spent_index.spent == {} and c.pool.spent_index.inserted == {}


def test_spent_info_shape_matches_capture():
    capture = load_json("flux_atlas_fixtures/fluxos_daemon_getspentinfo.json")["data"]
    assert list(capture) == ["txid", "index", "height"]
    assert isinstance(capture["txid"], str) and len(capture["txid"]) == 64
    assert all(isinstance(capture[key], int) for key in ("index", "height"))


@pytest.mark.parametrize(
    "params, expected",
    [
        ([{"index": 0}], (-5, "Invalid txid, must be a string")),
        ([{"txid": 5, "index": 0}], (-5, "Invalid txid, must be a string")),
        ([{"txid": "00" * 32}], (-5, "Invalid index, must be an integer")),
        ([{"txid": "00" * 32, "index": "0"}], (-5, "Invalid index, must be an integer")),
        ([{"txid": "00" * 32, "index": True}], (-5, "Invalid index, must be an integer")),
        ([{"txid": "zz" * 32, "index": 0}], (-8, "txid must be hexadecimal string (not '" + "zz" * 32 + "')")),
        ([{"txid": "00", "index": 0}], (-8, "txid must be of length 64 (not 2)")),
        ([{"txid": "00" * 32, "index": RawNumber("1.5")}], (-1, "JSON integer out of range")),
        ([{"txid": "00" * 32, "index": 0}], (-5, "Unable to get spent info")),
    ],
)
def test_spent_info_errors(chain, params, expected):
    c, _ = chain
    assert _error(rpc_getspentinfo, c.node, params) == expected


def test_spent_info_help_disabled_and_building(chain):
    c, _ = chain
    head, tail = HELP_PARTS["getspentinfo"]
    for params in ([], ["x"], [{"txid": "00" * 32, "index": 0}, 1]):
        assert _error(rpc_getspentinfo, c.node, params) == (-1, head + tail)
    modules, c.modules = c.modules, {}
    try:
        assert _error(rpc_getspentinfo, c.node, []) == (-1, head + disabled_help("getspentinfo") + tail)
        message = "Error: getspentinfo is disabled. Run './flux-cli help getspentinfo' for instructions on how to enable this feature."
        assert _error(rpc_getspentinfo, c.node, [{}]) == (-1, message)
    finally:
        c.modules = modules
    c.spent_index.progress = (2, bytes(32))
    try:
        message = "Error: the spent index is still being built (height 2 of 3); try again when it is done (see getindexinfo)"
        assert _error(rpc_getspentinfo, c.node, [{}]) == (-1, message)
        assert _error(rpc_getblockdeltas, c.node, ["00"]) == (-1, message)
    finally:
        del c.spent_index.progress


# ----- getblockdeltas ---------------------------------------------------------------------------
def test_block_deltas_of_a_spending_block(chain):
    c, blocks = chain
    block = blocks[2]
    result = rpc_getblockdeltas(c.node, [block.hash_hum])
    assert list(result) == ["hash", "confirmations", "size", "height", "version", "merkleroot", "deltas", "time", "mediantime",
                            "nonce", "bits", "difficulty", "chainwork", "previousblockhash", "nextblockhash"]  # fmt: skip
    assert (result["confirmations"], result["height"], result["size"]) == (2, 2, len(block.to_bytes()))
    assert result["previousblockhash"] == blocks[1].hash_hum and result["nextblockhash"] == blocks[3].hash_hum
    assert result["mediantime"] == blocks[1].header.time  # the median of heights 0..2
    assert result["nonce"] == "00" * 32 and result["chainwork"] == f"{3:064x}"
    coinbase0, t2 = blocks[0].transactions[0], block.transactions[1]
    assert result["deltas"][0] == {"txid": block.transactions[0].txid_hum, "index": 0, "inputs": [],
                                   "outputs": [{"address": ADDR_A, "satoshis": 17_000, "index": 0}]}  # fmt: skip
    assert result["deltas"][1] == {
        "txid": t2.txid_hum, "index": 1,
        "inputs": [
            {"address": ADDR_A, "satoshis": -5_000, "index": 0, "prevtxid": coinbase0.txid_hum, "prevout": 0},
            {"address": ADDR_S, "satoshis": -11_000, "index": 1, "prevtxid": coinbase0.txid_hum, "prevout": 2},
        ],
        "outputs": [{"address": ADDR_B, "satoshis": 9_000, "index": 0}, {"address": ADDR_S, "satoshis": 6_000, "index": 1},
                    {"address": "", "satoshis": 0, "index": 2}],
    }  # fmt: skip
    assert [list(item) for item in result["deltas"][1]["inputs"]] == [["address", "satoshis", "index", "prevtxid", "prevout"]] * 2
    tip = rpc_getblockdeltas(c.node, [blocks[3].hash_hum])
    assert "nextblockhash" not in tip and tip["confirmations"] == 1


def test_block_deltas_text_repeats_the_output_address(chain):
    """C++ pushKV appends: a P2PKH / P2SH output has "address" twice, any other script one empty "address"."""
    c, blocks = chain
    text = dumps(rpc_getblockdeltas(c.node, [blocks[2].hash_hum])["deltas"][1]["outputs"])
    assert text == (f'[{{"address":"{ADDR_B}","address":"{ADDR_B}","satoshis":9000,"index":0}},'
                    f'{{"address":"{ADDR_S}","address":"{ADDR_S}","satoshis":6000,"index":1}},'
                    '{"address":"","satoshis":0,"index":2}]')  # fmt: skip


def test_block_deltas_errors(chain):
    c, blocks = chain
    assert _error(rpc_getblockdeltas, c.node, []) == (-1, GETBLOCKDELTAS_HEAD + GETBLOCKDELTAS_TAIL)
    assert _error(rpc_getblockdeltas, c.node, [1]) == (-1, "JSON value is not a string as expected")
    assert _error(rpc_getblockdeltas, c.node, ["11" * 32]) == (-5, "Block not found")
    orphan = Entry(2, b"\x77" * 32, 0, c.view.entries[1])
    c.blocks[orphan.hash_rev] = blocks[2]
    headers_only = Entry(4, b"\x78" * 32, 0, c.view.entries[3], data=False)
    c.view.extra.update({orphan.hash_rev: orphan, headers_only.hash_rev: headers_only})
    assert _error(rpc_getblockdeltas, c.node, [orphan.hash_hum]) == (-5, "Block is an orphan")
    assert _error(rpc_getblockdeltas, c.node, [headers_only.hash_hum]) == (-32603, "Can't read block from disk")
    with pytest.raises(RPCError) as failure:
        tx_deltas(blocks[2].transactions[1], 1, lambda txid_rev, n: None, c.node.params.base58)  # an input without a record
    assert (failure.value.code, failure.value.message) == (-32603, "Spent information not available")
    modules, c.modules = c.modules, {}
    try:
        assert _error(rpc_getblockdeltas, c.node, []) == (-1, GETBLOCKDELTAS_HEAD + disabled_help("getblockdeltas") + GETBLOCKDELTAS_TAIL)
    finally:
        c.modules = modules


def test_block_deltas_capture_transactions():
    """Block 2996914's coinbase and first fluxnode confirmation (their hex is captured) give the capture's deltas."""
    capture = load_json("flux_atlas_fixtures/fluxos_daemon_getblockdeltas.json")["data"]
    coinbase = Transaction.from_bytes(bytes.fromhex(load_json("flux_atlas_fixtures/fluxos_daemon_getrawtransaction_coinbase.json")["data"]["hex"]))
    confirm = Transaction.from_bytes(bytes.fromhex(load_json("flux_atlas_fixtures/fluxos_daemon_getrawtransaction_confirm.json")["data"]["hex"]))
    no_lookup = lambda txid_rev, n: pytest.fail("a coinbase or fluxnode transaction has no inputs to look up")  # noqa: E731
    for position, tx in ((0, coinbase), (1, confirm)):
        ours = tx_deltas(tx, position, no_lookup, MAIN_PREFIXES)
        assert ours == capture["deltas"][position]
        assert [list(item) for item in ours["outputs"]] == [list(item) for item in capture["deltas"][position]["outputs"]]
    assert list(capture) == ["hash", "confirmations", "size", "height", "version", "merkleroot", "deltas", "time", "mediantime",
                             "nonce", "bits", "difficulty", "chainwork", "previousblockhash", "nextblockhash"]  # fmt: skip
    assert all(list(tx) == ["txid", "index", "inputs", "outputs"] for tx in capture["deltas"])
