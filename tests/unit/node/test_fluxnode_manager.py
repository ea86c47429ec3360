"""The active-fluxnode manager (C++ ActiveFluxnode::ManageDeterministricFluxnode and its ConnectTip counter):
what it sends in each state, how often, and what a failure leaves."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED
from fluxd.consensus.fluxnode_sigs import check_benchmark_signature
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, CONFIRM_UPDATE
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.node import fluxnode_service
from fluxd.node.fluxnode_service import FluxnodeService
from fluxd.rpc.benchmark_client import BenchmarkError
from fluxd.wallet.active_fluxnode import ActiveFluxnode
from tests.fake_fluxbench import sign_with_benchmark_key
from tests.fluxnode_building import benchmark_test_params

PARAMS = benchmark_test_params()  # regtest: no upgrade active, so the update gap is 40 blocks
OPERATOR = PrivateKey(b"\x31" * 32, compressed=False)
COLLATERAL = OutPoint(b"\x6b" * 32, 0)
NOW = 1_700_000_000


class Bench:
    def __init__(self) -> None:
        self.failure: Exception | None = None

    def sign_confirm(self, tx_hex: str) -> str:
        if self.failure is not None:
            raise self.failure
        return sign_with_benchmark_key(tx_hex, 1)["hex"]


class Pool:
    def __init__(self) -> None:
        self.by_collateral: dict = {}
        self.submitted, self.relayed = [], []

    def submit(self, tx, limit_free=False):
        self.submitted.append(tx)

    def relay(self, tx):
        self.relayed.append(tx)


def _service(monkeypatch, record):
    bench, pool = Bench(), Pool()
    resent = []
    chain = SimpleNamespace(fluxnode_list=lambda: SimpleNamespace(get=lambda outpoint: record[0]), listeners=[])
    wallet_service = SimpleNamespace(sync=lambda: None, resend_wallet_transactions=resent.append)
    active = ActiveFluxnode(True, COLLATERAL, encode_wif(OPERATOR, PARAMS.base58), OPERATOR.pubkey)
    context = SimpleNamespace(params=PARAMS, chainstate=chain, mempool=pool, mempool_service=pool, wallet=None,
                              wallet_service=wallet_service, fluxnode=active, clock=SimpleNamespace(now=lambda: NOW))  # fmt: skip
    monkeypatch.setattr(fluxnode_service, "benchmark_client", lambda context: bench)
    return FluxnodeService(context), pool, bench, resent


def _record(status: int, last_confirmed_height: int = 0):
    return SimpleNamespace(status=status, operator_pubkey=OPERATOR.pubkey, flux_tx_version=0,
                           last_confirmed_height=last_confirmed_height)  # fmt: skip


def test_a_started_node_sends_its_initial_confirm_then_waits_more_than_three_blocks(monkeypatch):
    record = [_record(STARTED)]
    service, pool, _, _ = _service(monkeypatch, record)
    txid = service.manage(10)
    (sent,) = pool.submitted
    assert txid == sent.txid_hum and pool.relayed == [sent] and service.last_tried_to_confirm == 10
    confirm = sent.fluxnode
    assert confirm.update_type == CONFIRM_INITIAL and confirm.collateral == COLLATERAL and confirm.sig_time == NOW
    assert check_benchmark_signature(PARAMS, confirm)
    assert service.manage(13) is None and len(pool.submitted) == 1  # 13 - 10 <= 3
    assert service.manage(14) is not None and len(pool.submitted) == 2


def test_a_confirm_already_in_the_mempool_means_resending_the_wallet(monkeypatch):
    service, pool, _, resent = _service(monkeypatch, [_record(STARTED)])
    pool.by_collateral[COLLATERAL] = object()
    assert service.manage(10) is None and pool.submitted == [] and resent == [NOW]


@pytest.mark.parametrize(("height", "sends"), [(140, False), (141, True)])
def test_a_confirmed_node_updates_after_the_gap(monkeypatch, height, sends):
    service, pool, _, _ = _service(monkeypatch, [_record(CONFIRMED, last_confirmed_height=100)])
    assert (service.manage(height) is not None) == sends
    if sends:
        assert pool.submitted[0].fluxnode.update_type == CONFIRM_UPDATE


@pytest.mark.parametrize("record", [None, _record(DOS)])
def test_nothing_to_do_when_expired_or_in_the_dos_list(monkeypatch, caplog, record):
    service, pool, _, _ = _service(monkeypatch, [record])
    with caplog.at_level(logging.INFO, "fluxd.fluxnode"):
        assert service.manage(50) is None
    assert pool.submitted == [] and "Fluxnode found nothing to do on height: 50 for outpoint: COutPoint(6b6b6b6b6b, 0)" in caplog.text


def test_a_benchmark_failure_is_logged_and_tried_again_on_the_next_run(monkeypatch, caplog):
    service, pool, bench, _ = _service(monkeypatch, [_record(STARTED)])
    bench.failure = BenchmarkError("Benchd isn't running")
    with caplog.at_level(logging.INFO, "fluxd.fluxnode"):
        assert service.manage(10) is None
    assert "Failed to sign benchmarking for fluxnode confirm transaction" in caplog.text and "Benchd isn't running" in caplog.text
    assert service.last_tried_to_confirm == 0 and pool.submitted == []
    bench.failure = None
    assert service.manage(11) is not None  # not held back by the 3-block gap: nothing was sent


def test_a_foreign_operator_key_is_refused_before_the_benchmark(monkeypatch, caplog):
    other = _record(STARTED)
    other.operator_pubkey = PrivateKey(b"\x32" * 32).pubkey
    service, pool, bench, _ = _service(monkeypatch, [other])
    bench.failure = AssertionError("the benchmark daemon must not be asked")
    with caplog.at_level(logging.INFO, "fluxd.fluxnode"):
        assert service.manage(10) is None
    assert "Failed to sign fluxnode for confirm transaction" in caplog.text and "PubKey miss match" in caplog.text


def test_the_writer_only_counts_one_to_six_blocks_between_runs(monkeypatch):
    service, _, _, _ = _service(monkeypatch, [None])
    draws = iter([3, 1, 6, 5])
    monkeypatch.setattr(fluxnode_service.random, "randint", lambda low, high: (low, high) == (1, 6) and next(draws))
    for height in range(1, 16):
        service._on_chain("connect", SimpleNamespace(height=height), None)
    service._on_chain("disconnect", SimpleNamespace(height=16), None)
    queued = []
    while not service._heights.empty():
        queued.append(service._heights.get())
    assert queued == [1, 4, 5, 11]  # the first block at once, then after 3, 1 and 6 blocks (the next in 5: not a connect)
