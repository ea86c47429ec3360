"""Required ``nBits`` of the next block over the whole Flux history (CONSENSUS_HEADERS.md §3).

C++ sources: ``pow.cpp`` (GetNextWorkRequired and its Digishield, LWMA and
LWMA3 helpers), ``pon/pon.cpp`` (GetNextPONWorkRequired) and
``pon/pon-fork.cpp`` (GetNextWorkRequiredByFork).  Which one C++ calls:

- header validation (``ContextualCheckBlockHeader``): a PoN-era header is
  compared with GetNextPONWorkRequired, a PoW header with
  GetNextWorkRequiredByFork, which for a PoW block that passed the era check
  is GetNextWorkRequired;
- mining (``CreateNewBlock``) and the RPC ``getdifficulty`` use
  GetNextWorkRequiredByFork.

So both paths agree with ``next_work_required`` below.  Because C++
``IsPONActive`` is ``height >= activation`` and regtest's PoN activation is -1,
every regtest block after genesis takes the PoN rule; the PoW rules only run
on regtest when PoN is moved by an override.

The previous chain is read through ``ChainEntry``.  Every 256-bit expression
that wraps in C++ ``arith_uint256`` wraps here too (``wrap256``/``mul_u32``),
including the LWMA3 clamps ``(P * 150) / 100`` and ``(P * 67) / 100``, whose
products overflow for targets near the testnet/regtest limits, and the
32-bit multiplier of the ZelHash ramp.
"""

from __future__ import annotations

from typing import Protocol

from fluxd.consensus.arith import get_compact, mul_u32, set_compact, target_from_bits, wrap256
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active

MEDIAN_TIME_SPAN = 11
LWMA_FUTURE_TIME_LIMIT = 360  # hard-coded FTL of LWMACalculateNextWorkRequired
EPOCH_RESET_LENGTH = 61  # blocks kept at the pow limit after the 144,5 epoch ends
ZELHASH_RAMP_LENGTH = 64  # blocks in the ramp after the ZelHash epoch change
ZELHASH_RAMP_OFFSET = 61  # multiplier of the ramp's first block
ZELHASH_RAMP_SHIFT = 5  # the ramp step is 1/32 of the LWMA3 target
MIN_DIFFICULTY_GAP_SPACINGS = 2  # "more than 2 spacings after the parent" resets to the limit
LWMA_MAX_SOLVETIME_SPACINGS = 6
LWMA3_MAX_RISE_PERCENT = 150
LWMA3_MAX_DROP_PERCENT = 67
PON_TIMESPAN_MIN = (4, 5)  # the PoN window timespan is clamped to [4/5, 5/4] of its target
PON_TIMESPAN_MAX = (5, 4)

_UINT64 = 1 << 64
_UINT32 = 1 << 32


class ChainEntry(Protocol):
    """The view of one block in the chain below the new block (C++ CBlockIndex)."""

    @property
    def height(self) -> int: ...

    @property
    def time(self) -> int: ...

    @property
    def bits(self) -> int: ...

    @property
    def prev(self) -> "ChainEntry | None": ...

    def ancestor(self, height: int) -> "ChainEntry | None": ...


def c_div(numerator: int, denominator: int) -> int:
    """C++ signed integer division: the quotient truncates toward zero."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator < 0) == (denominator < 0) else -quotient


def median_time_past(entry: ChainEntry) -> int:
    """GetMedianTimePast: the median of up to 11 block times ending with ``entry``."""
    times = []
    walker: ChainEntry | None = entry
    while walker is not None and len(times) < MEDIAN_TIME_SPAN:
        times.append(walker.time)
        walker = walker.prev
    times.sort()
    return times[len(times) // 2]


def _window(last: ChainEntry, span: int) -> list[ChainEntry]:
    """The blocks at heights last-span .. last, oldest first (C++ reads them with GetAncestor)."""
    entries = [last]
    walker = last.prev
    while len(entries) <= span:
        if walker is None:
            raise ValueError(f"chain view ends before height {last.height - span}")
        entries.append(walker)
        walker = walker.prev
    entries.reverse()
    return entries


def eh_epoch_end(params: ChainParams, upgrade: Upgrade) -> int:
    """eh_epoch_1_end / eh_epoch_2_end: activation + fade - 1 as a C++ ``unsigned long``."""
    return (params.activation_height(upgrade) + params.eh_epoch_fade_length - 1) % _UINT64


def _in_unsigned_range(height: int, low_exclusive: int, high_exclusive: int) -> bool:
    """``height > low && height < high`` with both sides compared as unsigned 64-bit, as C++ does."""
    height_u64 = height % _UINT64
    return height_u64 > low_exclusive % _UINT64 and height_u64 < high_exclusive % _UINT64


def pow_limit_bits(params: ChainParams) -> int:
    return get_compact(params.pow_limit)


def next_work_required(params: ChainParams, prev: ChainEntry | None, block_time: int | None) -> int:
    """GetNextWorkRequiredByFork: the PoN rule where PoN is active at the new height, else PoW.

    ``block_time`` is the new header's nTime, or None where C++ passes no
    block (getdifficulty); it only matters for the min-difficulty rule.
    """
    if prev is None:
        return pow_limit_bits(params)
    if is_pon_active(params, prev.height + 1):
        return next_pon_work_required(params, prev)
    return next_pow_work_required(params, prev, block_time)


def next_pow_work_required(params: ChainParams, prev: ChainEntry | None, block_time: int | None) -> int:
    """GetNextWorkRequired: the PoW rule table of CONSENSUS_HEADERS.md §3.1, first match wins."""
    limit_bits = pow_limit_bits(params)
    if prev is None:
        return limit_bits
    last_height = prev.height
    epoch_1_end = eh_epoch_end(params, Upgrade.EQUI144_5)
    if _in_unsigned_range(last_height, epoch_1_end - 1, epoch_1_end + EPOCH_RESET_LENGTH):
        return limit_bits
    epoch_2_end = eh_epoch_end(params, Upgrade.KAMIOOKA)
    if _in_unsigned_range(last_height, epoch_2_end - 1, epoch_2_end + ZELHASH_RAMP_LENGTH):
        return zelhash_ramp_work(params, prev, epoch_2_end)
    if _min_difficulty_allowed(params, prev, block_time):
        return limit_bits
    first, total = _digishield_sum(params, prev)
    if first is None:
        return limit_bits
    next_height = last_height + 1
    if next_height < params.activation_height(Upgrade.LWMA):
        average = total // params.digishield_averaging_window
        return digishield_next_work(params, average, median_time_past(prev), median_time_past(first))
    if next_height < params.activation_height(Upgrade.ACADIA):
        return lwma_next_work(params, prev)
    return lwma3_next_work(params, prev)


def _min_difficulty_allowed(params: ChainParams, prev: ChainEntry, block_time: int | None) -> bool:
    """Testnet/regtest: a block more than two spacings after its parent may use the pow limit."""
    after_height = params.pow_allow_min_difficulty_blocks_after_height
    if after_height is None or block_time is None:
        return False
    if prev.height % _UINT32 < after_height:  # C++ compares with a uint32_t
        return False
    return block_time > prev.time + params.pow_target_spacing * MIN_DIFFICULTY_GAP_SPACINGS


def _digishield_sum(params: ChainParams, prev: ChainEntry) -> tuple[ChainEntry | None, int]:
    """The sum of the last ``window`` targets and the block just before them (None: chain too short)."""
    total = 0
    walker: ChainEntry | None = prev
    for _ in range(params.digishield_averaging_window):
        if walker is None:
            break
        total += target_from_bits(walker.bits)
        walker = walker.prev
    return walker, wrap256(total)


def digishield_next_work(params: ChainParams, average_target: int, last_mtp: int, first_mtp: int) -> int:
    """DigishieldCalculateNextWorkRequired: dampened (1/4) and clamped median-time timespan."""
    window_timespan = params.digishield_averaging_window * params.pow_target_spacing
    min_timespan = c_div(window_timespan * (100 - params.digishield_max_adjust_up), 100)
    max_timespan = c_div(window_timespan * (100 + params.digishield_max_adjust_down), 100)
    actual = last_mtp - first_mtp
    actual = window_timespan + c_div(actual - window_timespan, 4)
    actual = max(min_timespan, min(actual, max_timespan))
    new_target = mul_u32(average_target // window_timespan, actual)
    return get_compact(min(new_target, params.pow_limit))


def _lwma_constant(params: ChainParams) -> int:
    """k = N(N+1)T/2, the weighted-solvetime sum of a perfectly spaced window."""
    window = params.zawy_lwma_averaging_window
    return window * (window + 1) * params.pow_target_spacing // 2


def lwma_next_work(params: ChainParams, prev: ChainEntry) -> int:
    """LWMACalculateNextWorkRequired (Zawy LWMA v1, Flux heights 125 000 - 249 999 on mainnet)."""
    window, spacing = params.zawy_lwma_averaging_window, params.pow_target_spacing
    k = _lwma_constant(params)
    if prev.height <= window:
        raise ValueError("LWMA needs more than N blocks (C++ asserts height > N)")
    blocks = _window(prev, window)
    weighted, target_sum = 0, 0
    for weight in range(1, window + 1):
        solvetime = blocks[weight].time - blocks[weight - 1].time
        solvetime = max(-LWMA_FUTURE_TIME_LIMIT, min(solvetime, LWMA_MAX_SOLVETIME_SPACINGS * spacing))
        weighted += solvetime * weight
        target_sum += target_from_bits(blocks[weight].bits) // (k * window)
    weighted = max(weighted, c_div(k, 10))
    next_target = wrap256(weighted * wrap256(target_sum))
    return get_compact(min(next_target, params.pow_limit))


def lwma3_next_work(params: ChainParams, prev: ChainEntry) -> int:
    """Lwma3CalculateNextWorkRequired (Zawy LWMA3, from ACADIA on)."""
    window, spacing = params.zawy_lwma_averaging_window, params.pow_target_spacing
    if prev.height < window:
        return pow_limit_bits(params)
    k = _lwma_constant(params)
    blocks = _window(prev, window)
    previous_time = blocks[0].time
    weighted, target_sum = 0, 0
    for weight in range(1, window + 1):
        block_time = blocks[weight].time
        this_time = block_time if block_time > previous_time else previous_time + 1
        weighted += min(LWMA_MAX_SOLVETIME_SPACINGS * spacing, this_time - previous_time) * weight
        previous_time = this_time
        target_sum += target_from_bits(blocks[weight].bits) // (k * window)
    last_target = target_from_bits(prev.bits)
    next_target = wrap256(weighted * wrap256(target_sum))
    highest = mul_u32(last_target, LWMA3_MAX_RISE_PERCENT) // 100  # the product wraps before dividing
    if next_target > highest:
        next_target = highest
    lowest = mul_u32(last_target, LWMA3_MAX_DROP_PERCENT) // 100
    if lowest > next_target:
        next_target = lowest
    return get_compact(min(next_target, params.pow_limit))


def zelhash_ramp_work(params: ChainParams, prev: ChainEntry, epoch_2_end: int | None = None) -> int:
    """The 64 blocks after the ZelHash epoch: LWMA3 eased by (E2 + 61 - L)/32, multiplier cut to 32 bits.

    The multiplier counts down from 61 to 0 and then wraps to 0xFFFFFFFF and
    0xFFFFFFFE for the last two blocks, exactly as the C++ ``unsigned long``
    arithmetic passed to ``arith_uint256::operator*=(uint32_t)``.
    """
    if epoch_2_end is None:
        epoch_2_end = eh_epoch_end(params, Upgrade.KAMIOOKA)
    base = target_from_bits(lwma3_next_work(params, prev))  # rounded through compact first, as C++
    step = base >> ZELHASH_RAMP_SHIFT
    multiplier = (epoch_2_end + ZELHASH_RAMP_OFFSET - prev.height) % _UINT64
    eased = wrap256(base + mul_u32(step, multiplier))
    return get_compact(min(eased, params.pow_limit))


def next_pon_work_required(params: ChainParams, prev: ChainEntry | None) -> int:
    """GetNextPONWorkRequired: start limit for the first window, then a per-block clamped retarget.

    Only the previous block's target is scaled (no average), by the window
    timespan over its expected (W - 1) * S seconds, clamped to [4/5, 5/4].
    """
    start_bits = get_compact(params.pon_start_limit)
    limit_bits = get_compact(params.pon_limit)
    if prev is None:
        return start_bits
    activation = params.activation_height(Upgrade.PON)
    window = params.pon_difficulty_window
    next_height = prev.height + 1
    if next_height < activation:
        return prev.bits
    if next_height < activation + window:
        return start_bits
    first = _pon_window_start(prev, window, activation)
    if first is None:
        return start_bits
    target_timespan = (window - 1) * params.pon_target_spacing
    if target_timespan <= 0:
        return limit_bits
    actual = prev.time - first.time
    actual = max(c_div(target_timespan * PON_TIMESPAN_MIN[0], PON_TIMESPAN_MIN[1]), actual)
    actual = min(c_div(target_timespan * PON_TIMESPAN_MAX[0], PON_TIMESPAN_MAX[1]), actual)
    previous = set_compact(prev.bits)
    if previous.negative or previous.overflow or previous.target == 0:
        return limit_bits
    new_target = mul_u32(previous.target // target_timespan, actual)
    new_target = min(new_target, params.pon_limit)
    if new_target == 0:
        new_target = params.pon_limit
    return get_compact(new_target)


def _pon_window_start(prev: ChainEntry, window: int, activation: int) -> ChainEntry | None:
    """The block window-1 steps below ``prev``; None if that walk leaves the chain or the PoN era."""
    first: ChainEntry | None = prev
    for _ in range(window - 1):
        first = first.prev if first is not None else None
        if first is None or first.height < activation:
            return None
    return first


# --- Header rules about difficulty and time (C++ CheckBlockHeader / ContextualCheckBlockHeader) ---
# Each returns None when the rule passes, else the C++ reject reason.  DoS scores
# as C++ gives them: bad-diffbits/bad-pon-diffbits/not-pon-block/premature-pon-block
# 100, time-too-old and time-too-new 0 (state.Invalid).  C++ checks them in this
# order: era (not-pon-block / premature-pon-block), diffbits, time-too-old; the
# future-time rule belongs to the context-free CheckBlockHeader.

TESTNET_PON_BITS_GRACE = (800, 1800)  # testnet heights whose wrong PoN nBits C++ only logs

REJECT_DOS_SCORES = {
    "bad-diffbits": 100,
    "bad-pon-diffbits": 100,
    "not-pon-block": 100,
    "premature-pon-block": 100,
    "time-too-old": 0,
    "time-too-new": 0,
}


def time_too_old_reason(block_time: int, is_pon: bool, prev: ChainEntry) -> str | None:
    """ContextualCheckBlockHeader: PoW nTime above the median time past, PoN nTime above the parent's."""
    floor = prev.time if is_pon else median_time_past(prev)
    return "time-too-old" if block_time <= floor else None


def pon_era_reason(params: ChainParams, height: int, is_pon: bool) -> str | None:
    """ContextualCheckBlockHeader: PoN headers exactly where IsPONActive(height)."""
    if is_pon_active(params, height):
        return None if is_pon else "not-pon-block"
    return "premature-pon-block" if is_pon else None


def diffbits_reason(params: ChainParams, prev: ChainEntry, bits: int, block_time: int, is_pon: bool) -> str | None:
    """ContextualCheckBlockHeader: nBits must equal the required value.

    PoN headers are compared with GetNextPONWorkRequired; on testnet a
    mismatch at heights 800..1800 is only logged by C++ (the ``-testnet``
    argument is what selects testnet, so this is ``params.is_testnet``).
    PoW headers are compared with GetNextWorkRequiredByFork.
    """
    height = prev.height + 1
    if is_pon:
        if bits == next_pon_work_required(params, prev):
            return None
        grace_low, grace_high = TESTNET_PON_BITS_GRACE
        if params.is_testnet and grace_low <= height <= grace_high:
            return None
        return "bad-pon-diffbits"
    return None if bits == next_work_required(params, prev, block_time) else "bad-diffbits"
