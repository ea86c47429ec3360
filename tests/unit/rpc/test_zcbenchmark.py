"""zcbenchmark's parameters, errors and the transparent benchmarks (C++ zc_benchmark)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import STANDARD_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.params.networks import main_params, regtest_params
from fluxd.params.upgrades import UPGRADE_INFO, Upgrade
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import wallet_zcbenchmark as zc


def _node(params=None, wallet=object()):
    return SimpleNamespace(params=params or regtest_params(), wallet=wallet, wallet_service=None)


def _error(node, *params) -> tuple[int, str]:
    with pytest.raises(RPCError) as failed:
        zc.rpc_zcbenchmark(node, list(params))
    return failed.value.code, failed.value.message


def test_parameters_and_errors_as_cxx():
    node = _node()
    assert _error(node, "sleep") == (-1, zc.HELP)
    assert _error(node, "sleep", 0) == (-3, "Invalid samplecount")
    assert _error(node, "nosuch", 1) == (-3, "Invalid benchmarktype")
    assert _error(node, "parameterloading", 1) == (-3, "Pre-Sapling Sprout parameters have been removed")
    assert _error(_node(main_params()), "sendtoaddress", 1, 1) == (-3, "Benchmark must be run in regtest mode")
    assert _error(_node(main_params()), "loadwallet", 1) == (-3, "Benchmark must be run in regtest mode")
    code, message = _error(node, "createsaplingspend", 1)
    assert code == -1 and "shielded" in message
    assert _error(_node(wallet=None), "sleep", 1) == (-32601, "Method not found (disabled)")


def test_samples_are_timed(monkeypatch):
    monkeypatch.setattr(zc.time, "sleep", lambda seconds: None)
    answer = zc.rpc_zcbenchmark(_node(), ["sleep", 3])
    assert len(answer) == 3 and all(list(item) == ["runningtime"] and item["runningtime"] >= 0 for item in answer)
    (equihash,) = zc.rpc_zcbenchmark(_node(), ["verifyequihash", 1])
    assert 0 < equihash["runningtime"] < 60


def test_the_large_transaction_is_really_signed_and_verified():
    tx, script = zc.large_tx(4)
    branch_id = UPGRADE_INFO[Upgrade.ACADIA].branch_id
    assert tx.version == 4 and tx.overwintered and len(tx.vin) == 4
    for index, txin in enumerate(tx.vin):
        checker = SignatureChecker(tx, index, 1_000_000)
        assert verify_script(txin.script_sig, script, STANDARD_SCRIPT_VERIFY_FLAGS, checker, branch_id) is ScriptError.OK
        wrong = SignatureChecker(tx, index, 999_999)
        assert verify_script(txin.script_sig, script, STANDARD_SCRIPT_VERIFY_FLAGS, wrong, branch_id) is not ScriptError.OK
    (sample,) = zc.rpc_zcbenchmark(_node(), ["validatelargetx", 1, 20])
    assert sample["runningtime"] > 0
