"""Transparent coin selection (C++ wallet.cpp ApproximateBestSubset, SelectCoinsMinConf, SelectCoins).

Pure: the caller gives the candidates (its AvailableCoins: final, trusted, unspent, mature, not
locked, ours or a P2SH we watch) and a ``random.Random``.  ``CENT`` (amount.h) is also the target
margin C++ uses to avoid change below one cent (there is no separate MIN_CHANGE in Flux).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from fluxd.core.amount import CENT
from fluxd.core.script import is_p2sh
from fluxd.core.tx_parts import OutPoint

SUBSET_ITERATIONS = 1000


@dataclass(frozen=True, slots=True)
class CandidateCoin:
    """One COutput: a wallet transaction's output with its depth, IsFromMe and spendability."""

    txid_raw: bytes
    index: int
    value: int
    script_pubkey: bytes
    depth: int
    from_me: bool
    spendable: bool

    @property
    def outpoint(self) -> OutPoint:
        return OutPoint(self.txid_raw, self.index)


@dataclass(frozen=True, slots=True)
class Selection:
    """The coins chosen (no duplicates, in the order they were picked) and their total value."""

    coins: tuple[CandidateCoin, ...]
    total: int


@dataclass(frozen=True, slots=True)
class WalletOutput:
    """What AvailableCoins knows of one output of a wallet transaction (the caller computes each fact)."""

    coin: CandidateCoin  # spendable = IsMine has ISMINE_SPENDABLE
    is_mine: bool  # IsMine != ISMINE_NO (watch-only counts)
    final: bool  # CheckFinalTx of its transaction
    trusted: bool  # CWalletTx::IsTrusted (depth >= 1, or our own unconfirmed change with -spendzeroconfchange)
    immature_coinbase: bool  # a coinbase with GetBlocksToMaturity() > 0
    spent: bool  # IsSpent (by the chain or the mempool)
    locked: bool  # lockunspent


def available_coins(
    outputs: Sequence[WalletOutput],
    *,
    only_confirmed: bool = True,
    include_zero_value: bool = False,
    selected: frozenset[OutPoint] = frozenset(),
    allow_other_inputs: bool = True,
) -> list[CandidateCoin]:
    """AvailableCoins for ALL_COINS, in C++ order of tests.

    Left to the caller: the fluxnode tier filter (other coin types, which also use locked
    collateral) and coin control's "from only" destination.  Outputs that are not ours are kept
    only for P2SH scripts, with ``spendable`` false, so selection never spends them.
    """
    kept = []
    for out in outputs:
        coin = out.coin
        if not out.final or (only_confirmed and not out.trusted) or out.immature_coinbase or coin.depth < 0:
            continue
        if out.spent or (not out.is_mine and not is_p2sh(coin.script_pubkey)) or out.locked:
            continue
        if coin.value <= 0 and not include_zero_value:
            continue
        if selected and not allow_other_inputs and coin.outpoint not in selected:
            continue
        kept.append(coin)
    return kept


def approximate_best_subset(
    values: Sequence[int], total_lower: int, target: int, rng: random.Random, iterations: int = SUBSET_ITERATIONS
) -> tuple[list[bool], int]:
    """(included flags, their total): the smallest total >= target found by random inclusion (C++ ApproximateBestSubset).

    Each round includes every value with probability 1/2 (first pass), then the rest in order
    (second pass) until the target is reached; a value that reaches it is recorded and taken out
    again so the round goes on looking for a closer total.  ``values`` come sorted from largest to
    smallest (C++ sorts them so), which lets a round jump between the values that do not reach the
    target instead of stepping through every value: the result is the one the step-by-step rounds
    give for the same inclusion bits.
    """
    count = len(values)
    ordered = np.asarray(values, dtype=np.int64)
    if count and np.any(ordered[1:] > ordered[:-1]):
        raise ValueError("approximate_best_subset takes values sorted from largest to smallest")
    state = _SubsetSearch(ordered, target, total_lower)
    rep = 0
    while rep < iterations and state.best_total != target:
        state.round(_random_bits(rng, count))
        rep += 1
    return state.best.tolist(), state.best_total


def _random_bits(rng: random.Random, count: int) -> np.ndarray:
    """One fair bit per value (C++ insecure_rand() & 1)."""
    if count == 0:
        return np.zeros(0, dtype=bool)
    raw = rng.getrandbits(count).to_bytes((count + 7) // 8, "little")
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[:count].astype(bool)


class _SubsetSearch:
    def __init__(self, ordered: np.ndarray, target: int, total_lower: int) -> None:
        self.values, self.target = ordered, target
        self.best = np.ones(len(ordered), dtype=bool)
        self.best_total = total_lower

    def round(self, bits: np.ndarray) -> None:
        included = np.zeros(len(self.values), dtype=bool)
        total, reached = self._pass(np.flatnonzero(bits), included, 0)
        if not reached:
            self._pass(np.flatnonzero(~included), included, total)

    def _pass(self, positions: np.ndarray, included: np.ndarray, total: int) -> tuple[int, bool]:
        """Visit ``positions`` in order: a value reaching the target is a candidate (then taken out again),
        one that does not is added.  Returns the total and whether the target was reached."""
        negated = -self.values[positions]  # ascending, for searchsorted
        reached, start = False, 0
        while start < len(positions):
            gap = self.target - total  # > 0: a value reaches the target when it is >= gap
            stop = int(np.searchsorted(negated, -gap, side="right"))  # first value < gap
            stop = max(stop, start)
            if stop > start:  # values start..stop-1 all reach it; the smallest is the last, first seen where it starts
                reached = True
                smallest = int(-negated[stop - 1])
                first = int(np.searchsorted(negated, -smallest, side="left"))
                first = max(first, start)
                if total + smallest < self.best_total:
                    self.best_total = total + smallest
                    self.best = included.copy()
                    self.best[positions[first]] = True
            if stop >= len(positions):
                break
            total += int(-negated[stop])
            included[positions[stop]] = True
            start = stop + 1
        return total, reached


def _eligible(coin: CandidateCoin, conf_mine: int, conf_theirs: int) -> bool:
    if not coin.spendable:
        return False
    return coin.depth >= (conf_mine if coin.from_me else conf_theirs)


def select_coins_min_conf(
    target: int, conf_mine: int, conf_theirs: int, coins: Sequence[CandidateCoin], rng: random.Random
) -> Selection | None:
    """SelectCoinsMinConf: None when the eligible coins cannot reach ``target``."""
    shuffled = list(coins)
    rng.shuffle(shuffled)
    lower: list[CandidateCoin] = []
    total_lower = 0
    lowest_larger: CandidateCoin | None = None
    for coin in shuffled:
        if not _eligible(coin, conf_mine, conf_theirs):
            continue
        if coin.value == target:
            return Selection((coin,), coin.value)
        if coin.value < target + CENT:
            lower.append(coin)
            total_lower += coin.value
        elif lowest_larger is None or coin.value < lowest_larger.value:
            lowest_larger = coin
    if total_lower == target:
        return Selection(tuple(lower), total_lower)
    if total_lower < target:
        return None if lowest_larger is None else Selection((lowest_larger,), lowest_larger.value)
    return _best_of_lower(target, lower, total_lower, lowest_larger, rng)


def _best_of_lower(
    target: int, lower: list[CandidateCoin], total_lower: int, lowest_larger: CandidateCoin | None, rng: random.Random
) -> Selection:
    lower.sort(key=lambda coin: coin.value, reverse=True)
    values = [coin.value for coin in lower]
    best, best_total = approximate_best_subset(values, total_lower, target, rng)
    if best_total != target and total_lower >= target + CENT:
        best, best_total = approximate_best_subset(values, total_lower, target + CENT, rng)
    if lowest_larger is not None and (
        (best_total != target and best_total < target + CENT) or lowest_larger.value <= best_total
    ):
        return Selection((lowest_larger,), lowest_larger.value)
    chosen = tuple(coin for coin, flag in zip(lower, best) if flag)
    return Selection(chosen, sum(coin.value for coin in chosen))


def select_coins(
    target: int,
    coins: Sequence[CandidateCoin],
    rng: random.Random,
    *,
    preset: Sequence[OutPoint] = (),
    wallet_coin: Callable[[OutPoint], CandidateCoin | None] = lambda outpoint: None,
    allow_other_inputs: bool = True,
    spend_zero_conf_change: bool = True,
) -> Selection | None:
    """SelectCoins: None means "Insufficient funds".

    ``coins`` is AvailableCoins' list.  ``preset`` are the coin-control outpoints.  With
    ``allow_other_inputs`` false (and a preset) only the spendable available coins among the preset
    are used, all of them.  Otherwise each preset outpoint is looked up with ``wallet_coin`` (C++
    mapWallet: any wallet transaction's output, spent or not; None fails the selection), always
    used, and the rest is selected from the other coins: 1 conf for our own coins / 6 for others',
    then 1/1, then 0/1 when ``spend_zero_conf_change``.
    """
    if preset and not allow_other_inputs:
        wanted = set(preset)
        chosen = _unique(coin for coin in coins if coin.spendable and coin.outpoint in wanted)
        total = sum(coin.value for coin in chosen)
        return Selection(chosen, total) if total >= target else None
    preset_coins: list[CandidateCoin] = []
    for outpoint in preset:
        coin = wallet_coin(outpoint)
        if coin is None:
            return None
        preset_coins.append(coin)
    preset_set = {coin.outpoint for coin in preset_coins}
    preset_value = sum(coin.value for coin in _unique(preset_coins))
    others = [coin for coin in coins if coin.outpoint not in preset_set]
    picked = _select_in_passes(target - preset_value, others, rng, spend_zero_conf_change, target <= preset_value)
    if picked is None:
        return None
    chosen = _unique([*picked.coins, *preset_coins])
    return Selection(chosen, picked.total + preset_value)


def _select_in_passes(
    target: int, coins: Sequence[CandidateCoin], rng: random.Random, spend_zero_conf_change: bool, covered: bool
) -> Selection | None:
    if covered:
        return Selection((), 0)
    passes = [(1, 6), (1, 1)] + ([(0, 1)] if spend_zero_conf_change else [])
    for conf_mine, conf_theirs in passes:
        picked = select_coins_min_conf(target, conf_mine, conf_theirs, coins, rng)
        if picked is not None:
            return picked
    return None


def _unique(coins) -> tuple[CandidateCoin, ...]:
    """The coins without repeated outpoints (C++ keeps them in a std::set)."""
    seen: set[OutPoint] = set()
    kept = []
    for coin in coins:
        if coin.outpoint not in seen:
            seen.add(coin.outpoint)
            kept.append(coin)
    return tuple(kept)
