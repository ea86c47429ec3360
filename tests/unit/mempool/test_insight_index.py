"""The mempool address and spent indexes (C++ mapAddress / mapSpent): filled by AcceptToMemoryPool, emptied as transactions leave."""

from __future__ import annotations

from fluxd.chainstate.address_index import script_address_key
from fluxd.core.script import p2sh_script
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.mempool.accept import accept_to_memory_pool
from fluxd.mempool.insight_index import attach_insight_indexes
from fluxd.mempool.pool import Mempool
from tests.block_building import build_block
from tests.unit.mempool.test_accept import OTHER, SCRIPT, chain, coinbase_outpoint, context, spend  # noqa: F401 (chain: fixture)

P2SH = p2sh_script(bytes([0x42]) * 20)
OP_RETURN = bytes([0x6A, 0x01, 0x07])


def _pool() -> Mempool:
    pool = Mempool()
    attach_insight_indexes(pool, True, True)
    attach_insight_indexes(pool, True, True)  # once only
    assert len(pool.listeners) == 2
    return pool


def test_accept_adds_and_removal_erases(chain):
    chainstate, clock, blocks = chain
    pool = _pool()
    ctx = context(chainstate, clock, pool, reject_absurd_fee=False)
    prevout, value = coinbase_outpoint(blocks, 1)
    parent = spend(prevout, value, [TxOut(value - 30_000, SCRIPT), TxOut(10_000, P2SH), TxOut(0, OP_RETURN)])
    entry = accept_to_memory_pool(ctx, parent)
    assert [coin.value for coin in entry.spent_coins] == [value]
    child = spend(OutPoint(parent.txid_rev, 0), value - 30_000, [TxOut(value - 40_000, OTHER)])
    accept_to_memory_pool(ctx, child)
    mine = pool.address_index.deltas(script_address_key(SCRIPT))
    assert [(d.txid_rev, d.index, d.spending, d.satoshis) for d in mine] == sorted(
        [(parent.txid_rev, 0, True, -value), (parent.txid_rev, 0, False, value - 30_000), (child.txid_rev, 0, True, -(value - 30_000))]
    )
    assert [d.satoshis for d in pool.address_index.deltas(script_address_key(P2SH))] == [10_000]
    spent = pool.spent_index.spent_info(OutPoint(parent.txid_rev, 0))
    assert (spent.txid_rev, spent.input_index, spent.height, spent.satoshis, spent.address_key) == (
        child.txid_rev, 0, -1, value - 30_000, script_address_key(SCRIPT))  # fmt: skip
    assert pool.spent_index.spent_info(prevout).txid_rev == parent.txid_rev
    clock.time += 600
    block = build_block(chainstate.params, chainstate.tip, SCRIPT, clock.time, (parent,), 30_000)
    chainstate.process_block(block)
    pool.remove_for_block(block, chainstate.height, clock.time)  # the parent leaves confirmed, the child stays
    assert [d.txid_rev for d in pool.address_index.deltas(script_address_key(SCRIPT))] == [child.txid_rev]
    assert pool.address_index.deltas(script_address_key(P2SH)) == []
    assert pool.spent_index.spent_info(prevout) is None
    assert pool.spent_index.spent_info(OutPoint(parent.txid_rev, 0)).txid_rev == child.txid_rev
    pool.clear()
    assert pool.address_index.by_address == {} and pool.spent_index.spent == {}


def test_conflict_removal_erases(chain):
    chainstate, clock, blocks = chain
    pool = _pool()
    ctx = context(chainstate, clock, pool, reject_absurd_fee=False)
    prevout, value = coinbase_outpoint(blocks, 2)
    accept_to_memory_pool(ctx, spend(prevout, value, [TxOut(value - 10_000, SCRIPT)]))
    rival = spend(prevout, value, [TxOut(value - 20_000, OTHER)])
    pool.remove_conflicts(rival)
    assert pool.address_index.by_address == {} and pool.address_index.inserted == {}
    assert pool.spent_index.spent == {} and pool.spent_index.inserted == {}


def test_off_without_the_chain_indexes():
    pool = Mempool()
    attach_insight_indexes(pool, False, False)
    assert pool.address_index is None and pool.spent_index is None and pool.listeners == []
