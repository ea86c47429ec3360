"""sighash.json (500 cases), ZIP-143 and ZIP-243 vectors."""

from __future__ import annotations

import pytest

from fluxd.consensus.sighash import NOT_AN_INPUT, PrecomputedHashes, SighashError, signature_hash
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.util.hexutil import rev_to_hum
from tests.vectors import load_json

SIGHASH_CASES = [case for case in load_json("fluxd_test_data/sighash.json") if len(case) == 6]


def test_case_count():
    assert len(SIGHASH_CASES) == 500


@pytest.mark.parametrize("raw_tx,script_hex,input_index,hash_type,branch_id,expected", SIGHASH_CASES)
def test_sighash_json(raw_tx, script_hex, input_index, hash_type, branch_id, expected):
    tx = Transaction.from_hex(raw_tx)
    digest = signature_hash(bytes.fromhex(script_hex), tx, input_index, hash_type & 0xFFFFFFFF, 0, branch_id)
    assert rev_to_hum(digest) == expected


def _zip_cases(name):
    return [case for case in load_json(f"zcash_test_vectors/{name}") if len(case) > 1]


def _zip_header(name):
    return load_json(f"zcash_test_vectors/{name}")[1][0].split(", ")


@pytest.mark.parametrize("name", ["zip_0143.json", "zip_0243.json"])
def test_zip_vectors(name):
    header = _zip_header(name)
    cases = _zip_cases(name)
    assert len(cases) == 10
    for case in cases:
        entry = dict(zip(header, case))
        tx = Transaction.from_hex(entry["tx"])
        index = entry["transparent_input"]
        index = NOT_AN_INPUT if index in (None, -1) else index
        script = bytes.fromhex(entry["script_code"])
        amount = entry["amount"]
        digest = signature_hash(script, tx, index, entry["hash_type"], amount, entry["consensus_branch_id"])
        assert digest.hex() == entry["sighash"]
        cached = signature_hash(script, tx, index, entry["hash_type"], amount, entry["consensus_branch_id"], PrecomputedHashes(tx))
        assert cached == digest


def test_legacy_single_without_output_is_an_error():
    tx = Transaction(version=1, vin=(TxIn(OutPoint(b"\x01" * 32, 0), b""), TxIn(OutPoint(b"\x02" * 32, 0), b"")), vout=(TxOut(1, b""),))
    with pytest.raises(SighashError):
        signature_hash(b"", tx, 1, 3, 0, 0)
    with pytest.raises(SighashError):
        signature_hash(b"", tx, 2, 1, 0, 0)
