"""Required difficulty of the next block (C++ pow.cpp GetNextWorkRequired, pon.cpp GetNextPONWorkRequired).

CONSENSUS_HEADERS.md §3.  The chain below the new block is read through
``ChainEntry`` (height, time, bits, prev, ancestor()).  All 256-bit arithmetic
is reduced modulo 2^256 where C++ arith_uint256 wraps, including the ZelHash
ramp whose multiplier is truncated to 32 bits.
"""

from __future__ import annotations

from typing import Protocol

from fluxd.consensus.compact import get_compact, set_compact
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active

UINT256 = (1 << 256) - 1
MEDIAN_TIME_SPAN = 11
LWMA_FTL = 360


class ChainEntry(Protocol):
    height: int
    time: int
    bits: int
    prev: "ChainEntry | None"

    def ancestor(self, height: int) -> "ChainEntry | None": ...


def median_time_past(entry: ChainEntry) -> int:
    """GetMedianTimePast: the median of the last 11 block times ending at ``entry``."""
    times = []
    walker: ChainEntry | None = entry
    while walker is not None and len(times) < MEDIAN_TIME_SPAN:
        times.append(walker.time)
        walker = walker.prev
    times.sort()
    return times[len(times) // 2]


def _epoch_end(params: ChainParams, upgrade: Upgrade) -> int:
    """eh_epoch_1_end / eh_epoch_2_end: activation + fade - 1 as a C++ unsigned long."""
    return (params.activation_height(upgrade) + params.eh_epoch_fade_length - 1) % (1 << 64)


def next_work_required(params: ChainParams, prev: ChainEntry | None, block_time: int | None) -> int:
    """GetNextWorkRequiredByFork: PoN difficulty when PoN is active at the new height, else PoW."""
    if prev is None:
        return get_compact(params.pow_limit)
    if is_pon_active(params, prev.height + 1):
        return next_pon_work_required(params, prev)
    return next_pow_work_required(params, prev, block_time)


def next_pow_work_required(params: ChainParams, prev: ChainEntry | None, block_time: int | None) -> int:
    """GetNextWorkRequired."""
    limit_bits = get_compact(params.pow_limit)
    if prev is None:
        return limit_bits
    end_1 = _epoch_end(params, Upgrade.EQUI144_5)
    end_2 = _epoch_end(params, Upgrade.KAMIOOKA)
    if end_1 - 1 < prev.height < end_1 + 61:
        return limit_bits
    if end_2 - 1 < prev.height < end_2 + 64:
        return _zelhash_ramp(params, prev, end_2)
    allow_min = params.pow_allow_min_difficulty_blocks_after_height
    if allow_min is not None and prev.height >= allow_min:
        if block_time is not None and block_time > prev.time + params.pow_target_spacing * 2:
            return limit_bits
    first: ChainEntry | None = prev
    total = 0
    for _ in range(params.digishield_averaging_window):
        if first is None:
            break
        total += set_compact(first.bits).target
        first = first.prev
    if first is None:
        return limit_bits
    height = prev.height + 1
    if height < params.activation_height(Upgrade.LWMA):
        average = total // params.digishield_averaging_window
        return _digishield(params, average, median_time_past(prev), median_time_past(first))
    if height < params.activation_height(Upgrade.ACADIA):
        return _lwma(params, prev)
    return lwma3(params, prev)


def _zelhash_ramp(params: ChainParams, prev: ChainEntry, end_2: int) -> int:
    full = set_compact(lwma3(params, prev)).target
    step = full >> 5
    multiplier = (end_2 + 61 - prev.height) % (1 << 64) % (1 << 32)  # arith_uint256 *= uint32_t
    full = (full + step * multiplier) & UINT256
    return get_compact(min(full, params.pow_limit))


def _digishield(params: ChainParams, average: int, last_mtp: int, first_mtp: int) -> int:
    window_timespan = params.digishield_averaging_window * params.pow_target_spacing
    min_timespan = window_timespan * (100 - params.digishield_max_adjust_up) // 100
    max_timespan = window_timespan * (100 + params.digishield_max_adjust_down) // 100
    actual = last_mtp - first_mtp
    actual = window_timespan + _c_div(actual - window_timespan, 4)
    actual = max(min_timespan, min(max_timespan, actual))
    new_target = (average // window_timespan) * actual
    return get_compact(min(new_target & UINT256, params.pow_limit))


def _c_div(numerator: int, denominator: int) -> int:
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def _lwma(params: ChainParams, prev: ChainEntry) -> int:
    spacing, window = params.pow_target_spacing, params.zawy_lwma_averaging_window
    k = window * (window + 1) * spacing // 2
    weighted, sum_target = 0, 0
    for weight, height in enumerate(range(prev.height - window + 1, prev.height + 1), start=1):
        block = prev.ancestor(height)
        solvetime = max(-LWMA_FTL, min(block.time - block.ancestor(height - 1).time, 6 * spacing))
        weighted += solvetime * weight
        sum_target += set_compact(block.bits).target // (k * window)
    weighted = max(weighted, k // 10)
    return get_compact(min((weighted * sum_target) & UINT256, params.pow_limit))


def lwma3(params: ChainParams, prev: ChainEntry) -> int:
    """Lwma3CalculateNextWorkRequired."""
    spacing, window = params.pow_target_spacing, params.zawy_lwma_averaging_window
    k = window * (window + 1) * spacing // 2
    if prev.height < window:
        return get_compact(params.pow_limit)
    previous_time = prev.ancestor(prev.height - window).time
    weighted, sum_target, previous_target = 0, 0, 0
    for weight, height in enumerate(range(prev.height - window + 1, prev.height + 1), start=1):
        block = prev.ancestor(height)
        this_time = block.time if block.time > previous_time else previous_time + 1
        weighted += min(6 * spacing, this_time - previous_time) * weight
        previous_time = this_time
        target = set_compact(block.bits).target
        sum_target += target // (k * window)
        previous_target = target
    next_target = (weighted * sum_target) & UINT256
    next_target = min(next_target, (previous_target * 150 // 100) & UINT256)
    next_target = max(next_target, (previous_target * 67 // 100) & UINT256)
    return get_compact(min(next_target, params.pow_limit))


def next_pon_work_required(params: ChainParams, prev: ChainEntry | None) -> int:
    """GetNextPONWorkRequired: start limit for the first window, then a clamped timespan adjustment."""
    start_bits = get_compact(params.pon_start_limit)
    if prev is None:
        return start_bits
    activation = params.activation_height(Upgrade.PON)
    window = params.pon_difficulty_window
    next_height = prev.height + 1
    if next_height < activation:
        return prev.bits
    if next_height < activation + window:
        return start_bits
    first: ChainEntry | None = prev
    for _ in range(window - 1):
        first = first.prev if first is not None else None
        if first is None or first.height < activation:
            return start_bits
    target_timespan = (window - 1) * params.pon_target_spacing
    actual = prev.time - first.time
    actual = max(_c_div(target_timespan * 4, 5), min(_c_div(target_timespan * 5, 4), actual))
    previous = set_compact(prev.bits)
    limit_bits = get_compact(params.pon_limit)
    if previous.negative or previous.overflow or previous.target == 0:
        return limit_bits
    new_target = (previous.target // target_timespan) * actual & UINT256
    new_target = min(new_target, params.pon_limit)
    if new_target == 0:
        new_target = params.pon_limit
    return get_compact(new_target)
