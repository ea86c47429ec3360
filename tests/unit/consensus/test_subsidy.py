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
