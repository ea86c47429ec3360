"""Which Equihash parameter sets a header at a given height may use (C++ validEHparameterList).

CONSENSUS_HEADERS.md §2.3: each switch (EQUI144_5, KAMIOOKA) has a fade
window of ``eh_epoch_fade_length`` blocks in which the old and the new set are
both accepted; the newer set comes first.
"""

from __future__ import annotations

from fluxd.params.chainparams import ChainParams, EquihashParams
from fluxd.params.upgrades import Upgrade, network_upgrade_active

TESTNET_ANY_SIZE_MAX_HEIGHT = 320


def valid_eh_parameter_list(params: ChainParams, height: int) -> list[EquihashParams]:
    current = max(height, 0)
    faded = max(current - params.eh_epoch_fade_length, 0)
    if network_upgrade_active(params, faded, Upgrade.KAMIOOKA):
        return [params.eh_epoch_3]
    if network_upgrade_active(params, current, Upgrade.KAMIOOKA):
        return [params.eh_epoch_3, params.eh_epoch_2]
    if network_upgrade_active(params, faded, Upgrade.EQUI144_5):
        return [params.eh_epoch_2]
    if network_upgrade_active(params, current, Upgrade.EQUI144_5):
        return [params.eh_epoch_2, params.eh_epoch_1]
    return [params.eh_epoch_1]


def solution_size_allowed(params: ChainParams, height: int, solution_size: int) -> bool:
    """The size part of ContextualCheckBlockHeader (empty solutions pass here and fail later)."""
    if solution_size == 0:
        return True
    if any(candidate.solution_size == solution_size for candidate in valid_eh_parameter_list(params, height)):
        return True
    return params.is_testnet and height <= TESTNET_ANY_SIZE_MAX_HEIGHT
