"""One bucketed confirmation tracker of the fee estimator (C++ policy/fees.cpp TxConfirmStats).

Transactions are grouped in buckets by fee rate (or priority); each bucket keeps
exponentially decaying averages of how many transactions it saw, their summed
value, and how many were confirmed within 1..max_confirms blocks.  Unconfirmed
pool transactions are counted per entry height in a ring of ``max_confirms``
slots (older ones in ``old_unconf``).  Arithmetic follows C++ exactly: doubles
for the averages, ints for the counters, ``unsigned int`` wrap-around where C++
subtracts heights.
"""

from __future__ import annotations

import bisect
import logging
import math
from dataclasses import dataclass

log = logging.getLogger("fluxd.estimatefee")
UINT32 = 0xFFFFFFFF


def ieee_divide(numerator: float, denominator: float) -> float:
    """a / b as C++ doubles divide (inf / nan instead of ZeroDivisionError; only reachable with a crafted file)."""
    if denominator == 0:
        if numerator == 0 or math.isnan(numerator):
            return math.nan
        return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)
    return numerator / denominator


@dataclass(slots=True)
class StatsData:
    """What fee_estimates.dat stores for one tracker (TxConfirmStats::Write order)."""

    decay: float
    buckets: list[float]
    avg: list[float]
    tx_count_avg: list[float]
    conf_avg: list[list[float]]  # conf_avg[confirms - 1][bucket]


class TxConfirmStats:
    def __init__(self, bucket_limits: list[float], max_confirms: int, decay: float, name: str) -> None:
        """TxConfirmStats::Initialize: the limits plus an implicit +inf bucket, every average zero."""
        self.name = name
        buckets = [*bucket_limits, math.inf]
        self._install(StatsData(decay, buckets, [0.0] * len(buckets), [0.0] * len(buckets), [[0.0] * len(buckets) for _ in range(max_confirms)]))
        self.unconf_txs = [[0] * len(buckets) for _ in range(max_confirms)]
        self.old_unconf_txs = [0] * len(buckets)

    # ----- state ----------------------------------------------------------------------------------
    def _install(self, data: StatsData) -> None:
        self.decay = data.decay
        self.buckets = data.buckets
        self.avg = data.avg
        self.tx_count_avg = data.tx_count_avg
        self.conf_avg = data.conf_avg
        width = len(self.buckets)
        self.cur_block_conf = [[0] * width for _ in self.conf_avg]
        self.cur_block_tx_count = [0] * width
        self.cur_block_val = [0.0] * width
        # std::map<double, unsigned> bucketMap: sorted distinct limits, a repeated limit maps to its last index
        index_of = {limit: index for index, limit in enumerate(self.buckets)}
        self._sorted_limits = sorted(index_of)
        self._sorted_indexes = [index_of[limit] for limit in self._sorted_limits]

    def snapshot(self) -> StatsData:
        return StatsData(self.decay, list(self.buckets), list(self.avg), list(self.tx_count_avg), [list(row) for row in self.conf_avg])

    def load(self, data: StatsData) -> None:
        """TxConfirmStats::Read after its checks: the file's averages; unconfirmed counts resized, kept."""
        self._install(data)
        width, depth = len(data.buckets), len(data.conf_avg)
        self.unconf_txs = [_resized(row, width) for row in _resized_rows(self.unconf_txs, depth)]
        self.old_unconf_txs = _resized(self.old_unconf_txs, width)
        log.debug("Reading estimates: %u %s buckets counting confirms up to %u blocks", width, self.name, depth)

    @property
    def max_confirms(self) -> int:
        return len(self.conf_avg)

    def find_bucket_index(self, value: float) -> int:
        """bucketMap.lower_bound(value): the first limit >= value (C++ asserts one exists; we take the last)."""
        position = bisect.bisect_left(self._sorted_limits, value)
        return self._sorted_indexes[min(position, len(self._sorted_indexes) - 1)]

    # ----- per block --------------------------------------------------------------------------------
    def clear_current(self, block_height: int) -> None:
        """ClearCurrent: the ring slot of this height joins the old counts; the current-block counters reset."""
        slot = block_height % len(self.unconf_txs)
        for bucket in range(len(self.buckets)):
            self.old_unconf_txs[bucket] += self.unconf_txs[slot][bucket]
            self.unconf_txs[slot][bucket] = 0
        self.cur_block_conf = [[0] * len(self.buckets) for _ in self.conf_avg]
        self.cur_block_tx_count = [0] * len(self.buckets)
        self.cur_block_val = [0.0] * len(self.buckets)

    def record(self, blocks_to_confirm: int, value: float) -> None:
        """Record: a transaction confirmed after ``blocks_to_confirm`` (1-based) blocks counts for every target >= it."""
        if blocks_to_confirm < 1:
            return
        bucket = self.find_bucket_index(value)
        for confirms in range(blocks_to_confirm, len(self.cur_block_conf) + 1):
            self.cur_block_conf[confirms - 1][bucket] += 1
        self.cur_block_tx_count[bucket] += 1
        self.cur_block_val[bucket] += value

    def update_moving_averages(self) -> None:
        decay = self.decay
        for bucket in range(len(self.buckets)):
            for confirms in range(len(self.conf_avg)):
                self.conf_avg[confirms][bucket] = self.conf_avg[confirms][bucket] * decay + self.cur_block_conf[confirms][bucket]
            self.avg[bucket] = self.avg[bucket] * decay + self.cur_block_val[bucket]
            self.tx_count_avg[bucket] = self.tx_count_avg[bucket] * decay + self.cur_block_tx_count[bucket]

    # ----- mempool tracking -------------------------------------------------------------------------
    def new_tx(self, block_height: int, value: float) -> int:
        bucket = self.find_bucket_index(value)
        self.unconf_txs[block_height % len(self.unconf_txs)][bucket] += 1
        return bucket

    def remove_tx(self, entry_height: int, best_seen_height: int, bucket: int) -> None:
        """removeTx: undo new_tx; ``best_seen_height`` is not yet the new block's when a block confirms it."""
        blocks_ago = _as_int32(best_seen_height - entry_height) if best_seen_height != 0 else 0
        if blocks_ago < 0:
            log.debug("Blockpolicy error, blocks ago is negative for mempool tx")
            return
        if blocks_ago >= len(self.unconf_txs):
            if self.old_unconf_txs[bucket] > 0:
                self.old_unconf_txs[bucket] -= 1
            else:
                log.debug("Blockpolicy error, mempool tx removed from >25 blocks,bucketIndex=%u already", bucket)
            return
        slot = entry_height % len(self.unconf_txs)
        if self.unconf_txs[slot][bucket] > 0:
            self.unconf_txs[slot][bucket] -= 1
        else:
            log.debug("Blockpolicy error, mempool tx removed from blockIndex=%u,bucketIndex=%u already", slot, bucket)

    # ----- estimate ---------------------------------------------------------------------------------
    def estimate_median_value(self, conf_target: int, sufficient_tx_val: float, success_break_point: float, require_greater: bool, block_height: int) -> float:
        """EstimateMedianVal: the average value of the median bucket of the best passing bucket range, or -1."""
        if not 1 <= conf_target <= self.max_confirms:
            return -1.0  # C++ indexes out of range here (only with a file tracking fewer confirms)
        best_near, best_far, found = self._best_bucket_range(conf_target, sufficient_tx_val, success_break_point, require_greater, block_height)
        if not found:
            return -1.0
        return self._median_value(min(best_near, best_far), max(best_near, best_far))

    def _extra_unconfirmed(self, conf_target: int, block_height: int, bucket: int) -> int:
        """Pool transactions of this bucket waiting conf_target blocks or more (C++ unsigned height arithmetic)."""
        bins = len(self.unconf_txs)
        extra = sum(self.unconf_txs[((block_height - confirms) & UINT32) % bins][bucket] for confirms in range(conf_target, self.max_confirms))
        return extra + self.old_unconf_txs[bucket]

    def _best_bucket_range(self, conf_target: int, sufficient_tx_val: float, success_break_point: float, require_greater: bool, block_height: int):
        max_bucket = len(self.buckets) - 1
        start = max_bucket if require_greater else 0
        step = -1 if require_greater else 1
        cur_near = best_near = best_far = start
        found = False
        confirmed = total = 0.0
        extra = 0
        needed = sufficient_tx_val / (1 - self.decay)
        bucket = start
        while 0 <= bucket <= max_bucket:
            confirmed += self.conf_avg[conf_target - 1][bucket]
            total += self.tx_count_avg[bucket]
            extra = _as_int32(extra + self._extra_unconfirmed(conf_target, block_height, bucket))
            if total >= needed:
                success = ieee_divide(confirmed, total + extra)
                if (require_greater and success < success_break_point) or (not require_greater and success > success_break_point):
                    break
                found = True
                confirmed = total = 0.0
                extra = 0
                best_near, best_far = cur_near, bucket
                cur_near = bucket + step
            bucket += step
        return best_near, best_far, found

    def _median_value(self, low: int, high: int) -> float:
        """The bucket holding the middle transaction of [low, high]; its average value (C++ txSum walk)."""
        tx_sum = 0.0
        for bucket in range(low, high + 1):
            tx_sum += self.tx_count_avg[bucket]
        if tx_sum == 0:
            return -1.0
        tx_sum = tx_sum / 2
        for bucket in range(low, high + 1):
            if self.tx_count_avg[bucket] < tx_sum:
                tx_sum -= self.tx_count_avg[bucket]
            else:
                return ieee_divide(self.avg[bucket], self.tx_count_avg[bucket])
        return -1.0


def _as_int32(value: int) -> int:
    value &= UINT32
    return value - (1 << 32) if value & 0x80000000 else value


def _resized(row: list, width: int) -> list:
    """std::vector::resize: cut, or pad with zeros."""
    return row[:width] + [0] * (width - len(row))


def _resized_rows(rows: list[list[int]], depth: int) -> list[list[int]]:
    return [list(row) for row in rows[:depth]] + [[] for _ in range(depth - len(rows))]
