"""The fee and priority estimator (C++ policy/fees.{h,cpp} CBlockPolicyEstimator, as Flux has it).

Two trackers: fee rates (zatoshi per 1000 bytes, buckets 100 * 1.1^k up to 1e7)
and priorities (buckets 57.6e6 * 2^k up to 1e16).  A pool transaction counts for
the priority tracker when it pays no fee or is "likely" mined for its priority,
for the fee tracker when it is likely mined for its fee; the likely/unlikely
cut-offs are re-estimated at every block.  Only transactions whose inputs were
all confirmed when they entered count, and only while the node is current
(not in initial block download).  ``estimate_fee`` answers 0 and
``estimate_priority`` -1 when there is not enough data.  Thread-safe.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import Protocol

from fluxd.core.amount import COIN, MAX_MONEY
from fluxd.mempool.fee_stats import TxConfirmStats

log = logging.getLogger("fluxd.estimatefee")

DEFAULT_DECAY = 0.998  # a half-life of 346 blocks
MAX_BLOCK_CONFIRMS = 25
MIN_SUCCESS_PCT = 0.85
UNLIKELY_PCT = 0.5
SUFFICIENT_FEETXS = 1.0
SUFFICIENT_PRITXS = 0.2
MIN_FEERATE = 10
MAX_FEERATE = 1e7
INF_FEERATE = MAX_MONEY
MIN_PRIORITY = 10.0
MAX_PRIORITY = 1e16
INF_PRIORITY = 1e9 * MAX_MONEY
FEE_SPACING = 1.1
PRI_SPACING = 2.0
DEFAULT_MIN_RELAY_TX_FEE = 100  # the estimator is built from the default (C++ static mempool), never -minrelaytxfee
ALLOW_FREE_THRESHOLD = COIN * 144 // 250


class EstimatorTx(Protocol):
    """What the estimator reads of a pool entry (C++ CTxMemPoolEntry)."""

    txid_rev: bytes
    height: int
    fee: int
    size: int
    clear_at_entry: bool

    def priority(self, height: int) -> float: ...


@dataclass(slots=True)
class _Tracked:
    stats: TxConfirmStats
    height: int
    bucket: int


def fee_per_k(fee: int, size: int) -> int:
    """CFeeRate(nFeePaid, nSize).GetFeePerK(): int64 division truncating toward zero."""
    if size <= 0:
        return 0
    rate = abs(fee) * 1000 // size
    return rate if fee >= 0 else -rate


def fee_rate_from_double(value: float) -> int:
    """CFeeRate(CAmount(value)): a double truncated toward zero (clamped where C++ would be undefined)."""
    if math.isnan(value):
        return 0
    return int(max(-(2**63), min(2**63 - 1, math.trunc(value) if math.isfinite(value) else math.copysign(2**63 - 1, value))))


def _limits(start: float, stop: float, spacing: float) -> list[float]:
    limits = []
    boundary = float(start)
    while boundary <= stop:
        limits.append(boundary)
        boundary *= spacing
    return limits


class BlockPolicyEstimator:
    def __init__(self, min_relay_fee_per_k: int = DEFAULT_MIN_RELAY_TX_FEE) -> None:
        self.lock = threading.RLock()
        self.min_tracked_fee = max(min_relay_fee_per_k, MIN_FEERATE)
        self.min_tracked_priority = max(float(ALLOW_FREE_THRESHOLD), MIN_PRIORITY)
        self.fee_stats = TxConfirmStats(_limits(self.min_tracked_fee, MAX_FEERATE, FEE_SPACING), MAX_BLOCK_CONFIRMS, DEFAULT_DECAY, "FeeRate")
        self.pri_stats = TxConfirmStats(_limits(self.min_tracked_priority, MAX_PRIORITY, PRI_SPACING), MAX_BLOCK_CONFIRMS, DEFAULT_DECAY, "Priority")
        self.best_seen_height = 0
        self.tracked: dict[bytes, _Tracked] = {}  # C++ mapMemPoolTxs (only entries with stats)
        self.fee_likely, self.fee_unlikely = INF_FEERATE, 0
        self.pri_likely, self.pri_unlikely = INF_PRIORITY, 0.0

    # ----- classification ---------------------------------------------------------------------
    def is_fee_data_point(self, rate: int, priority: float) -> bool:
        return (priority < self.min_tracked_priority and rate >= self.min_tracked_fee) or (priority < self.pri_unlikely and rate > self.fee_likely)

    def is_pri_data_point(self, rate: int, priority: float) -> bool:
        return (rate < self.min_tracked_fee and priority >= self.min_tracked_priority) or (rate < self.fee_unlikely and priority > self.pri_likely)

    def _stats_for(self, fee: int, rate: int, priority: float) -> TxConfirmStats | None:
        if fee == 0 or self.is_pri_data_point(rate, priority):
            return self.pri_stats
        if self.is_fee_data_point(rate, priority):
            return self.fee_stats
        return None

    def _value_for(self, stats: TxConfirmStats, rate: int, priority: float) -> float:
        return priority if stats is self.pri_stats else float(rate)

    # ----- mempool events ----------------------------------------------------------------------
    def process_transaction(self, entry: EstimatorTx, current: bool) -> None:
        """processTransaction: a transaction entering the pool starts being tracked as unconfirmed."""
        with self.lock:
            if entry.txid_rev in self.tracked:
                log.debug("Blockpolicy error mempool tx %s already being tracked", entry.txid_rev[::-1].hex())
                return
            if entry.height < self.best_seen_height or not current or not entry.clear_at_entry:
                return
            rate = fee_per_k(entry.fee, entry.size)
            priority = entry.priority(entry.height)
            stats = self._stats_for(entry.fee, rate, priority)
            if stats is None:
                return
            bucket = stats.new_tx(entry.height, self._value_for(stats, rate, priority))
            self.tracked[entry.txid_rev] = _Tracked(stats, entry.height, bucket)

    def remove_tx(self, txid_rev: bytes) -> None:
        """removeTx: a transaction leaving the pool (mined, conflicted, expired, evicted) stops being unconfirmed."""
        with self.lock:
            tracked = self.tracked.pop(txid_rev, None)
            if tracked is not None:
                tracked.stats.remove_tx(tracked.height, self.best_seen_height, tracked.bucket)

    def process_block(self, block_height: int, confirmed: list[EstimatorTx], current: bool) -> None:
        """processBlock: cut-offs re-estimated, then the block's pool transactions recorded, then decay."""
        with self.lock:
            if block_height <= self.best_seen_height:
                return  # side chains and re-orgs are ignored
            self.best_seen_height = block_height
            if not current:
                return
            self._update_cutoffs(block_height)
            self.fee_stats.clear_current(block_height)
            self.pri_stats.clear_current(block_height)
            for entry in confirmed:
                self._process_block_tx(block_height, entry)
            self.fee_stats.update_moving_averages()
            self.pri_stats.update_moving_averages()
            log.debug("Blockpolicy after updating estimates for %u confirmed entries, new mempool map size %u", len(confirmed), len(self.tracked))

    def _update_cutoffs(self, height: int) -> None:
        """Likely: > 85% confirmed within 2 blocks; unlikely: < 50% within 10 blocks."""
        likely = self.pri_stats.estimate_median_value(2, SUFFICIENT_PRITXS, MIN_SUCCESS_PCT, True, height)
        self.pri_likely = INF_PRIORITY if likely == -1 else likely
        likely = self.fee_stats.estimate_median_value(2, SUFFICIENT_FEETXS, MIN_SUCCESS_PCT, True, height)
        self.fee_likely = INF_FEERATE if likely == -1 else fee_rate_from_double(likely)
        unlikely = self.pri_stats.estimate_median_value(10, SUFFICIENT_PRITXS, UNLIKELY_PCT, False, height)
        self.pri_unlikely = 0.0 if unlikely == -1 else unlikely
        unlikely = self.fee_stats.estimate_median_value(10, SUFFICIENT_FEETXS, UNLIKELY_PCT, False, height)
        self.fee_unlikely = 0 if unlikely == -1 else fee_rate_from_double(unlikely)

    def _process_block_tx(self, block_height: int, entry: EstimatorTx) -> None:
        if not entry.clear_at_entry:
            return
        blocks_to_confirm = block_height - entry.height
        if blocks_to_confirm <= 0:
            log.debug("Blockpolicy error Transaction had negative blocksToConfirm")
            return
        rate = fee_per_k(entry.fee, entry.size)
        priority = entry.priority(block_height)
        stats = self._stats_for(entry.fee, rate, priority)
        if stats is not None:
            stats.record(blocks_to_confirm, self._value_for(stats, rate, priority))

    # ----- answers ----------------------------------------------------------------------------
    def estimate_fee(self, conf_target: int) -> int:
        """estimateFee: zatoshi per 1000 bytes, 0 when the target is not tracked or there is too little data."""
        with self.lock:
            if conf_target <= 0 or conf_target > self.fee_stats.max_confirms:
                return 0
            median = self.fee_stats.estimate_median_value(conf_target, SUFFICIENT_FEETXS, MIN_SUCCESS_PCT, True, self.best_seen_height)
            return 0 if median < 0 else fee_rate_from_double(median)

    def estimate_priority(self, conf_target: int) -> float:
        """estimatePriority: -1 when the target is not tracked or there is too little data."""
        with self.lock:
            if conf_target <= 0 or conf_target > self.pri_stats.max_confirms:
                return -1.0
            return self.pri_stats.estimate_median_value(conf_target, SUFFICIENT_PRITXS, MIN_SUCCESS_PCT, True, self.best_seen_height)
