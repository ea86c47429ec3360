"""The operator's CONFIRM (C++ BuildDeterministicConfirmTx / SignDeterministicConfirmTx) and the benchmark
daemon's part of it (GetBenchmarkSignedTransaction)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from fluxd.consensus.fluxnode_sigs import check_benchmark_signature, confirm_message, verify_signed_message
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, CONFIRM_UPDATE, FLUXNODE_CONFIRM_TX_TYPE
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.benchmark_client import BenchmarkError
from fluxd.rpc.fluxnode_confirming import benchmark_signed
from fluxd.wallet.fluxnode_confirm import ConfirmError, build_confirm, record_tx_version, sign_confirm
from tests.fake_fluxbench import sign_with_benchmark_key
from tests.fluxnode_building import benchmark_test_params

PARAMS = benchmark_test_params()
OPERATOR = PrivateKey(b"\x21" * 32, compressed=False)
WIF = encode_wif(OPERATOR, PARAMS.base58)
COLLATERAL = OutPoint(b"\x5a" * 32, 1)


def _record(**changes):
    return SimpleNamespace(**{"operator_pubkey": OPERATOR.pubkey, "flux_tx_version": 0, **changes})


def test_the_confirm_carries_the_collateral_update_type_and_the_start_version():
    tx = build_confirm(COLLATERAL, CONFIRM_UPDATE, record_tx_version(_record()))
    confirm = tx.fluxnode
    assert tx.version == 5 and confirm.n_type == FLUXNODE_CONFIRM_TX_TYPE and confirm.collateral == COLLATERAL
    assert (confirm.update_type, confirm.sig_time, confirm.ip, confirm.sig, confirm.benchmark_sig) == (1, 0, b"", b"", b"")
    assert record_tx_version(_record(flux_tx_version=1)) == 6 and record_tx_version(None) == 5
    assert Transaction.from_bytes(tx.to_bytes()) == tx


def test_signed_with_the_operator_key_at_the_given_time():
    signed = sign_confirm(build_confirm(COLLATERAL, CONFIRM_INITIAL, 5), _record(), WIF, PARAMS, 1_700_000_123)
    confirm = signed.fluxnode
    assert confirm.sig_time == 1_700_000_123
    assert verify_signed_message(OPERATOR.pubkey, confirm.sig, confirm_message(confirm))
    assert not verify_signed_message(OPERATOR.pubkey, confirm.sig, confirm_message(replace(confirm, sig_time=1)))


@pytest.mark.parametrize(("record", "wif", "message", "reported"), [
    (None, WIF, "fluxnode-data-is-null", "fluxnode-data-is-null"),
    (_record(operator_pubkey=PrivateKey(b"\x22" * 32).pubkey), WIF, "PubKey miss match", ""),  # C++ leaves it empty
    (_record(), "not-a-key", "unable-set-key", "unable-set-key"),
])  # fmt: skip
def test_sign_failures_have_the_cxx_texts(record, wif, message, reported):
    with pytest.raises(ConfirmError) as failed:
        sign_confirm(build_confirm(COLLATERAL, CONFIRM_UPDATE, 5), record, wif, PARAMS, 1)
    assert (failed.value.message, failed.value.reported) == (message, reported)


class FakeBench:
    def __init__(self, answer) -> None:
        self.answer, self.asked = answer, []

    def sign_confirm(self, tx_hex: str) -> str:
        self.asked.append(tx_hex)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer(tx_hex) if callable(self.answer) else self.answer


def _operator_signed():
    return sign_confirm(build_confirm(COLLATERAL, CONFIRM_UPDATE, 5), _record(), WIF, PARAMS, 1_700_000_000)


def test_the_benchmark_daemon_signs_and_its_signature_is_checked():
    tx = _operator_signed()
    bench = FakeBench(lambda hex_: sign_with_benchmark_key(hex_, 2, ip="10.0.0.1:16125")["hex"])
    signed = benchmark_signed(bench, PARAMS, tx)
    assert bench.asked == [tx.to_bytes().hex()]
    confirm = signed.fluxnode
    assert (confirm.benchmark_tier, confirm.benchmark_sig_time, confirm.ip) == (2, 1_700_000_000, b"10.0.0.1:16125")
    assert confirm.sig == tx.fluxnode.sig and check_benchmark_signature(PARAMS, confirm)


@pytest.mark.parametrize(("answer", "text"), [
    ("not hex", "Failed to decode fluxnode broadcast"),
    ("00", "Failed to decode fluxnode broadcast"),
    (None, "Failed to verify benchmarked signature"),  # the operator-signed tx back, without a benchmark signature
    (BenchmarkError("Benchd isn't running"), "Benchd isn't running"),
])  # fmt: skip
def test_benchmark_failures_have_the_cxx_texts(answer, text):
    tx = _operator_signed()
    bench = FakeBench(tx.to_bytes().hex() if answer is None else answer)
    with pytest.raises(BenchmarkError) as failed:
        benchmark_signed(bench, PARAMS, tx)
    assert str(failed.value) == text
