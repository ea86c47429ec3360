"""decoderawtransaction / getblock-2 transaction JSON against golden mainnet captures."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from fluxd.core.block import Block
from fluxd.params import networks
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.rawtransactions import rpc_decoderawtransaction
from fluxd.rpc.tx_json_full import tx_to_json
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


def test_decode_errors():
    with pytest.raises(RPCError) as failure:
        rpc_decoderawtransaction(MAIN, ["zz"])
    assert (failure.value.code, failure.value.message) == (-22, "TX decode failed")
    with pytest.raises(RPCError) as failure:
        rpc_decoderawtransaction(MAIN, [1])
    assert failure.value.code == -3
