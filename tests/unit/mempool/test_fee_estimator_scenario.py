"""The scenario of the C++ policyestimator_tests (BlockPolicyEstimates, TxConfirmStats_FindBucketIndex), rewritten
against our estimator: ten fee levels and ten priority levels, higher ones mined more often."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from fluxd.core.amount import MAX_MONEY
from fluxd.mempool.fee_estimator import BlockPolicyEstimator, fee_per_k
from fluxd.mempool.fee_stats import TxConfirmStats

TX_SIZE = 188  # one input with a 128-byte scriptSig, one empty output
MODIFIED_SIZE = TX_SIZE - 41 - 110
BASE_FEE, BASE_PRIORITY = 2000, 1e6
DELTA_FEE, DELTA_PRIORITY = 100, 5e5
BASE_RATE = fee_per_k(BASE_FEE, TX_SIZE)
_IDS = itertools.count()


@dataclass
class Entry:
    height: int
    fee: int
    start_priority: float
    size: int = TX_SIZE
    clear_at_entry: bool = True
    txid_rev: bytes = field(default_factory=lambda: next(_IDS).to_bytes(32, "little"))

    def priority(self, height: int) -> float:
        """GetPriority: the value in is the fee here (outputs are empty)."""
        return self.start_priority + float(height - self.height) * self.fee / MODIFIED_SIZE


class Scenario:
    def __init__(self) -> None:
        self.estimator = BlockPolicyEstimator(1000)
        self.pending: list[list[Entry]] = [[] for _ in range(10)]
        self.height = 0

    def add_round(self) -> list[Entry]:
        """Per level j: four fee transactions (fee 2000 * (j+1)) and one priority transaction (1e6 * 10^(j+1))."""
        added = []
        for level in range(10):
            for k in range(5):
                entry = Entry(self.height, BASE_FEE * (level + 1), 0.0) if k < 4 else Entry(self.height, 0, BASE_PRIORITY * 10 ** (level + 1))
                self.estimator.process_transaction(entry, True)
                self.pending[level].append(entry)
                added.append(entry)
        return added

    def mine(self, entries: list[Entry]) -> None:
        for entry in entries:
            self.estimator.remove_tx(entry.txid_rev)
        self.height += 1
        self.estimator.process_block(self.height, entries, True)

    def take(self, levels) -> list[Entry]:
        taken = []
        for level in levels:
            taken.extend(reversed(self.pending[level]))
            self.pending[level] = []
        return taken

    def fees(self) -> list[int]:
        return [self.estimator.estimate_fee(target) for target in range(1, 10)]

    def priorities(self) -> list[float]:
        return [self.estimator.estimate_priority(target) for target in range(1, 10)]


def test_block_policy_estimates_as_cpp():
    scenario = Scenario()
    while scenario.height < 200:
        scenario.add_round()
        scenario.mine(scenario.take(9 - h for h in range(scenario.height % 10 + 1)))  # level 9 always, level 0 1 in 10
        if scenario.height == 30:
            assert scenario.estimator.estimate_fee(1) == 0  # five buckets must be combined: not enough yet
            assert abs(scenario.estimator.estimate_fee(2) - 8 * BASE_RATE) < DELTA_FEE

    fees, priorities = scenario.fees(), scenario.priorities()
    for target in range(1, 10):
        assert abs(fees[target - 1] - (10 - target) * BASE_RATE) < DELTA_FEE
        assert abs(priorities[target - 1] - 10 ** (10 - target) * BASE_PRIORITY) < DELTA_PRIORITY
    assert fees == sorted(fees, reverse=True) and priorities == sorted(priorities, reverse=True)

    while scenario.height < 250:  # 50 empty blocks: still enough data, estimates unchanged
        scenario.mine([])
    assert all(abs(now - before) < DELTA_FEE for now, before in zip(scenario.fees(), fees))
    assert all(abs(now - before) < DELTA_PRIORITY for now, before in zip(scenario.priorities(), priorities))

    while scenario.height < 265:  # lots of transactions, none mined: estimates go up
        scenario.add_round()
        scenario.mine([])
    assert all(now > before - DELTA_FEE for now, before in zip(scenario.fees(), fees))
    assert all(now > before - DELTA_PRIORITY for now, before in zip(scenario.priorities(), priorities))

    everything = scenario.take(range(10))
    for entry in everything:
        scenario.estimator.remove_tx(entry.txid_rev)
    scenario.estimator.process_block(265, everything, True)  # not above the best seen height: ignored
    assert all(now > before - DELTA_FEE for now, before in zip(scenario.fees(), fees))

    while scenario.height < 365:  # everything mined in the next block: estimates fall below the originals
        scenario.mine(scenario.add_round())
    assert all(now < before - DELTA_FEE for now, before in list(zip(scenario.fees(), fees))[:8])
    assert all(now < before - DELTA_PRIORITY for now, before in list(zip(scenario.priorities(), priorities))[:8])


def test_find_bucket_index_as_cpp():
    stats = TxConfirmStats([0.0, 3.5, 42.0], 25, 0.998, "Test")
    expected = {-1.0: 0, 0.0: 0, 1.0: 1, 3.5: 1, 4.0: 2, 43.0: 3, float(MAX_MONEY): 3, 2.0 * MAX_MONEY: 3, math.inf: 3, math.nan: 0}
    assert {value: stats.find_bucket_index(value) for value in expected} == expected
