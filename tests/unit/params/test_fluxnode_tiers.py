"""Tier collateral windows: CONSENSUS_TRANSACTIONS.md §6.1 on mainnet, testnet and regtest."""

from __future__ import annotations

import pytest

from fluxd.core.amount import COIN
from fluxd.params import networks
from fluxd.params.fluxnode_tiers import Tier, collateral_amounts, tier_from_collateral

MAIN = networks.main_params()


@pytest.mark.parametrize(
    "tier,begin,end,v1,v2",
    [
        (Tier.CUMULUS, 1_076_532, 1_086_612, 10_000, 1_000),
        (Tier.NIMBUS, 1_081_572, 1_092_372, 25_000, 12_500),
        (Tier.STRATUS, 1_087_332, 1_097_412, 100_000, 40_000),
    ],
)
def test_mainnet_windows(tier, begin, end, v1, v2):
    assert collateral_amounts(MAIN, begin - 1, tier) == {v1 * COIN}
    assert collateral_amounts(MAIN, begin, tier) == {v1 * COIN, v2 * COIN}
    assert collateral_amounts(MAIN, end - 1, tier) == {v1 * COIN, v2 * COIN}
    assert collateral_amounts(MAIN, end, tier) == {v2 * COIN}
    assert tier_from_collateral(MAIN, end, v2 * COIN) is tier
    assert tier_from_collateral(MAIN, end, v1 * COIN) is None


def test_other_networks():
    test = networks.testnet_params()
    assert collateral_amounts(test, 419, Tier.NIMBUS) == {25_000 * COIN}
    assert collateral_amounts(test, 520, Tier.NIMBUS) == {12_500 * COIN}
    regtest = networks.regtest_params()
    assert collateral_amounts(regtest, 99, Tier.STRATUS) == {100_000 * COIN, 40_000 * COIN}
    assert collateral_amounts(regtest, 100, Tier.STRATUS) == {40_000 * COIN}
    assert tier_from_collateral(regtest, 500, 10_000 * COIN) is Tier.CUMULUS
    assert tier_from_collateral(regtest, 500, 10_001 * COIN) is None
