"""script_valid.json / script_invalid.json for every branch id, and tx_valid.json / tx_invalid.json."""

from __future__ import annotations

import pytest

from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import ScriptError, parse_flags
from fluxd.consensus.tx_check import check_transaction
from fluxd.consensus.validation import ValidationError
from fluxd.core.opcodes import OP_0
from fluxd.core.script_asm import parse_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import UPGRADE_INFO
from fluxd.util.hexutil import hum_to_rev
from tests.vectors import load_json

BRANCH_IDS = sorted({info.branch_id for info in UPGRADE_INFO.values()})
MAIN = networks.main_params()


def _script_cases(name):
    return [case for case in load_json(f"fluxd_test_data/{name}") if len(case) >= 3]


def _spend(script_sig: bytes, script_pubkey: bytes) -> Transaction:
    """The crediting/spending pair of the C++ script tests."""
    credit = Transaction(
        version=1,
        vin=(TxIn(OutPoint.null(), bytes([OP_0, OP_0]), 0xFFFFFFFF),),
        vout=(TxOut(0, script_pubkey),),
    )
    return Transaction(version=1, vin=(TxIn(OutPoint(credit.txid_rev, 0), script_sig, 0xFFFFFFFF),), vout=(TxOut(0, b""),))


def _run_script_case(case, branch_id):
    script_sig, script_pubkey = parse_script(case[0]), parse_script(case[1])
    spend = _spend(script_sig, script_pubkey)
    return verify_script(script_sig, script_pubkey, parse_flags(case[2]), SignatureChecker(spend, 0, 0), branch_id)


@pytest.mark.parametrize("branch_id", BRANCH_IDS)
def test_script_valid(branch_id):
    cases = _script_cases("script_valid.json")
    assert len(cases) == 578
    failures = [(case, error) for case in cases if (error := _run_script_case(case, branch_id)) is not ScriptError.OK]
    assert failures == []


@pytest.mark.parametrize("branch_id", BRANCH_IDS)
def test_script_invalid(branch_id):
    cases = _script_cases("script_invalid.json")
    assert len(cases) == 442
    passing = [case for case in cases if _run_script_case(case, branch_id) is ScriptError.OK]
    assert passing == []


def _tx_cases(name):
    return [case for case in load_json(f"fluxd_test_data/{name}") if isinstance(case[0], list)]


def _tx_outcome(case) -> bool:
    prevouts = {OutPoint(hum_to_rev(txid), index & 0xFFFFFFFF): parse_script(script) for txid, index, script in case[0]}
    tx = Transaction.from_hex(case[1])
    flags = parse_flags(case[2])
    try:
        check_transaction(MAIN, tx)
    except ValidationError:
        return False
    for index, txin in enumerate(tx.vin):
        checker = SignatureChecker(tx, index, 0)
        if verify_script(txin.script_sig, prevouts[txin.prevout], flags, checker, 0) is not ScriptError.OK:
            return False
    return True


def test_tx_valid():
    cases = _tx_cases("tx_valid.json")
    assert len(cases) == 32
    assert [case for case in cases if not _tx_outcome(case)] == []


def test_tx_invalid():
    cases = _tx_cases("tx_invalid.json")
    assert len(cases) == 54
    assert [case for case in cases if _tx_outcome(case)] == []
