"""The pool -> estimator feed: clear-at-entry, block entries read before removal, removals ordered as C++."""

from __future__ import annotations

from types import SimpleNamespace

from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.mempool.fee_feed import EstimatorEntry, FeeEstimatorFeed
from fluxd.mempool.pool import Mempool, MempoolEntry

NOW = 1_600_000_000


class SpyEstimator:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def process_transaction(self, entry, current):
        self.calls.append(("tx", entry.txid_rev, entry.clear_at_entry, current))

    def remove_tx(self, txid_rev):
        self.calls.append(("remove", txid_rev))

    def process_block(self, height, confirmed, current):
        self.calls.append(("block", height, [entry.txid_rev for entry in confirmed], current))


def tx(prevout: OutPoint, value: int = 10_000, expiry_height: int = 0) -> Transaction:
    if expiry_height:
        return Transaction(version=4, overwintered=True, version_group_id=0x892F2085, vin=(TxIn(prevout, b""),), vout=(TxOut(value, b"\x51"),), expiry_height=expiry_height)
    return Transaction(vin=(TxIn(prevout, b""),), vout=(TxOut(value, b"\x51"),))


def add(pool: Mempool, transaction: Transaction, fee: int = 1_000, height: int = 10) -> MempoolEntry:
    entry = MempoolEntry(transaction, fee, 250, NOW, height, starting_priority=5.0, modified_size=200)
    pool.add(entry, NOW)
    return entry


def connect(feed: FeeEstimatorFeed, pool: Mempool, transactions: list[Transaction], height: int) -> None:
    block = SimpleNamespace(transactions=transactions)
    confirmed = feed.block_confirmed(block)
    pool.remove_for_block(block, height, NOW)
    feed.block_connected(height, confirmed)


def test_added_entries_carry_clear_at_entry_and_currency():
    pool, spy = Mempool(), SpyEstimator()
    current = [True]
    FeeEstimatorFeed(spy, pool, lambda: current[0])
    parent = add(pool, tx(OutPoint(b"\x01" * 32, 0)))
    current[0] = False
    child = add(pool, tx(OutPoint(parent.txid_rev, 0)))
    assert spy.calls == [("tx", parent.txid_rev, True, True), ("tx", child.txid_rev, False, False)]


def test_block_entries_are_read_before_removal_and_expired_removed_after():
    pool, spy = Mempool(), SpyEstimator()
    feed = FeeEstimatorFeed(spy, pool, lambda: True)
    mined = add(pool, tx(OutPoint(b"\x01" * 32, 0)))
    conflict = add(pool, tx(OutPoint(b"\x02" * 32, 0), value=9_000))
    conflict_child = add(pool, tx(OutPoint(conflict.txid_rev, 0)))
    expiring = add(pool, tx(OutPoint(b"\x03" * 32, 0), expiry_height=11))
    block_conflict = tx(OutPoint(b"\x02" * 32, 0), value=8_000)  # the block spends what ``conflict`` spends
    spy.calls.clear()
    connect(feed, pool, [mined.tx, block_conflict], 12)
    removes_before = {call[1] for call in spy.calls[: spy.calls.index(next(c for c in spy.calls if c[0] == "block"))]}
    assert removes_before == {mined.txid_rev, conflict.txid_rev, conflict_child.txid_rev}
    assert spy.calls[-2:] == [("block", 12, [mined.txid_rev], True), ("remove", expiring.txid_rev)]
    assert len(pool) == 0


def test_priority_is_cpp_get_priority():
    entry = MempoolEntry(tx(OutPoint(b"\x01" * 32, 0), value=70_000), 30_000, 250, NOW, 10, starting_priority=5.0, modified_size=200)
    view = EstimatorEntry.of(entry, True)
    assert view.value_in == 100_000
    assert view.priority(10) == 5.0 and view.priority(13) == 5.0 + 3.0 * 100_000 / 200


def test_real_estimator_tracks_and_records_through_the_pool():
    pool, estimator = Mempool(), BlockPolicyEstimator()
    feed = FeeEstimatorFeed(estimator, pool, lambda: True)
    estimator.best_seen_height = 10
    entry = add(pool, tx(OutPoint(b"\x01" * 32, 0)), fee=5_000)  # 20,000 zat/kB, priority 5: a fee data point
    bucket = estimator.fee_stats.find_bucket_index(20_000.0)
    assert estimator.tracked[entry.txid_rev].stats is estimator.fee_stats
    assert estimator.fee_stats.unconf_txs[10 % 25][bucket] == 1
    connect(feed, pool, [entry.tx], 11)
    assert entry.txid_rev not in estimator.tracked and estimator.fee_stats.unconf_txs[10 % 25][bucket] == 0
    assert estimator.fee_stats.tx_count_avg[bucket] == 1.0 and estimator.fee_stats.conf_avg[0][bucket] == 1.0
    assert entry.txid_rev not in feed.clear_at_entry
