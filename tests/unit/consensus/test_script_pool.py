"""Parallel input verification: inline, threads and processes agree, and find the failing input."""

from __future__ import annotations

import pytest

from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch
from fluxd.consensus.script_errors import BLOCK_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.consensus.sigops import legacy_sigop_count, p2sh_sigop_count, script_sigop_count
from fluxd.core.ecdsa import message_signer_key, sign_message
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.script_asm import parse_script
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.upgrades import FLUX_BRANCH_ID
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

KEYS = [PrivateKey(bytes([index + 1]) * 32) for index in range(3)]


def _signed_tx(seed: int) -> tuple[Transaction, tuple[SpentOutput, ...]]:
    store = KeyStore()
    for key in KEYS:
        store.add_key(key)
    spent = tuple(SpentOutput(p2pkh_script(key.key_id), 1000 + index) for index, key in enumerate(KEYS))
    tx = Transaction(
        version=4, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID, expiry_height=0,
        vin=tuple(TxIn(OutPoint(bytes([seed]) * 32, index), b"") for index in range(len(KEYS))),
        vout=(TxOut(500, p2pkh_script(KEYS[0].key_id)),),
    )  # fmt: skip
    for index, output in enumerate(spent):
        script_sig, complete = produce_signature(
            store, output.script_pubkey, SigningInput(tx, index, output.amount, 1, FLUX_BRANCH_ID)
        )
        assert complete
        vin = list(tx.vin)
        vin[index] = TxIn(vin[index].prevout, script_sig)
        tx = tx.copy_with(vin=tuple(vin))
    return tx, spent


def _batches(count: int, broken: int | None = None) -> list[TxScriptBatch]:
    batches = []
    for seed in range(count):
        tx, spent = _signed_tx(seed)
        if seed == broken:
            spent = spent[:1] + (SpentOutput(spent[1].script_pubkey, spent[1].amount + 1),) + spent[2:]
        batches.append(TxScriptBatch(tx, spent, BLOCK_SCRIPT_VERIFY_FLAGS, FLUX_BRANCH_ID))
    return batches


@pytest.mark.parametrize("kind", ["inline", "threads", "processes"])
def test_pool_kinds_agree(kind):
    verifier = {"inline": ScriptVerifier, "threads": ScriptVerifier.with_threads, "processes": lambda: ScriptVerifier.with_processes(2)}[kind]()
    if kind == "threads":
        verifier = verifier if verifier.executor else ScriptVerifier.with_threads(2)
    try:
        assert verifier.first_failure(_batches(6)) is None
        failure = verifier.first_failure(_batches(6, broken=4))
        assert failure is not None and failure.input_index == 1
        assert failure.error is ScriptError.EVAL_FALSE
    finally:
        verifier.close()


def test_worker_processes_answer_in_any_order_and_failures_are_rechecked():
    verifier = ScriptVerifier.with_processes(2)
    try:
        good, bad, also_good = verifier.submit(_batches(5)), verifier.submit(_batches(5, broken=3)), verifier.submit(_batches(1))
        failure = bad.failure()
        assert failure is not None and failure.txid_rev == _batches(5)[3].tx.txid_rev and failure.input_index == 1
        assert also_good.failure() is None and good.failure() is None
        assert bad.failure() is failure  # the verdict is kept
    finally:
        verifier.close()


def test_a_dead_worker_means_inline_checks_with_the_same_verdict():
    verifier = ScriptVerifier.with_processes(1)
    try:
        assert verifier.first_failure(_batches(2)) is None
        worker = verifier.workers.pool.workers[0]
        worker.process.kill()
        worker.process.wait()
        pending = verifier.submit(_batches(4, broken=2))
        failure = pending.failure()
        assert failure is not None and failure.input_index == 1 and failure.error is ScriptError.EVAL_FALSE
        assert verifier.first_failure(_batches(3)) is None  # a fresh worker takes over
        assert verifier.workers.pool.workers[0] is not worker
    finally:
        verifier.close()


def test_par_follows_cpp():
    from fluxd.chainstate.script_pool import script_check_threads

    assert script_check_threads(0, cores=2) == 2
    assert script_check_threads(-1, cores=2) == 1
    assert script_check_threads(-5, cores=2) == 1
    assert script_check_threads(1, cores=8) == 1
    assert script_check_threads(40, cores=8) == 16
    assert ScriptVerifier.for_par(1).workers is None


def test_sigop_counts():
    multisig = parse_script("2 0x21 0x" + "02" * 33 + " 0x21 0x" + "03" * 33 + " 2 CHECKMULTISIG")
    assert script_sigop_count(multisig, True) == 2
    assert script_sigop_count(multisig, False) == 20
    assert script_sigop_count(parse_script("CHECKSIG CHECKSIGVERIFY 0x4c"), False) == 2
    p2sh = parse_script("HASH160 0x14 0x" + "00" * 20 + " EQUAL")
    script_sig = bytes([0]) + bytes([len(multisig)]) + multisig
    assert p2sh_sigop_count(p2sh, script_sig) == 2
    assert p2sh_sigop_count(p2sh, script_sig + bytes([0xAC])) == 0
    tx = Transaction(version=1, vin=(TxIn(OutPoint(b"\x01" * 32, 0), parse_script("CHECKSIG")),), vout=(TxOut(0, multisig),))
    assert legacy_sigop_count(tx) == 21


def test_message_signing_round_trip():
    key = KEYS[0]
    signature = sign_message(key.secret, b"hello", key.compressed)
    assert message_signer_key(signature, b"hello") == key.pubkey
    assert message_signer_key(signature, b"hellp") != key.pubkey


def test_p2pkh_fast_path_matches_generic_interpreter():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from fluxd.consensus.interpreter import _eval_p2pkh, eval_script
    from fluxd.consensus.script_errors import STANDARD_SCRIPT_VERIFY_FLAGS

    tx, spent = _signed_tx(9)
    real_sig_push = tx.vin[0].script_sig
    sig = real_sig_push[1 : 1 + real_sig_push[0]]
    pubkey = KEYS[0].pubkey
    checker_tx = tx

    items = st.sampled_from([sig, pubkey, b"", b"\x01", sig[:-1] + b"\x05", b"\x02" * 33, KEYS[1].pubkey])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(items, max_size=4), st.sampled_from([BLOCK_SCRIPT_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS]))
    def check(stack, flags):
        from fluxd.consensus.interpreter import SignatureChecker

        checker = SignatureChecker(checker_tx, 0, spent[0].amount)
        script = spent[0].script_pubkey
        fast_stack, slow_stack = list(stack), list(stack)
        fast = _eval_p2pkh(fast_stack, script, flags, checker, FLUX_BRANCH_ID)
        slow = eval_script(slow_stack, script, flags, checker, FLUX_BRANCH_ID)
        assert fast is slow
        if fast is ScriptError.OK:
            assert fast_stack == slow_stack

    check()


def test_workers_that_cannot_start_leave_the_checks_inline(monkeypatch):
    from fluxd.chainstate import worker_pool

    starts = []

    class Unstartable:
        def __init__(self):
            starts.append(1)
            raise OSError("no processes left")

    monkeypatch.setattr(worker_pool, "_Worker", Unstartable)
    verifier = ScriptVerifier.with_processes(2)
    try:
        for _ in range(10):
            assert verifier.first_failure(_batches(2)) is None
        failure = verifier.first_failure(_batches(3, broken=1))
        assert failure is not None and failure.input_index == 1
        assert len(starts) == 2 + worker_pool.MAX_RESTARTS  # then no more attempts
    finally:
        verifier.close()


def test_the_writer_keeps_a_share_of_the_checks_when_it_had_to_wait():
    from fluxd.chainstate import script_workers

    pool = script_workers.ScriptWorkers(1)
    for _ in range(200):
        pool.balance(waited=True)
    assert pool.inline_share == script_workers.MAX_INLINE_SHARE
    verifier = ScriptVerifier(workers=pool)
    try:
        pending = verifier.submit(_batches(4, broken=3))  # the last two batches are kept for the writer
        assert [ticket is None for _, _, ticket in pending._parts] == [False, True]
        failure = pending.failure()
        assert failure is not None and failure.input_index == 1
        for _ in range(200):
            pool.balance(waited=False)
        assert pool.inline_share == 0.0
    finally:
        verifier.close()


def test_a_worker_fails_an_unparsable_chunk_so_the_writer_checks_it():
    import io

    from fluxd.chainstate.script_workers import ScriptChunk
    from fluxd.chainstate.worker_jobs import FAILED, OK, decode, encode
    from fluxd.chainstate.worker_pool import _FRAME, worker_main

    good = ScriptChunk.of(_batches(2))
    broken = ScriptChunk(good.flags, good.branch_id, ((b"\x01\x02", ((b"", 0),)),))
    frames = b"".join(_FRAME.pack(len(body)) + body for body in (encode((1, "script-chunk", encode(good))), encode((2, "script-chunk", encode(broken)))))
    answers = io.BytesIO()
    worker_main(io.BytesIO(frames + b"\x05\x00"), answers)  # a torn last frame ends the worker quietly
    data, replies = answers.getvalue(), []
    while data:
        (size,) = _FRAME.unpack_from(data)
        replies.append(decode(data[4 : 4 + size]))
        data = data[4 + size :]
    assert replies == [(1, OK, encode(None)), (2, FAILED, b"")]
