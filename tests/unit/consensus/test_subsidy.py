"""Block subsidy and tier payouts: CONSENSUS_TRANSACTIONS.md §4 and §5.1 (C++ GetBlockSubsidy)."""

from __future__ import annotations

import pytest

from fluxd.consensus.subsidy import (
    CUMULUS,
    NIMBUS,
    STRATUS,
    block_subsidy,
    fluxnode_subsidy,
    funding_due,
    is_swap_pool_height,
    min_dev_fund_amount,
)
from fluxd.core.amount import COIN
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade

MAIN = networks.main_params()
TEST = networks.testnet_params()
REGTEST = networks.regtest_params()


@pytest.mark.parametrize(
    "height,expected",
    [
        (1, 13_020_000 * COIN),
        (2, 3_000_000 * 2),
        (2_499, 3_000_000 * 2_499),
        (2_500, 3_000_000 * 2_501),
        (4_999, 3_000_000 * 5_000),
        (5_000, 150 * COIN),
        (657_849, 150 * COIN),
        (657_850, 75 * COIN),
        (1_313_199, 75 * COIN),
        (1_313_200, 3_750_000_000),
        (1_968_549, 3_750_000_000),
        (1_968_550, 3_750_000_000),  # halving 3 is cancelled
        (2_019_999, 3_750_000_000),
        (2_020_000, 14 * COIN),
        (3_071_199, 14 * COIN),
        (3_071_200, 1_260_000_000),
        (4_122_400, 1_134_000_000),
    ],
)
def test_mainnet_schedule(height, expected):
    assert block_subsidy(MAIN, height) == expected


def test_mainnet_pon_reductions_and_floor():
    subsidy = 14 * COIN
    for step in range(1, 21):
        subsidy = subsidy * 9 // 10
        height = 2_020_000 + step * 1_051_200
        assert block_subsidy(MAIN, height) == subsidy
        assert block_subsidy(MAIN, height - 1) > subsidy
    assert subsidy == 170_207_313
    assert block_subsidy(MAIN, 23_044_000) == 170_207_313
    assert block_subsidy(MAIN, 100_000_000) == 170_207_313


def test_mainnet_whole_range_is_monotone_after_slow_start():
    previous = block_subsidy(MAIN, 5_000)
    for height in range(5_000, 5_000_001, 997):
        current = block_subsidy(MAIN, height)
        assert 0 < current <= previous
        previous = current


def test_testnet_and_regtest_quirks():
    assert block_subsidy(TEST, 1) == 13_020_000 * COIN
    assert block_subsidy(TEST, 799) == 150 * COIN
    assert block_subsidy(TEST, 800) == 14 * COIN
    # regtest: PoN "active" at every height, activation -1 => reductions from h = 99
    assert block_subsidy(REGTEST, 1) == 14 * COIN
    assert block_subsidy(REGTEST, 98) == 14 * COIN
    assert block_subsidy(REGTEST, 99) == 1_260_000_000
    floor = 14 * COIN
    for _ in range(10):
        floor = floor * 9 // 10
    assert block_subsidy(REGTEST, 999) == floor
    assert block_subsidy(REGTEST, 100_000) == floor


def test_regtest_with_pon_override_uses_pow_schedule_before():
    params = networks.regtest_params({Upgrade.PON: 500})
    assert block_subsidy(params, 1) == 13_020_000 * COIN
    assert block_subsidy(params, 149) == 150 * COIN
    assert block_subsidy(params, 150) == 75 * COIN
    assert block_subsidy(params, 500) == 14 * COIN


@pytest.mark.parametrize(
    "height,tiers",
    [
        (560_000, (562_500_000, 937_500_000, 2_250_000_000)),
        (657_850, (281_250_000, 468_750_000, 1_125_000_000)),
        (835_554, (562_500_000, 937_500_000, 2_250_000_000)),
        (1_313_200, (281_250_000, 468_750_000, 1_125_000_000)),
        (2_020_000, (1 * COIN, 350_000_000, 9 * COIN)),
        (3_071_200, (90_000_000, 315_000_000, 810_000_000)),
    ],
)
def test_tier_payouts(height, tiers):
    value = block_subsidy(MAIN, height)
    assert tuple(fluxnode_subsidy(MAIN, height, value, tier) for tier in (CUMULUS, NIMBUS, STRATUS)) == tiers
    assert fluxnode_subsidy(MAIN, height, value, 0) == 0


def test_dev_fund_remainder():
    assert min_dev_fund_amount(MAIN, 2_020_000) == 50_000_000
    assert min_dev_fund_amount(MAIN, 3_071_200) == 45_000_000


def test_funding_outputs_and_swap_pool():
    assert funding_due(MAIN, 836_274) == [("exchange", "t3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS", 7_500_000 * COIN)]
    assert funding_due(MAIN, 836_994) == [("foundation", "t3XjYMBvwxnXVv9jqg4CgokZ3f7kAoXPQL8", 2_500_000 * COIN)]
    swaps = [height for height in range(837_000, 837_714 + 21_600 * 11) if is_swap_pool_height(MAIN, height)]
    assert swaps == [837_714 + 21_600 * i for i in range(10)]
    assert funding_due(MAIN, 837_714)[0][0] == "swappool"
    assert funding_due(MAIN, 837_715) == []
    due = funding_due(REGTEST, 10)
    assert [kind for kind, _, _ in due] == ["exchange", "foundation", "swappool"]


def _schedule_from_the_table(height: int, pon_values: list[int]) -> int:
    """CONSENSUS_TRANSACTIONS.md §4, mainnet, written out from the table (not from the implementation)."""
    if height == 0:
        return 0  # genesis: the slow-start formula gives 0 (its coinbase is never connected)
    if height == 1:
        return 13_020_000 * COIN
    if height < 2_500:
        return 3_000_000 * height
    if height < 5_000:
        return 3_000_000 * (height + 1)
    if height < 657_850:
        return 150 * COIN
    if height < 1_313_200:
        return 75 * COIN
    if height < 2_020_000:
        return 3_750_000_000
    return pon_values[min((height - 2_020_000) // 1_051_200, 20)]


@pytest.mark.slow
def test_mainnet_every_height_to_five_million_matches_the_table():
    pon_values = [14 * COIN]
    for _ in range(20):
        pon_values.append(pon_values[-1] * 9 // 10)
    mismatches = [h for h in range(0, 5_000_001) if block_subsidy(MAIN, h) != _schedule_from_the_table(h, pon_values)]
    assert mismatches == []


def test_genesis_and_era_edges():
    assert block_subsidy(MAIN, 0) == 0
    assert [block_subsidy(MAIN, h) for h in (2_019_999, 2_020_000, 2_020_001)] == [3_750_000_000, 14 * COIN, 14 * COIN]
    reductions = [2_020_000 + k * 1_051_200 for k in range(1, 5)]
    assert reductions[:2] == [3_071_200, 4_122_400]  # the only two below 5,000,000
    assert block_subsidy(MAIN, 4_122_399) == 1_260_000_000 and block_subsidy(MAIN, 5_000_000) == 1_134_000_000


def test_testnet_pon_reductions():
    assert block_subsidy(TEST, 800 + 525_599) == 14 * COIN
    assert block_subsidy(TEST, 800 + 525_600) == 1_260_000_000
    assert block_subsidy(TEST, 800 + 20 * 525_600) == 170_207_313 == block_subsidy(TEST, 800 + 40 * 525_600)
