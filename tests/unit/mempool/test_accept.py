"""AcceptToMemoryPool on a PoW regtest chain with mature coinbases: C++ reasons, refusals, chains, block removal."""

from __future__ import annotations

import dataclasses

import pytest

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.merkle import block_merkle_root
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.accept import AcceptContext, MempoolRejected, accept_to_memory_pool
from fluxd.mempool.pool import MEMPOOL_HEIGHT, Mempool
from fluxd.params import networks
from tests.fake_clock import START
from tests.fake_clock import FakeClock as Clock
from fluxd.params.upgrades import Upgrade
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEY = PrivateKey(bytes([5]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)
OTHER = p2pkh_script(PrivateKey(bytes([6]) * 32).key_id)


@pytest.fixture
def chain(tmp_path):
    clock = Clock()
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock)
    chainstate.load()
    blocks = []
    for _ in range(105):
        clock.time += 600
        block = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time)
        chainstate.process_block(block)
        blocks.append(block)
    return chainstate, clock, blocks


def coinbase_outpoint(blocks, height: int) -> tuple[OutPoint, int]:
    coinbase = blocks[height - 1].transactions[0]
    return OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value


def spend(prevout: OutPoint, value: int, outputs: list[TxOut], lock_time: int = 0, sequence: int = 0xFFFFFFFF) -> Transaction:
    store = KeyStore()
    store.add_key(KEY)
    unsigned = Transaction(version=1, vin=(TxIn(prevout, b"", sequence),), vout=tuple(outputs), lock_time=lock_time)
    script_sig, complete = produce_signature(store, SCRIPT, SigningInput(unsigned, 0, value, 1, 0))
    assert complete
    return unsigned.copy_with(vin=(TxIn(prevout, script_sig, sequence),))


def context(chainstate, clock, pool=None, **options) -> AcceptContext:
    options.setdefault("limit_free", False)  # as sendrawtransaction; peers pass limit_free=True
    return AcceptContext(pool if pool is not None else Mempool(), chainstate, clock.time, **options)


def rejected(context_, tx) -> MempoolRejected:
    with pytest.raises(MempoolRejected) as failure:
        accept_to_memory_pool(context_, tx)
    return failure.value


def test_accept_then_chained_spend_then_conflict(chain):
    chainstate, clock, blocks = chain
    prevout, value = coinbase_outpoint(blocks, 1)
    ctx = context(chainstate, clock, reject_absurd_fee=False)
    parent = spend(prevout, value, [TxOut(value - 10_000, SCRIPT)])
    entry = accept_to_memory_pool(ctx, parent)
    assert entry.fee == 10_000 and entry.spends_coinbase and entry.height == 105
    child = spend(OutPoint(parent.txid_rev, 0), value - 10_000, [TxOut(value - 20_000, OTHER)])
    child_entry = accept_to_memory_pool(ctx, child)
    assert child_entry.parents == {parent.txid_rev}
    assert ctx.pool.output_coin(OutPoint(child.txid_rev, 0)).height == MEMPOOL_HEIGHT
    assert [e.txid_rev for e in ctx.pool.ordered_for_block()] == [parent.txid_rev, child.txid_rev]
    double = spend(prevout, value, [TxOut(value - 50_000, OTHER)])
    refusal = rejected(ctx, double)
    assert not refusal.invalid and refusal.reason == "" and not refusal.missing_inputs
    again = rejected(ctx, parent)
    assert not again.invalid
    removed = ctx.pool.remove(parent.txid_rev)
    assert {e.txid_rev for e in removed} == {parent.txid_rev, child.txid_rev} and len(ctx.pool) == 0


def test_missing_inputs_and_spent_inputs(chain):
    chainstate, clock, blocks = chain
    ctx = context(chainstate, clock, reject_absurd_fee=False)
    orphan = spend(OutPoint(b"\x42" * 32, 0), 10**8, [TxOut(10**8 - 1000, SCRIPT)])
    refusal = rejected(ctx, orphan)
    assert refusal.missing_inputs and not refusal.invalid
    prevout, value = coinbase_outpoint(blocks, 2)
    wrong_index = spend(OutPoint(prevout.txid_rev, 7), value, [TxOut(1000, SCRIPT)])
    spent = rejected(ctx, wrong_index)  # the transaction has unspent outputs, just not this one
    assert (spent.reason, spent.code, spent.invalid) == ("bad-txns-inputs-spent", 0x12, True)


def test_consensus_and_policy_reasons(chain):
    chainstate, clock, blocks = chain
    ctx = context(chainstate, clock, reject_absurd_fee=False)
    prevout, value = coinbase_outpoint(blocks, 3)
    too_much = rejected(ctx, spend(prevout, value, [TxOut(value + 1, SCRIPT)]))
    assert (too_much.reason, too_much.dos) == ("bad-txns-in-belowout", 100)
    immature_out, immature_value = coinbase_outpoint(blocks, 100)
    immature = rejected(ctx, spend(immature_out, immature_value, [TxOut(immature_value - 1000, SCRIPT)]))
    assert immature.reason == "bad-txns-premature-spend-of-coinbase"
    coinbase = rejected(ctx, blocks[-1].transactions[0])
    assert (coinbase.reason, coinbase.dos) == ("coinbase", 100)
    empty = rejected(ctx, Transaction(version=1, vin=(TxIn(prevout, b""),), vout=()))
    assert (empty.reason, empty.dos) == ("bad-txns-vout-empty", 10)
    future = rejected(ctx, spend(prevout, value, [TxOut(value - 1000, SCRIPT)], lock_time=500, sequence=0))
    assert (future.reason, future.code) == ("non-final", 0x40)
    unsigned = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=(TxOut(value - 1000, SCRIPT),))
    script = rejected(ctx, unsigned)
    assert script.reason.startswith("mandatory-script-verify-flag-failed") and script.dos == 100


def test_absurd_fee_and_insufficient_fee_from_peers(chain):
    chainstate, clock, blocks = chain
    prevout, value = coinbase_outpoint(blocks, 4)
    greedy = spend(prevout, value, [TxOut(value - 10**8, SCRIPT)])
    absurd = rejected(context(chainstate, clock), greedy)
    assert not absurd.invalid and absurd.reason.startswith(f"AcceptToMemoryPool: absurdly high fees {greedy.txid_hum}, 100000000 > ")
    accept_to_memory_pool(context(chainstate, clock, reject_absurd_fee=False), greedy)
    negative_fee = spend(prevout, value, [TxOut(value + 5, SCRIPT)])
    from_peer = rejected(context(chainstate, clock, limit_free=True), negative_fee)
    assert (from_peer.reason, from_peer.code) == ("insufficient fee", 0x42)


def test_standardness_on_a_require_standard_network(chain):
    chainstate, clock, blocks = chain
    strict = dataclasses.replace(chainstate.params, require_standard=True)
    chainstate.params = strict
    try:
        prevout, value = coinbase_outpoint(blocks, 5)
        ctx = context(chainstate, clock, reject_absurd_fee=False)
        dust = rejected(ctx, spend(prevout, value, [TxOut(53, SCRIPT), TxOut(value - 10_000, SCRIPT)]))
        assert (dust.reason, dust.code) == ("dust", 0x40)
        odd_script = rejected(ctx, spend(prevout, value, [TxOut(value - 10_000, b"\x51\x52")]))
        assert odd_script.reason == "scriptpubkey"
        two_returns = [TxOut(0, b"\x6a"), TxOut(0, b"\x6a\x01\x00"), TxOut(value - 10_000, SCRIPT)]
        assert rejected(ctx, spend(prevout, value, two_returns)).reason == "multi-op-return"
        accept_to_memory_pool(ctx, spend(prevout, value, [TxOut(54, SCRIPT), TxOut(value - 10_000, SCRIPT)]))
    finally:
        chainstate.params = PARAMS


def test_block_connect_removes_confirmed_and_conflicting(chain):
    chainstate, clock, blocks = chain
    pool = Mempool()
    ctx = context(chainstate, clock, pool, reject_absurd_fee=False)
    first_out, first_value = coinbase_outpoint(blocks, 1)
    second_out, second_value = coinbase_outpoint(blocks, 2)
    confirmed = accept_to_memory_pool(ctx, spend(first_out, first_value, [TxOut(first_value - 1000, SCRIPT)])).tx
    loser = accept_to_memory_pool(ctx, spend(second_out, second_value, [TxOut(second_value - 1000, SCRIPT)])).tx
    winner = spend(second_out, second_value, [TxOut(second_value - 2000, OTHER)])
    clock.time += 600
    template = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time)
    txs = (template.transactions[0], confirmed, winner)
    root, _ = block_merkle_root([tx.txid_rev for tx in txs])
    block = Block(template.header.copy_with(merkle_root_rev=root), txs)
    removed = pool.remove_for_block(block, 106, clock.time)
    assert {entry.txid_rev for entry in removed} == {confirmed.txid_rev, loser.txid_rev} and len(pool) == 0


def test_mempool_dat_round_trip_and_damage(chain, tmp_path):
    from fluxd.mempool.persist import dump_mempool, read_mempool

    chainstate, clock, blocks = chain
    pool = Mempool()
    ctx = context(chainstate, clock, pool, reject_absurd_fee=False)
    prevout, value = coinbase_outpoint(blocks, 1)
    tx = accept_to_memory_pool(ctx, spend(prevout, value, [TxOut(value - 1000, SCRIPT)])).tx
    pool.prioritise(b"\x07" * 32, 0.0, 1234)
    path = tmp_path / "mempool.dat"
    assert dump_mempool(pool, path) == 1
    transactions, deltas = read_mempool(path)
    assert [(item[0].txid_rev, item[1]) for item in transactions] == [(tx.txid_rev, clock.time)] and deltas == {b"\x07" * 32: 1234}
    path.write_bytes(path.read_bytes()[:-5])
    assert read_mempool(path) == ([], {})
    assert read_mempool(tmp_path / "missing.dat") == ([], {})


def test_a_nullifier_already_spent_in_the_pool_refuses(chain):
    from fluxd.core.shielded_parts import SpendDescription
    from fluxd.mempool.pool import MempoolEntry

    chainstate, clock, _ = chain
    pool = Mempool()
    spend_description = SpendDescription(cv=bytes(32), anchor=bytes(32), nullifier=b"\x31" * 32, rk=bytes(32), zkproof=bytes(192), spend_auth_sig=bytes(64))
    shielded = Transaction(version=1, vin=(), vout=(TxOut(1, SCRIPT),)).copy_with(shielded_spends=(spend_description,))
    pool.add(MempoolEntry(tx=shielded, fee=0, size=500, time=clock.time, height=105), clock.time)
    assert pool.nullifiers == {b"\x31" * 32: shielded.txid_rev}
    from fluxd.mempool.accept import _no_conflicts

    rival = shielded.copy_with(vout=(TxOut(2, SCRIPT),))
    with pytest.raises(MempoolRejected) as refusal:
        _no_conflicts(pool, rival)
    assert not refusal.value.invalid
    pool.remove(shielded.txid_rev)
    assert pool.nullifiers == {}
    _no_conflicts(pool, rival)


def test_a_block_revealing_a_pool_nullifier_evicts_that_transaction(chain):
    """C++ removeConflicts: a block transaction spending a note a pool transaction spends takes it out."""
    from fluxd.core.block import Block, BlockHeader
    from fluxd.core.shielded_parts import SpendDescription
    from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID
    from fluxd.mempool.pool import MempoolEntry

    _, clock, _ = chain
    pool = Mempool()
    spend = SpendDescription(cv=bytes(32), anchor=bytes(32), nullifier=b"\x41" * 32, rk=bytes(32), zkproof=bytes(192), spend_auth_sig=bytes(64))
    pooled = Transaction(version=4, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID, vout=(TxOut(1, SCRIPT),),
                         shielded_spends=(spend,))  # v4: the spends are in the txid
    unrelated = pooled.copy_with(shielded_spends=(SpendDescription(*(bytes(32),) * 2, b"\x42" * 32, bytes(32), bytes(192), bytes(64)),))
    for tx in (pooled, unrelated):
        pool.add(MempoolEntry(tx=tx, fee=0, size=500, time=clock.time, height=105), clock.time)
    mined = pooled.copy_with(vout=(TxOut(3, SCRIPT),))
    block = Block(BlockHeader(4, bytes(32), bytes(32), bytes(32), 0, 0), (mined,))
    removed = pool.remove_for_block(block, 106, clock.time)
    assert [entry.txid_rev for entry in removed] == [pooled.txid_rev]
    assert pool.nullifiers == {b"\x42" * 32: unrelated.txid_rev}
