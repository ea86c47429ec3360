"""The fee/priority estimator on synthetic pools: C++ buckets, sufficient-data rules, decay, classification."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from fluxd.mempool.fee_estimator import ALLOW_FREE_THRESHOLD, BlockPolicyEstimator, fee_per_k, fee_rate_from_double
from fluxd.mempool.fee_stats import StatsData

_NUMBERS = itertools.count(1)


@dataclass
class Tx:
    height: int
    fee: int
    size: int = 1000
    clear_at_entry: bool = True
    start_priority: float = 0.0
    priority_per_block: float = 0.0
    txid_rev: bytes = b""

    def __post_init__(self) -> None:
        self.txid_rev = next(_NUMBERS).to_bytes(32, "little")

    def priority(self, height: int) -> float:
        return self.start_priority + (height - self.height) * self.priority_per_block


def run_chain(estimator, blocks: int, flows, first_height: int = 1) -> list:
    """Each block: confirm what is due, then new transactions enter. ``flows``: (tx factory, count, delay)."""
    pending: list[tuple[Tx, int]] = []
    for height in range(first_height, first_height + blocks):
        due = [tx for tx, delay in pending if height - tx.height >= delay]
        pending = [(tx, delay) for tx, delay in pending if height - tx.height < delay]
        for tx in due:
            estimator.remove_tx(tx.txid_rev)
        estimator.process_block(height, due, True)
        for make, count, delay in flows:
            for _ in range(count):
                tx = make(height)
                estimator.process_transaction(tx, True)
                pending.append((tx, delay))
    return pending


def fee_flows(per_block: int = 3):
    return [
        (lambda h: Tx(h, 50_000), per_block, 1),  # 50,000 zat/kB confirm in the next block
        (lambda h: Tx(h, 20_000), per_block, 3),
        (lambda h: Tx(h, 5_000), per_block, 8),
    ]


def test_bucket_layout_as_cpp():
    estimator = BlockPolicyEstimator()
    fee_buckets, pri_buckets = estimator.fee_stats.buckets, estimator.pri_stats.buckets
    assert len(fee_buckets) == 122 and fee_buckets[0] == 100.0 and fee_buckets[1] == 100.0 * 1.1 and math.isinf(fee_buckets[-1])
    assert fee_buckets[-2] <= 1e7 < fee_buckets[-2] * 1.1
    assert len(pri_buckets) == 29 and pri_buckets[0] == ALLOW_FREE_THRESHOLD == 57_600_000 and pri_buckets[-2] == 57_600_000 * 2.0**27
    assert estimator.fee_stats.max_confirms == 25 and estimator.fee_stats.decay == 0.998
    assert BlockPolicyEstimator(5).min_tracked_fee == 10 and BlockPolicyEstimator(1000).fee_stats.buckets[0] == 1000.0


def test_fee_rate_arithmetic():
    assert fee_per_k(10_000, 226) == 44_247 and fee_per_k(1, 0) == 0 and fee_per_k(-10, 3) == -3333
    assert fee_rate_from_double(19_999.9) == 19_999 and fee_rate_from_double(math.nan) == 0


def test_too_little_data_answers_nothing():
    estimator = BlockPolicyEstimator()
    run_chain(estimator, 30, fee_flows())
    assert [estimator.estimate_fee(target) for target in range(1, 26)] == [0] * 25
    assert estimator.estimate_priority(1) == -1.0
    assert estimator.estimate_fee(0) == 0 and estimator.estimate_fee(26) == 0 and estimator.estimate_priority(26) == -1.0


def test_faster_confirmed_fee_rates_estimate_higher():
    estimator = BlockPolicyEstimator()
    run_chain(estimator, 400, fee_flows())
    estimates = [estimator.estimate_fee(target) for target in range(1, 26)]
    assert estimates[0] == 50_000 and estimates[1] == 50_000  # only the top flow confirms within 1-2 blocks
    assert estimates[2] == 20_000 and estimates[6] == 20_000
    assert estimates[7] == 5_000 and estimates[24] == 5_000
    assert all(earlier >= later for earlier, later in zip(estimates, estimates[1:]))
    assert estimator.best_seen_height == 400 and estimator.estimate_priority(1) == -1.0


def _stats(count: float, confirmed_from: int, value: float = 30_000.0) -> StatsData:
    """Fee stats with ``count`` average transactions at ``value``, confirmed within ``confirmed_from`` blocks."""
    model = BlockPolicyEstimator().fee_stats
    bucket, width = model.find_bucket_index(value), len(model.buckets)
    avg, counts = [0.0] * width, [0.0] * width
    avg[bucket], counts[bucket] = value * count, count
    conf = [[0.0] * width for _ in range(25)]
    for confirms in range(confirmed_from, 26):
        conf[confirms - 1][bucket] = count
    return StatsData(0.998, model.buckets, avg, counts, conf)


BUCKET_30K = BlockPolicyEstimator().fee_stats.find_bucket_index(30_000.0)


def test_sufficient_data_is_an_average_of_one_transaction_per_block():
    """totalNum >= SUFFICIENT_FEETXS / (1 - decay): 500 transactions' worth of decayed average."""
    estimator = BlockPolicyEstimator()
    estimator.fee_stats.load(_stats(499.0, 2))
    assert estimator.estimate_fee(2) == 0
    estimator.fee_stats.load(_stats(500.0, 2))
    assert estimator.estimate_fee(1) == 0  # none of them within one block
    assert estimator.estimate_fee(2) == 30_000 and estimator.estimate_fee(25) == 30_000


def test_decay_forgets_old_blocks():
    estimator = BlockPolicyEstimator()
    estimator.fee_stats.load(_stats(600.0, 1))
    estimator.best_seen_height = 1000
    for height in range(1001, 1092):  # 600 * 0.998**91 = 500.07
        estimator.process_block(height, [], True)
    assert estimator.fee_stats.tx_count_avg[BUCKET_30K] == 600.0 * 0.998**91 or math.isclose(estimator.fee_stats.tx_count_avg[BUCKET_30K], 600.0 * 0.998**91)
    assert estimator.estimate_fee(1) == 30_000
    estimator.process_block(1092, [], True)  # 499.07
    assert estimator.estimate_fee(1) == 0


def test_blocks_not_above_the_best_seen_height_change_nothing():
    estimator = BlockPolicyEstimator()
    estimator.fee_stats.load(_stats(600.0, 1))
    estimator.best_seen_height = 50
    estimator.process_block(50, [], True)
    estimator.process_block(49, [], True)
    assert estimator.fee_stats.tx_count_avg[BUCKET_30K] == 600.0
    estimator.process_block(51, [], False)  # not current: height moves, no decay
    assert estimator.best_seen_height == 51 and estimator.fee_stats.tx_count_avg[BUCKET_30K] == 600.0


def test_waiting_pool_transactions_count_as_failures():
    """success = confirmed / (total + pool transactions waiting >= target blocks): 598.8 / (598.8 + 120) < 0.85."""
    estimator = BlockPolicyEstimator()
    estimator.fee_stats.load(_stats(600.0, 1))
    estimator.best_seen_height = 100
    waiting = [Tx(100, 30_000) for _ in range(120)]
    for tx in waiting:
        estimator.process_transaction(tx, True)
    assert estimator.estimate_fee(1) == 30_000  # entered at the best height: not waiting yet
    estimator.process_block(101, [], True)
    estimator.process_block(102, [], True)
    assert estimator.estimate_fee(1) == 0 and estimator.estimate_fee(2) == 0
    assert estimator.estimate_fee(3) == 30_000  # waiting 2 blocks: not failures for a 3-block target
    for tx in waiting[:30]:
        estimator.remove_tx(tx.txid_rev)
    assert estimator.estimate_fee(1) == 30_000  # 598.8 / 688.8 > 0.85


def test_ring_slots_use_unsigned_height_arithmetic():
    """At block height 3, target 5 reads slots (3 - c) mod 2^32 mod 25 = 19..0 (C++), not 23..4."""
    def estimate_with_waiting(entry_height: int) -> int:
        estimator = BlockPolicyEstimator()
        estimator.fee_stats.load(_stats(500.0, 1))
        for _ in range(100):
            estimator.fee_stats.new_tx(entry_height, 30_000.0)
        estimator.best_seen_height = 3
        return estimator.estimate_fee(5)

    assert estimate_with_waiting(22) == 30_000
    assert estimate_with_waiting(19) == 0


def test_transaction_classification():
    estimator = BlockPolicyEstimator()
    entries = {
        "zero fee": Tx(10, 0, start_priority=1.0),
        "fee": Tx(10, 5_000, start_priority=1.0),
        "free by priority": Tx(10, 50, start_priority=1e9),
        "neither": Tx(10, 50, start_priority=1.0),
        "has pool parents": Tx(10, 5_000, clear_at_entry=False),
    }
    estimator.best_seen_height = 10
    for tx in entries.values():
        estimator.process_transaction(tx, True)
    tracked = {name: estimator.tracked.get(tx.txid_rev) for name, tx in entries.items()}
    assert tracked["zero fee"].stats is estimator.pri_stats and tracked["zero fee"].bucket == 0
    assert tracked["fee"].stats is estimator.fee_stats and tracked["fee"].bucket == estimator.fee_stats.find_bucket_index(5_000.0)
    assert tracked["free by priority"].stats is estimator.pri_stats
    assert tracked["neither"] is None and tracked["has pool parents"] is None
    late = Tx(9, 5_000)
    estimator.process_transaction(late, True)  # entered below the best seen height (a re-org)
    ibd = Tx(10, 5_000)
    estimator.process_transaction(ibd, False)
    assert late.txid_rev not in estimator.tracked and ibd.txid_rev not in estimator.tracked


def test_priority_estimates_from_zero_fee_transactions():
    """0.2 transactions per block suffice for priority; confirmation-time priority is what is recorded."""
    estimator = BlockPolicyEstimator()
    flows = [(lambda h: Tx(h, 0, start_priority=1e10, priority_per_block=0.0), 1, 1)]
    pending = run_chain(estimator, 112, flows)  # 111 blocks recorded one each: (1 - 0.998**111) / 0.002 = 99.6 < 100
    assert estimator.estimate_priority(1) == -1.0
    estimator.process_block(113, [tx for tx, _delay in pending], True)  # 112 recorded: 100.4
    assert math.isclose(estimator.estimate_priority(1), 1e10, rel_tol=1e-12) and estimator.estimate_fee(1) == 0
    assert estimator.pri_stats.tx_count_avg[estimator.pri_stats.find_bucket_index(1e10)] >= 100


def test_unclear_transactions_are_not_recorded_in_blocks():
    estimator = BlockPolicyEstimator()
    estimator.process_block(5, [Tx(4, 5_000, clear_at_entry=False)], True)
    assert sum(estimator.fee_stats.tx_count_avg) == 0
    estimator.process_block(6, [Tx(5, 5_000), Tx(6, 5_000)], True)  # the second has blocksToConfirm 0
    assert sum(estimator.fee_stats.tx_count_avg) == 1.0
