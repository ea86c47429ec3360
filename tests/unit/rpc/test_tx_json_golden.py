"""decoderawtransaction / getblock-2 transaction JSON against golden mainnet captures."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from fluxd.core.block import Block
from fluxd.core.transaction import Transaction
from fluxd.params import networks
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.rawtransactions import rpc_decoderawtransaction
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.chainstate.spent_index import NO_ADDRESS, SpentInfo
from fluxd.rpc.insight import address_key_from_text
from fluxd.util.hexutil import hum_to_rev, rev_to_hum
from tests.vectors import load_json

MAIN = SimpleNamespace(params=networks.main_params())
BLOCK_FIELDS = {"hex", "blockhash", "height", "confirmations", "time", "blocktime"}
INDEX_FIELDS = {"spentTxId", "spentIndex", "spentHeight", "value", "valueSat", "address"}  # -spentindex extras


def _normalise(value):
    """FluxOS re-encodes numbers (1 instead of 1.00000000): compare numbers as Decimals."""
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def test_fluxnode_confirm_matches_getrawtransaction_capture():
    fixture = load_json("flux_atlas_fixtures/fluxos_daemon_getrawtransaction_confirm.json")["data"]
    ours = rpc_decoderawtransaction(MAIN, [fixture["hex"]])
    expected = {key: value for key, value in fixture.items() if key not in BLOCK_FIELDS}
    assert list(ours) == list(expected)
    assert _normalise(ours) == _normalise(expected)


def _strip_index_fields(tx_json: dict) -> dict:
    result = dict(tx_json)
    result["vout"] = [{k: v for k, v in out.items() if k not in ("spentTxId", "spentIndex", "spentHeight")} for out in tx_json.get("vout", [])]
    result["vin"] = [{k: v for k, v in vin.items() if k not in ("value", "valueSat", "address")} for vin in tx_json.get("vin", [])]
    return {k: v for k, v in result.items() if k not in BLOCK_FIELDS}


def test_first_pon_block_transactions_match_getblock_capture():
    fixture = load_json("flux_atlas_fixtures/fluxos_daemon_getblock_first_pon_2020000.json")["data"]
    entry = next(item for item in load_json("flux_mainnet/blocks.json")["blocks"] if item["height"] == 2020000)
    block = Block.from_bytes(bytes.fromhex(entry["block_hex"]))
    ours = [_strip_index_fields(tx_to_json(tx, MAIN.params.base58)) for tx in block.transactions]
    expected = [_strip_index_fields(tx) for tx in fixture["tx"]]
    assert [list(tx) for tx in ours] == [list(tx) for tx in expected]
    assert _normalise(ours) == _normalise(expected)


def _capture_spent_lookup(transactions: list[dict]):
    """The capture's -spentindex fields as a spent-index lookup: (txid_rev, n) -> SpentInfo."""
    records = {}
    for tx in transactions:
        for index, vin in enumerate(tx.get("vin", [])):
            if "valueSat" in vin:
                key = address_key_from_text(vin["address"], MAIN.params.base58) if "address" in vin else NO_ADDRESS
                records[(vin["txid"], vin["vout"])] = SpentInfo(hum_to_rev(tx["txid"]), index, tx.get("height", 0), vin["valueSat"], key)
        for out in tx.get("vout", []):
            if "spentTxId" in out:
                addresses = out["scriptPubKey"].get("addresses", [])
                key = address_key_from_text(addresses[0], MAIN.params.base58) if addresses else NO_ADDRESS
                spent = SpentInfo(hum_to_rev(out["spentTxId"]), out["spentIndex"], out["spentHeight"], out["valueSat"], key)
                records[(tx["txid"], out["n"])] = spent
    return lambda txid_rev, n: records.get((rev_to_hum(txid_rev), n))


def test_first_pon_block_with_spent_index_fields():
    """The same block with the capture node's -spentindex answers: the fields where and as C++ TxToJSON writes them."""
    fixture = load_json("flux_atlas_fixtures/fluxos_daemon_getblock_first_pon_2020000.json")["data"]
    entry = next(item for item in load_json("flux_mainnet/blocks.json")["blocks"] if item["height"] == 2020000)
    block = Block.from_bytes(bytes.fromhex(entry["block_hex"]))
    lookup = _capture_spent_lookup(fixture["tx"])
    ours = [tx_to_json(tx, MAIN.params.base58, spent=lookup) for tx in block.transactions]
    expected = [{k: v for k, v in tx.items() if k not in BLOCK_FIELDS} for tx in fixture["tx"]]
    assert sum("spentTxId" in out for tx in expected for out in tx.get("vout", [])) == 2  # the capture has both kinds
    assert sum("valueSat" in vin for tx in expected for vin in tx.get("vin", [])) == 1
    assert [[list(item) for item in tx.get("vin", [])] for tx in ours] == [[list(item) for item in tx.get("vin", [])] for tx in expected]
    assert [[list(item) for item in tx.get("vout", [])] for tx in ours] == [[list(item) for item in tx.get("vout", [])] for tx in expected]
    assert [list(tx) for tx in ours] == [list(tx) for tx in expected]
    assert _normalise(ours) == _normalise(expected)
    vin = ours[1]["vin"][0]
    assert isinstance(vin["value"], Decimal) and vin["value"] == Decimal(vin["valueSat"]).scaleb(-8)
    assert str(vin["value"]).count(".") == 1 and len(str(vin["value"]).split(".")[1]) == 8  # ValueFromAmount: 8 decimals


def test_coinbase_capture_with_spent_index_fields():
    """getrawtransaction 1 of a mainnet coinbase from an insight node, its outputs not yet spent there: ours, from its hex
    with the capture's (empty) spent records, is the capture (no spent fields, and none on the coinbase input)."""
    fixture = load_json("flux_atlas_fixtures/fluxos_daemon_getrawtransaction_coinbase.json")["data"]
    tx = Transaction.from_bytes(bytes.fromhex(fixture["hex"]))
    ours = tx_to_json(tx, MAIN.params.base58, spent=_capture_spent_lookup([fixture]))
    expected = {k: v for k, v in fixture.items() if k not in BLOCK_FIELDS}
    assert [list(out) for out in ours["vout"]] == [list(out) for out in expected["vout"]]
    assert list(ours) == list(expected) and _normalise(ours) == _normalise(expected)


def test_mempool_spent_height_and_non_address_coin():
    """A spend known only to the mempool has height -1; a coin whose script is no address has no "address"; no record, no fields."""
    entry = next(item for item in load_json("flux_mainnet/blocks.json")["blocks"] if item["height"] == 2020000)
    block = Block.from_bytes(bytes.fromhex(entry["block_hex"]))
    assert all("spentTxId" not in out for out in tx_to_json(block.transactions[0], MAIN.params.base58, spent=lambda txid_rev, n: None)["vout"])
    info = SpentInfo(b"\x11" * 32, 3, -1, 1234, NO_ADDRESS)
    ours = tx_to_json(block.transactions[1], MAIN.params.base58, spent=lambda txid_rev, n: info)
    assert list(ours["vin"][0]) == ["txid", "vout", "scriptSig", "value", "valueSat", "sequence"]
    assert (ours["vin"][0]["value"], ours["vin"][0]["valueSat"]) == (Decimal("0.00001234"), 1234)
    assert {k: ours["vout"][0][k] for k in ("spentTxId", "spentIndex", "spentHeight")} == {"spentTxId": "11" * 32, "spentIndex": 3, "spentHeight": -1}
    coinbase = tx_to_json(block.transactions[0], MAIN.params.base58, spent=lambda txid_rev, n: info)
    assert list(coinbase["vin"][0]) == ["coinbase", "sequence"]  # a coinbase input spends nothing


def test_decode_errors():
    with pytest.raises(RPCError) as failure:
        rpc_decoderawtransaction(MAIN, ["zz"])
    assert (failure.value.code, failure.value.message) == (-22, "TX decode failed")
    with pytest.raises(RPCError) as failure:
        rpc_decoderawtransaction(MAIN, [1])
    assert failure.value.code == -3
