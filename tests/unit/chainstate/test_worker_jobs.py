"""Typed worker jobs: each kind round-trips through a real worker process with the inline result."""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
from dataclasses import dataclass

import pytest

from fluxd.chainstate import worker_jobs
from fluxd.chainstate.block_jobs import BlockCheck, BlockCheckVerdict, check_raw_block
from fluxd.chainstate.script_workers import PendingChecks, ScriptChunk, ScriptWorkers, first_failing_position, first_failure_inline
from fluxd.chainstate.worker_jobs import FAILED, OK, REFUSED, UnknownJobKind, encode, register_job, run_encoded, run_inline
from fluxd.chainstate.worker_pool import LOST, PendingJob, WorkerPool
from fluxd.consensus.block_check import check_block
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.params.genesis import build_genesis_block, genesis_coinbase
from fluxd.params.networks import main_params, regtest_params
from tests.unit.consensus.test_script_pool import _batches

GENESIS_TIME = 1_600_000_000


@dataclass(frozen=True, slots=True)
class OnlyHere:
    """A kind registered in this test process only: workers do not know it."""

    value: int


def double(job: OnlyHere) -> int:
    return 2 * job.value


register_job("test-only-here", OnlyHere, double)


@pytest.fixture
def pool():
    workers = WorkerPool(1)
    yield workers
    workers.close()


def _with_root(header, transactions) -> Block:
    root, _ = Block(header, transactions).compute_merkle_root()
    return Block(dataclasses.replace(header, merkle_root_rev=root), transactions)


def _blocks() -> list[tuple[str, BlockCheck]]:
    """Block-check jobs passing and failing in several ways."""
    params = regtest_params()
    genesis = build_genesis_block(params)
    header = genesis.header
    bad_root = Block(dataclasses.replace(header, merkle_root_rev=b"\x01" * 32), genesis.transactions)
    two_coinbases = _with_root(header, genesis.transactions + (genesis_coinbase(1),))
    return [
        ("main genesis with PoW", BlockCheck(main_params(), build_genesis_block(main_params()).to_bytes(), GENESIS_TIME, 0, True)),
        ("regtest genesis", BlockCheck(params, genesis.to_bytes(), GENESIS_TIME, 0, False)),
        ("merkle root", BlockCheck(params, bad_root.to_bytes(), GENESIS_TIME, 0, False)),
        ("two coinbases", BlockCheck(params, two_coinbases.to_bytes(), GENESIS_TIME, 0, False)),
        ("time too new", BlockCheck(params, genesis.to_bytes(), header.time - 10**6, 0, False)),
        ("bad PoW", BlockCheck(params, bad_root.to_bytes(), GENESIS_TIME, 0, True)),
    ]


def _check_block_outcome(job: BlockCheck) -> tuple:
    try:
        return ("ok", tuple(check_block(job.params, Block.from_bytes(job.raw_block), job.adjusted_time, job.tip_height, job.check_pow)))
    except ValidationError as failure:
        return (failure.reason, failure.dos, failure.code, failure.detail, failure.corruption_possible, failure.invalid_txid)


def _verdict_outcome(verdict: BlockCheckVerdict) -> tuple:
    try:
        return ("ok", tuple(verdict.raise_if_invalid()))
    except ValidationError as failure:
        return (failure.reason, failure.dos, failure.code, failure.detail, failure.corruption_possible, failure.invalid_txid)


def test_block_checks_round_trip_through_a_worker_with_check_blocks_verdict(pool):
    jobs = _blocks()
    tickets = [pool.send(pool.least_busy(), job) for _, job in jobs]
    outcomes = {name: _check_block_outcome(job) for name, job in jobs}
    assert outcomes["main genesis with PoW"] == ("ok", (1,)) and outcomes["regtest genesis"] == ("ok", (1,))
    assert outcomes["merkle root"][0] == "bad-txnmrklroot" and outcomes["merkle root"][4] is True
    assert outcomes["two coinbases"][0] == "bad-cb-multiple"
    assert outcomes["time too new"][:2] == ("time-too-new", 0)
    assert outcomes["bad PoW"][0] == "invalid-solution"
    for (name, job), ticket in zip(jobs, tickets):
        assert ticket is not None, name
        answer = pool.answer(ticket)
        assert isinstance(answer, BlockCheckVerdict) and answer == check_raw_block(job), name
        assert _verdict_outcome(answer) == outcomes[name], name
        assert _verdict_outcome(pool.run(job).result()) == outcomes[name], name


def test_script_chunks_round_trip_through_a_worker(pool):
    good, bad = ScriptChunk.of(_batches(3)), ScriptChunk.of(_batches(4, broken=2))
    tickets = [pool.send(pool.least_busy(), chunk) for chunk in (good, bad)]
    assert [pool.answer(ticket) for ticket in tickets] == [None, 2]
    assert first_failing_position(bad) == run_inline(bad) == 2
    assert pool.run(bad).result() == 2  # the failure is checked again inline: same answer


def test_a_worker_refuses_a_kind_it_does_not_know_and_the_job_runs_inline(pool):
    worker = pool.least_busy()
    assert worker.send(1_000_000, "no-such-kind", encode(OnlyHere(1)))
    assert worker.receive() == (1_000_000, REFUSED, b"")
    pending = pool.run(OnlyHere(21))  # registered here, unknown to the worker
    assert pending.in_worker and pending.result() == 42
    assert pool.answer(pool.send(worker, OnlyHere(1))) is LOST
    assert worker.alive and pool.answer(pool.send(worker, ScriptChunk.of(_batches(1)))) is None  # still serving


def test_jobs_carry_no_callables_and_only_registered_kinds_run():
    assert run_encoded("script-chunk", pickle.dumps(os.system)) == (REFUSED, b"")
    assert run_encoded("script-chunk", pickle.dumps(OnlyHere(1))) == (REFUSED, b"")  # not the kind's job type
    assert run_encoded("script-chunk", pickle.dumps(BlockCheckVerdict())) == (REFUSED, b"")  # a class of another module
    assert run_encoded("script-chunk", pickle.dumps(ScriptWorkers.__new__(ScriptWorkers))) == (REFUSED, b"")
    assert run_encoded("script-chunk", encode(ScriptChunk(0, 0, ()))[:-3] + b"\xff\xff\xff") == (REFUSED, b"")
    assert run_encoded("script-chunk", encode(ScriptChunk(0, 0, ((b"\x01", ((b"", 0),)),)))) == (FAILED, b"")
    assert run_encoded("test-only-here", encode(OnlyHere(4))) == (OK, encode(8))
    with pytest.raises(ValueError):
        register_job("test-lambda", OnlyHere, lambda job: job.value)
    with pytest.raises(ValueError):
        register_job("test-only-here", OnlyHere, first_failing_position)  # a second meaning for a name
    with pytest.raises(UnknownJobKind):
        run_inline(object())
    with pytest.raises(UnknownJobKind):
        worker_jobs.kind_named("no-such-kind")


def _kill_while_it_holds(pool: WorkerPool, job: object) -> PendingJob:
    """``job`` sent to a stopped worker that is then killed: sent, never answered."""
    worker = pool.least_busy()
    os.kill(worker.process.pid, signal.SIGSTOP)
    pending = pool.run(job)
    assert pending.in_worker
    worker.process.kill()
    worker.process.wait()
    return pending


def test_a_worker_killed_mid_job_means_the_inline_result(pool):
    jobs = _blocks()
    pending = _kill_while_it_holds(pool, jobs[3][1])
    assert _verdict_outcome(pending.result()) == _check_block_outcome(jobs[3][1])
    chunk = ScriptChunk.of(_batches(3))
    pending = _kill_while_it_holds(pool, chunk)
    assert pending.result() is None
    replaced = pool.least_busy()
    assert replaced.alive and pool.answer(pool.send(replaced, chunk)) is None


def test_script_checks_of_a_worker_killed_mid_submission_keep_their_verdict():
    scripts = ScriptWorkers(1)
    try:
        batches = _batches(4, broken=1)
        worker = scripts.pool.least_busy()
        os.kill(worker.process.pid, signal.SIGSTOP)
        pending = scripts.submit(batches)
        worker.process.kill()
        worker.process.wait()
        assert pending.failure() == first_failure_inline(batches)
    finally:
        scripts.close()


def test_worker_and_inline_script_checks_agree_on_random_inputs():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = _batches(4)
    mutations = st.sampled_from(["none", "amount", "script", "signature", "truncate", "swap"])

    def mutate(batch: TxScriptBatch, how: str, where: int) -> TxScriptBatch:
        spent, vin = list(batch.spent), list(batch.tx.vin)
        where %= len(vin)
        if how == "amount":
            spent[where] = SpentOutput(spent[where].script_pubkey, spent[where].amount + 1)
        elif how == "script":
            spent[where] = SpentOutput(base[(where + 1) % 4].spent[where].script_pubkey[:-1] + b"\x87", spent[where].amount)
        elif how in ("signature", "truncate"):
            sig = bytearray(vin[where].script_sig)
            if how == "signature":
                sig[10] ^= 0x01
            vin[where] = dataclasses.replace(vin[where], script_sig=bytes(sig if how == "signature" else sig[:-3]))
        elif how == "swap":
            spent[where], spent[(where + 1) % len(spent)] = spent[(where + 1) % len(spent)], spent[where]
        return TxScriptBatch(batch.tx.copy_with(vin=tuple(vin)), tuple(spent), batch.flags, batch.branch_id)

    scripts = ScriptWorkers(1)

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 3), mutations, st.integers(0, 2)), min_size=1, max_size=5))
    def check(picks):
        batches = [mutate(base[index], how, where) for index, how, where in picks]
        chunk = ScriptChunk.of(batches)
        ticket = scripts.pool.send(scripts.pool.least_busy(), chunk)
        assert ticket is not None and scripts.pool.answer(ticket) == first_failing_position(chunk)
        assert scripts.submit(batches).failure() == first_failure_inline(batches)

    try:
        check()
    finally:
        scripts.close()


def test_settled_and_inline_jobs_need_no_worker():
    assert PendingChecks.settled(None).failure() is None
    job = _blocks()[2][1]
    assert PendingJob.inline(job).result() == check_raw_block(job)


def test_the_verifier_runs_jobs_on_its_worker_processes_or_inline():
    from fluxd.chainstate.script_pool import ScriptVerifier

    job = _blocks()[3][1]
    assert not ScriptVerifier().run_job(job).in_worker
    verifier = ScriptVerifier.with_processes(1)
    try:
        pending = verifier.run_job(job)
        assert pending.in_worker and pending.result() == check_raw_block(job)
    finally:
        verifier.close()


def test_many_jobs_sent_before_any_answer_is_read_do_not_fill_the_pipes(pool):
    job = _blocks()[1][1]  # more than a pipe's worth of jobs, and of answers
    answer_size = len(encode((1, OK, encode(check_raw_block(job)))))
    count = 2 * (1 << 16) // answer_size
    assert count * len(encode(job)) > 1 << 16
    pending = [pool.run(job) for _ in range(count)]
    assert all(item.in_worker for item in pending)
    assert {item.result() for item in pending} == {check_raw_block(job)}
