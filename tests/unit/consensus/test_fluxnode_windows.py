"""Fluxnode list windows at each era boundary (C++ fluxnode.h constants; CONSENSUS_TRANSACTIONS.md §6.2)."""

from __future__ import annotations

import pytest

from fluxd.consensus.fluxnode_windows import (
    dos_entries_expire,
    dos_window,
    expiration_count,
    start_window,
    update_gap_ok,
    update_min_gap,
)
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade

MAIN = networks.params_for_network("main")
FLUX, HALVING, PON = (MAIN.upgrades[upgrade].activation_height for upgrade in (Upgrade.FLUX, Upgrade.HALVING, Upgrade.PON))


@pytest.mark.parametrize("height, expected", [(FLUX - 1, 60), (FLUX, 80), (HALVING - 1, 80), (HALVING, 160), (PON - 1, 160), (PON, 640)])
def test_expiration_count_by_era(height, expected):
    assert expiration_count(MAIN, height) == expected


@pytest.mark.parametrize("height, expected", [(HALVING - 1, 40), (HALVING, 120), (PON - 1, 120), (PON, 500)])
def test_update_gap_by_era(height, expected):
    assert update_min_gap(MAIN, height) == expected


@pytest.mark.parametrize("height, start, dos", [(PON - 1, 60, 180), (PON, 240, 720)])
def test_start_and_dos_windows_switch_at_pon(height, start, dos):
    assert (start_window(MAIN, height), dos_window(MAIN, height)) == (start, dos)


def test_dos_removal_is_exact_before_pon_and_at_least_under_pon():
    before = PON - 1
    assert dos_entries_expire(MAIN, before, before - 180) and not dos_entries_expire(MAIN, before, before - 181)
    assert dos_entries_expire(MAIN, PON, PON - 720) and dos_entries_expire(MAIN, PON, PON - 900)
    assert not dos_entries_expire(MAIN, PON, PON - 719)


def test_update_gap_and_the_ip_change_rule():
    height = HALVING + 1_000
    assert not update_gap_ok(MAIN, height, height - 120, ip_changes=False) and update_gap_ok(MAIN, height, height - 121, False)
    assert update_gap_ok(MAIN, height, height - 5, ip_changes=True) and not update_gap_ok(MAIN, height, height - 4, True)
    before_flux = FLUX - 10  # no IP-change shortcut before FLUX
    assert not update_gap_ok(MAIN, before_flux, before_flux - 5, ip_changes=True)


def test_regtest_counts_pon_active_for_the_start_window_only():
    regtest = networks.regtest_params()  # PoN at -1: IsPONActive everywhere, NetworkUpgradeActive nowhere
    assert start_window(regtest, 10) == 240 and dos_window(regtest, 10) == 180 and expiration_count(regtest, 10) == 60
