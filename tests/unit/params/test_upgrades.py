"""Upgrade activation queries (C++ consensus/upgrades.cpp) on real network parameters."""

from __future__ import annotations

import pytest

from fluxd.params import networks
from fluxd.params.upgrades import (
    FLUX_BRANCH_ID,
    SPROUT_BRANCH_ID,
    Upgrade,
    UpgradeState,
    current_epoch,
    current_epoch_branch_id,
    is_activation_height,
    is_activation_height_for_any_upgrade,
    is_consensus_branch_id,
    is_pon_active,
    network_upgrade_active,
    next_activation_height,
    upgrade_state,
)

MAIN = networks.main_params()
REGTEST = networks.regtest_params()


@pytest.mark.parametrize(
    "height,epoch,branch_id",
    [
        (0, Upgrade.BASE_SPROUT, SPROUT_BRANCH_ID),
        (124_999, Upgrade.BASE_SPROUT, SPROUT_BRANCH_ID),
        (125_000, Upgrade.LWMA, FLUX_BRANCH_ID),
        (250_000, Upgrade.ACADIA, FLUX_BRANCH_ID),
        (2_019_999, Upgrade.P2SHNODES, FLUX_BRANCH_ID),
        (2_020_000, Upgrade.PON, FLUX_BRANCH_ID),
    ],
)
def test_mainnet_epochs(height, epoch, branch_id):
    assert current_epoch(MAIN, height) is epoch
    assert current_epoch_branch_id(MAIN, height) == branch_id


def test_states_and_activation_heights():
    assert upgrade_state(MAIN, 0, Upgrade.TESTDUMMY) is UpgradeState.DISABLED
    assert upgrade_state(MAIN, 1, Upgrade.FLUX) is UpgradeState.PENDING
    assert network_upgrade_active(MAIN, 835_554, Upgrade.FLUX)
    assert is_activation_height(MAIN, 835_554, Upgrade.FLUX)
    assert not is_activation_height(MAIN, 0, Upgrade.BASE_SPROUT)
    assert is_activation_height_for_any_upgrade(MAIN, 558_000)
    assert not is_activation_height_for_any_upgrade(MAIN, 558_001)
    assert next_activation_height(MAIN, 1_000_000) == 1_076_532
    assert next_activation_height(MAIN, 3_000_000) is None
    assert is_consensus_branch_id(0x76B809BB) and not is_consensus_branch_id(0x5BA81B19)
    with pytest.raises(ValueError):
        upgrade_state(MAIN, -1, Upgrade.PON)


def test_pon_active_quirk_on_regtest():
    assert is_pon_active(REGTEST, 0)
    assert not network_upgrade_active(REGTEST, 0, Upgrade.PON)
    assert current_epoch_branch_id(REGTEST, 500) == SPROUT_BRANCH_ID
    assert not is_pon_active(MAIN, 2_019_999) and is_pon_active(MAIN, 2_020_000)
