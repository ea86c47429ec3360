"""Coin selection: the scenarios of C++ src/wallet/test/wallet_tests.cpp coin_selection_tests, plus properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.core.amount import CENT, COIN
from fluxd.core.tx_parts import OutPoint
from fluxd.wallet.coin_select import (
    CandidateCoin,
    WalletOutput,
    approximate_best_subset,
    available_coins,
    select_coins,
    select_coins_min_conf,
)

RUN_TESTS = 12  # C++ runs 100 rounds; every round here uses a different seed
RANDOM_REPEATS = 5


class Wallet:
    """add_coin / empty_wallet of the C++ test: every coin has its own txid."""

    def __init__(self) -> None:
        self.coins: list[CandidateCoin] = []
        self.next_id = 0

    def add(self, value: int, age: int = 6 * 24, from_me: bool = False, index: int = 0) -> CandidateCoin:
        self.next_id += 1
        coin = CandidateCoin(self.next_id.to_bytes(32, "little"), index, int(value), b"\x51", age, from_me, True)
        self.coins.append(coin)
        return coin

    def empty(self) -> None:
        self.coins.clear()


def _select(wallet: Wallet, target: float, mine: int, theirs: int, rng: random.Random):
    return select_coins_min_conf(int(target), mine, theirs, wallet.coins, rng)


def _check(selection, total: float, count: int | None = None) -> None:
    assert selection is not None
    assert selection.total == int(total)
    assert selection.total == sum(coin.value for coin in selection.coins)
    if count is not None:
        assert len(selection.coins) == count


def _outpoints(selection) -> set[OutPoint]:
    return {coin.outpoint for coin in selection.coins}


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_small_wallet_confirmations(seed):
    rng = random.Random(seed)
    w = Wallet()
    assert _select(w, 1 * CENT, 1, 6, rng) is None
    w.add(1 * CENT, 4)
    assert _select(w, 1 * CENT, 1, 6, rng) is None
    _check(_select(w, 1 * CENT, 1, 1, rng), 1 * CENT)
    w.add(2 * CENT)
    assert _select(w, 3 * CENT, 1, 6, rng) is None
    _check(_select(w, 3 * CENT, 1, 1, rng), 3 * CENT)
    w.add(5 * CENT)
    w.add(10 * CENT, 3, True)
    w.add(20 * CENT)
    assert _select(w, 38 * CENT, 1, 6, rng) is None
    assert _select(w, 38 * CENT, 6, 6, rng) is None
    _check(_select(w, 37 * CENT, 1, 6, rng), 37 * CENT)
    _check(_select(w, 38 * CENT, 1, 1, rng), 38 * CENT)
    got = _select(w, 34 * CENT, 1, 1, rng)
    assert got.total > 34 * CENT and len(got.coins) == 3
    _check(_select(w, 7 * CENT, 1, 1, rng), 7 * CENT, 2)
    _check(_select(w, 8 * CENT, 1, 1, rng), 8 * CENT, 3)
    _check(_select(w, 9 * CENT, 1, 1, rng), 10 * CENT, 1)


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_subsets_against_next_bigger_coin(seed):
    rng = random.Random(seed)
    w = Wallet()
    for cents in (6, 7, 8, 20, 30):
        w.add(cents * CENT)
    _check(_select(w, 71 * CENT, 1, 1, rng), 71 * CENT)
    assert _select(w, 72 * CENT, 1, 1, rng) is None
    _check(_select(w, 16 * CENT, 1, 1, rng), 20 * CENT, 1)
    w.add(5 * CENT)
    _check(_select(w, 16 * CENT, 1, 1, rng), 18 * CENT, 3)
    w.add(18 * CENT)
    _check(_select(w, 16 * CENT, 1, 1, rng), 18 * CENT, 1)  # a tie: the bigger coin wins
    _check(_select(w, 11 * CENT, 1, 1, rng), 11 * CENT, 2)
    for coins in (1, 2, 3, 4):
        w.add(coins * COIN)
    _check(_select(w, 95 * CENT, 1, 1, rng), 1 * COIN, 1)
    _check(_select(w, 195 * CENT, 1, 1, rng), 2 * COIN, 1)


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_sub_cent_change_avoidance(seed):
    rng = random.Random(seed)
    w = Wallet()
    for tenths in (1, 2, 3, 4, 5):
        w.add(0.1 * tenths * CENT)
    _check(_select(w, 1 * CENT, 1, 1, rng), 1 * CENT)
    w.add(1111 * CENT)
    _check(_select(w, 1 * CENT, 1, 1, rng), 1 * CENT)
    w.add(0.6 * CENT)
    w.add(0.7 * CENT)
    _check(_select(w, 1 * CENT, 1, 1, rng), 1 * CENT)


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_mtgox_consolidation(seed):
    rng = random.Random(seed)
    w = Wallet()
    for _ in range(20):
        w.add(50000 * COIN)
    _check(_select(w, 500000 * COIN, 1, 1, rng), 500000 * COIN, 10)


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_exact_subset_or_bigger_coin(seed):
    rng = random.Random(seed)
    w = Wallet()
    for value in (0.5 * CENT, 0.6 * CENT, 0.7 * CENT, 1111 * CENT):
        w.add(value)
    _check(_select(w, 1 * CENT, 1, 1, rng), 1111 * CENT, 1)
    w.empty()
    for value in (0.4 * CENT, 0.6 * CENT, 0.8 * CENT, 1111 * CENT):
        w.add(value)
    _check(_select(w, 1 * CENT, 1, 1, rng), 1 * CENT, 2)


@pytest.mark.parametrize("seed", range(RUN_TESTS))
def test_avoid_sub_cent_change_with_big_coin(seed):
    rng = random.Random(seed)
    w = Wallet()
    w.add(0.0005 * COIN)
    w.add(0.01 * COIN)
    w.add(1 * COIN)
    _check(_select(w, 1.0001 * COIN, 1, 1, rng), 1.0105 * COIN, 3)
    _check(_select(w, 0.999 * COIN, 1, 1, rng), 1.01 * COIN, 2)


def test_randomness_of_subsets_and_shuffle():
    rng = random.Random(1234)
    w = Wallet()
    for _ in range(100):
        w.add(COIN)
    first = _select(w, 50 * COIN, 1, 6, rng)
    second = _select(w, 50 * COIN, 1, 6, rng)
    _check(first, 50 * COIN, 50)
    assert _outpoints(first) != _outpoints(second)
    fails = 0
    for _ in range(RANDOM_REPEATS):
        if _outpoints(_select(w, COIN, 1, 6, rng)) == _outpoints(_select(w, COIN, 1, 6, rng)):
            fails += 1
    assert fails != RANDOM_REPEATS
    for cents in (5, 10, 15, 20, 25):
        w.add(cents * CENT)
    fails = 0
    for _ in range(RANDOM_REPEATS):
        a = _select(w, 90 * CENT, 1, 6, rng)
        b = _select(w, 90 * CENT, 1, 6, rng)
        _check(a, COIN, 1)
        if _outpoints(a) == _outpoints(b):
            fails += 1
    assert fails != RANDOM_REPEATS


def test_same_seed_same_selection():
    w = Wallet()
    for i in range(40):
        w.add((i % 7 + 1) * CENT)
    a = select_coins_min_conf(23 * CENT, 1, 1, w.coins, random.Random(7))
    b = select_coins_min_conf(23 * CENT, 1, 1, w.coins, random.Random(7))
    assert a == b


def test_approximate_best_subset_exact_and_fallback():
    best, total = approximate_best_subset([5, 4, 3], 12, 7, random.Random(0))
    assert total == 7 and sum(v for v, f in zip([5, 4, 3], best) if f) == 7
    best, total = approximate_best_subset([5, 4, 3], 12, 13, random.Random(0))
    assert best == [True, True, True] and total == 12  # never reached: all included, the lower total


def test_unspendable_coins_are_ignored():
    w = Wallet()
    w.add(5 * CENT)
    watch = CandidateCoin(b"\x99" * 32, 0, 50 * CENT, b"\x51", 100, False, False)
    coins = [*w.coins, watch]
    assert select_coins_min_conf(10 * CENT, 1, 1, coins, random.Random(0)) is None
    _check(select_coins_min_conf(5 * CENT, 1, 1, coins, random.Random(0)), 5 * CENT, 1)


# ----- SelectCoins: passes and presets --------------------------------------------------------


def test_passes_mature_then_new_then_zero_conf_change():
    w = Wallet()
    w.add(3 * CENT, 0, True)  # unconfirmed change of ours
    assert select_coins(3 * CENT, w.coins, random.Random(0), spend_zero_conf_change=False) is None
    _check(select_coins(3 * CENT, w.coins, random.Random(0)), 3 * CENT, 1)
    theirs_unconfirmed = CandidateCoin(b"\x07" * 32, 0, 3 * CENT, b"\x51", 0, False, True)
    assert select_coins(3 * CENT, [theirs_unconfirmed], random.Random(0)) is None  # 0/1: theirs need 1


def test_first_pass_prefers_six_confirmations_for_theirs():
    young = CandidateCoin(b"\x01" * 32, 0, 10 * CENT, b"\x51", 2, False, True)
    old = CandidateCoin(b"\x02" * 32, 0, 20 * CENT, b"\x51", 6, False, True)
    for seed in range(10):
        _check(select_coins(9 * CENT, [young, old], random.Random(seed)), 20 * CENT, 1)  # 1/6 pass: only old
    _check(select_coins(25 * CENT, [young, old], random.Random(0)), 30 * CENT, 2)  # 1/1 pass


def test_preset_inputs_always_used():
    w = Wallet()
    a = w.add(4 * CENT)
    b = w.add(7 * CENT)
    c = w.add(30 * CENT)
    lookup = {coin.outpoint: coin for coin in w.coins}.get
    got = select_coins(10 * CENT, w.coins, random.Random(0), preset=[a.outpoint], wallet_coin=lookup)
    assert a in got.coins and got.total == 11 * CENT and set(got.coins) == {a, b}
    got = select_coins(3 * CENT, w.coins, random.Random(0), preset=[c.outpoint], wallet_coin=lookup)
    assert got.coins == (c,) and got.total == 30 * CENT  # the preset covers it: nothing else selected
    assert select_coins(1, w.coins, random.Random(0), preset=[OutPoint(b"\x55" * 32, 0)], wallet_coin=lookup) is None
    assert select_coins(60 * CENT, w.coins, random.Random(0), preset=[a.outpoint], wallet_coin=lookup) is None


def test_preset_from_wallet_even_if_not_available():
    w = Wallet()
    w.add(5 * CENT)
    spent_or_young = CandidateCoin(b"\x33" * 32, 1, 6 * CENT, b"\x51", 0, False, True)
    got = select_coins(
        8 * CENT, w.coins, random.Random(0), preset=[spent_or_young.outpoint], wallet_coin=lambda op: spent_or_young
    )
    assert got.total == 11 * CENT and spent_or_young in got.coins


def test_preset_only_when_other_inputs_not_allowed():
    w = Wallet()
    a = w.add(4 * CENT)
    w.add(7 * CENT)
    b = w.add(2 * CENT)
    got = select_coins(5 * CENT, w.coins, random.Random(0), preset=[a.outpoint, b.outpoint], allow_other_inputs=False)
    assert set(got.coins) == {a, b} and got.total == 6 * CENT
    assert select_coins(7 * CENT, w.coins, random.Random(0), preset=[a.outpoint, b.outpoint], allow_other_inputs=False) is None


# ----- AvailableCoins filters ---------------------------------------------------------------


P2SH = bytes([0xA9, 0x14]) + b"\x11" * 20 + bytes([0x87])


def _output(n: int, **facts) -> WalletOutput:
    value = facts.pop("value", COIN)
    script = facts.pop("script", b"\x76\xa9\x14" + b"\x22" * 20 + b"\x88\xac")
    depth = facts.pop("depth", 3)
    spendable = facts.pop("spendable", True)
    base = dict(is_mine=True, final=True, trusted=True, immature_coinbase=False, spent=False, locked=False)
    base.update(facts)
    return WalletOutput(CandidateCoin(bytes([n]) * 32, 0, value, script, depth, False, spendable), **base)


def test_available_coins_filters():
    good = _output(1)
    outputs = [
        good,
        _output(2, final=False),
        _output(3, trusted=False),
        _output(4, immature_coinbase=True),
        _output(5, depth=-1),
        _output(6, spent=True),
        _output(7, is_mine=False, spendable=False),
        _output(8, locked=True),
        _output(9, value=0),
    ]
    watched_p2sh = _output(10, is_mine=False, spendable=False, script=P2SH)
    outputs.append(watched_p2sh)
    assert available_coins(outputs) == [good.coin, watched_p2sh.coin]
    assert _output(3, trusted=False).coin in available_coins(outputs, only_confirmed=False)
    assert _output(9, value=0).coin in available_coins(outputs, include_zero_value=True)
    only = available_coins(outputs, selected=frozenset({watched_p2sh.coin.outpoint}), allow_other_inputs=False)
    assert only == [watched_p2sh.coin]
    assert select_coins(1, available_coins(outputs)[1:], random.Random(0)) is None  # watch-only: never spent


# ----- properties -------------------------------------------------------------------------


coin_strategy = st.builds(
    lambda n, value, depth, mine, spendable: CandidateCoin(n.to_bytes(32, "little"), 0, value, b"\x51", depth, mine, spendable),
    st.integers(0, 10**6),
    st.integers(1, 3 * COIN),
    st.integers(0, 10),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(coin_strategy, max_size=25, unique_by=lambda c: c.txid_raw),
    st.integers(1, 5 * COIN),
    st.integers(0, 2),
    st.integers(1, 6),
    st.integers(0, 2**32),
)
def test_selection_properties(coins, target, conf_mine, conf_theirs, seed):
    got = select_coins_min_conf(target, conf_mine, conf_theirs, coins, random.Random(seed))
    eligible = [c for c in coins if c.spendable and c.depth >= (conf_mine if c.from_me else conf_theirs)]
    if got is None:
        assert sum(c.value for c in eligible) < target
        return
    assert got.total >= target
    assert got.total == sum(c.value for c in got.coins)
    assert len({c.outpoint for c in got.coins}) == len(got.coins)
    assert all(c in eligible for c in got.coins)


@settings(max_examples=40, deadline=None)
@given(st.lists(coin_strategy, max_size=20, unique_by=lambda c: c.txid_raw), st.integers(1, 5 * COIN), st.integers(0, 2**32))
def test_select_coins_properties(coins, target, seed):
    got = select_coins(target, coins, random.Random(seed))
    usable_zero = [c for c in coins if c.spendable and c.depth >= (0 if c.from_me else 1)]
    if got is None:
        assert sum(c.value for c in usable_zero) < target
        return
    assert got.total >= target and all(c in usable_zero for c in got.coins)


def _stepwise_subset(values, total_lower, target, rng, iterations=1000):
    """C++ ApproximateBestSubset step by step, fed the same inclusion bits as the fast one."""
    from fluxd.wallet.coin_select import _random_bits

    best, best_total = [True] * len(values), total_lower
    rep = 0
    while rep < iterations and best_total != target:
        bits = _random_bits(rng, len(values))
        included, total, reached = [False] * len(values), 0, False
        for pass_no in range(2):
            if reached:
                break
            for i, value in enumerate(values):
                if not (bits[i] if pass_no == 0 else not included[i]):
                    continue
                total += value
                included[i] = True
                if total >= target:
                    reached = True
                    if total < best_total:
                        best_total, best = total, list(included)
                    total -= value
                    included[i] = False
        rep += 1
    return best, best_total


@given(
    st.lists(st.integers(1, 5_000), min_size=1, max_size=60),
    st.integers(1, 100_000),
    st.integers(0, 2**32),
    st.integers(1, 40),
)
@settings(max_examples=300, deadline=None)
def test_fast_subset_search_equals_the_stepwise_rounds(values, target, seed, iterations):
    import random as _random

    from fluxd.wallet.coin_select import approximate_best_subset

    ordered = sorted(values, reverse=True)
    total = sum(ordered)
    fast = approximate_best_subset(ordered, total, target, _random.Random(seed), iterations)
    slow = _stepwise_subset(ordered, total, target, _random.Random(seed), iterations)
    assert fast == slow
