"""Fluxnode list windows by era (C++ fluxnode.h constants, CONSENSUS_TRANSACTIONS.md §6.2).

Which activation test each window uses matters on regtest, where PoN counts as
active for ``is_pon_active`` at every height: the START → DoS window follows
``is_pon_active`` (C++ CheckForExpiredStartTx), every other window follows
``network_upgrade_active`` (C++ NetworkUpgradeActive).
"""

from __future__ import annotations

from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active, network_upgrade_active

COLLATERAL_MIN_CONFIRMATIONS = 100  # FLUXNODE_MIN_CONFIRMATION_DETERMINISTIC
IP_CHANGE_MIN_GAP = 5  # FLUXNODE_CONFIRM_UPDATE_MIN_HEIGHT_IP_CHANGE_V1
MAX_SIG_TIME_AGE = 3600  # FLUXNODE_MAX_SIG_TIME (mempool)


def start_window(params: ChainParams, height: int) -> int:
    """Blocks a START has to be confirmed in before it moves to the DoS list."""
    return 240 if is_pon_active(params, height) else 60


def dos_window(params: ChainParams, height: int) -> int:
    """Blocks a DoS-listed collateral stays banned from a new START."""
    return 720 if network_upgrade_active(params, height, Upgrade.PON) else 180


def expiration_count(params: ChainParams, height: int) -> int:
    """GetFluxnodeExpirationCount: a confirmed node expires when its last confirm is older than this."""
    if network_upgrade_active(params, height, Upgrade.PON):
        return 640
    if network_upgrade_active(params, height, Upgrade.HALVING):
        return 160
    if network_upgrade_active(params, height, Upgrade.FLUX):
        return 80
    return 60


def update_min_gap(params: ChainParams, height: int) -> int:
    """An UPDATE confirm is allowed only when more than this many blocks passed since the last confirm."""
    if network_upgrade_active(params, height, Upgrade.PON):
        return 500
    if network_upgrade_active(params, height, Upgrade.HALVING):
        return 120
    return 40


def dos_entries_expire(params: ChainParams, height: int, added_height: int) -> bool:
    """GetUndoDataForExpiredFluxnodeDosScores: exactly W_dos old before PoN, at least W_dos old under PoN."""
    removal_height = height - dos_window(params, height)
    if network_upgrade_active(params, height, Upgrade.PON):
        return added_height <= removal_height
    return added_height == removal_height


def update_gap_ok(params: ChainParams, height: int, last_confirmed_height: int, ip_changes: bool) -> bool:
    """CheckConfirmationHeights at tip+1: an IP change after 5 blocks (from FLUX), else more than the era's gap."""
    distance = height - last_confirmed_height
    if ip_changes and network_upgrade_active(params, height, Upgrade.FLUX) and distance >= IP_CHANGE_MIN_GAP:
        return True
    return distance > update_min_gap(params, height)
