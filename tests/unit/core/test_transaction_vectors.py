"""Every real transaction in the shared vectors parses, re-serialises byte-identically and has its txid."""

from __future__ import annotations

import pytest

from fluxd.core.block import Block
from fluxd.core.fluxnode_tx import FluxnodeConfirm, FluxnodeStart
from fluxd.core.hashes import sha256d
from fluxd.core.transaction import Transaction
from fluxd.util.serialize import DecodeError
from tests.vectors import load_json

MAINNET_TXS = load_json("flux_mainnet/transactions.json")["transactions"]
GTEST = load_json("fluxd_test_data/fluxd_gtest_embedded_vectors.json")


@pytest.mark.parametrize("entry", MAINNET_TXS, ids=lambda e: f"{e['kind']}-{e['txid'][:12]}")
def test_mainnet_transaction_round_trip_and_txid(entry):
    tx = Transaction.from_hex(entry["hex"])
    assert tx.to_bytes().hex() == entry["hex"]
    assert tx.txid_hum == entry["txid"]
    assert len(tx.to_bytes()) == entry.get("size", len(entry["hex"]) // 2)


@pytest.mark.parametrize("entry", [e for e in MAINNET_TXS if e["hex"][:2] in ("05", "06")], ids=lambda e: e["txid"][:12])
def test_fluxnode_txid_excludes_signatures(entry):
    tx = Transaction.from_hex(entry["hex"])
    assert tx.is_fluxnode_tx()
    assert tx.txid_rev != sha256d(bytes.fromhex(entry["hex"]))
    payload = tx.fluxnode
    assert isinstance(payload, (FluxnodeStart, FluxnodeConfirm))
    # A different signature leaves the txid unchanged (signatures are malleable).
    if isinstance(payload, FluxnodeStart):
        changed = tx.copy_with(fluxnode=_replace(payload, sig=b"\x01" * 65))
    else:
        changed = tx.copy_with(fluxnode=_replace(payload, benchmark_sig=b"\x02" * 65))
    assert changed.txid_rev == tx.txid_rev
    assert changed.to_bytes() != tx.to_bytes()


def _replace(payload, **changes):
    import dataclasses

    return dataclasses.replace(payload, **changes)


def test_mainnet_vector_kinds_are_all_covered():
    kinds = {entry["kind"] for entry in MAINNET_TXS}
    parsed = [Transaction.from_hex(entry["hex"]) for entry in MAINNET_TXS]
    versions = {(tx.version, tx.overwintered) for tx in parsed}
    assert {(1, False), (2, False), (4, True), (5, False), (6, False)} <= versions
    assert any(tx.joinsplits for tx in parsed)
    assert any(isinstance(tx.fluxnode, FluxnodeStart) and tx.fluxnode.is_p2sh for tx in parsed)
    assert len(kinds) >= 5


@pytest.mark.parametrize("entry", GTEST["test_txid_cpp"]["vectors"], ids=lambda e: e["txid"][:12])
def test_gtest_txid_vectors(entry):
    tx = Transaction.from_hex(entry["hex"])
    assert tx.txid_hum == entry["txid"]
    assert tx.to_bytes().hex() == entry["hex"]


def test_gtest_checktransaction_good_and_bad_header():
    vector = GTEST["test_checktransaction_cpp"]
    tx = Transaction.from_hex(vector["good_v1_tx_hex"])
    assert tx.version == 1 and not tx.overwintered
    assert tx.txid_hum == vector["good_txid"]
    with pytest.raises(DecodeError, match="Unknown transaction format"):
        Transaction.from_hex(vector["bad_tx_hex_first4_fcffffff"])


def test_gtest_block_1391_transactions():
    vector = GTEST["test_rpc_cpp"]
    block = Block.from_hex(vector["hex"])
    assert block.hash_hum == vector["hash"]
    assert block.to_bytes().hex() == vector["hex"]
    assert block.header.solution.hex() == vector["expected_blockToJSON_solution"]
    root, mutated = block.compute_merkle_root()
    assert root == block.header.merkle_root_rev and not mutated


@pytest.mark.parametrize("name", ["tx_valid.json", "tx_invalid.json"])
def test_script_test_transactions_parse(name):
    cases = [case for case in load_json(f"fluxd_test_data/{name}") if isinstance(case[0], list)]
    assert cases
    for prevouts, tx_hex, _flags in cases:
        tx = Transaction.from_hex(tx_hex)
        assert tx.to_bytes().hex() == tx_hex
        assert len(prevouts) >= 1
