"""Block subsidy, fluxnode tier payouts, dev fund and the one-off funding outputs.

CONSENSUS_TRANSACTIONS.md §4 and §5.1 (C++ main.cpp GetBlockSubsidy,
GetFluxnodeSubsidy, GetMinDevFundAmount, IsSwapPoolInterval).  All amounts are
integer zatoshi.  The PoN branch is chosen with ``is_pon_active`` (a plain
height compare), so on regtest it applies at every height, as in C++.
"""

from __future__ import annotations

from fluxd.core.amount import COIN
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active, network_upgrade_active

CUMULUS = 1
NIMBUS = 2
STRATUS = 3
TIERS = (CUMULUS, NIMBUS, STRATUS)

PREMINE_HEIGHT = 1
PREMINE_AMOUNT = 13_020_000 * COIN
POW_BASE_SUBSIDY = 150 * COIN
MAX_HALVINGS_APPLIED = 2  # halving 3 (mainnet 1,968,550) was cancelled

_PON_INITIAL_TOTAL = 14 * COIN
_PON_TIER_BASES = {CUMULUS: 1 * COIN, NIMBUS: 350_000_000, STRATUS: 9 * COIN}
# Pre-PoN payouts: a C++ double percentage of the block value, times 2.0 from UPGRADE_FLUX.
_POW_TIER_PERCENT = {CUMULUS: 0.0375, NIMBUS: 0.0625, STRATUS: 0.15}


def pon_activation_height(params: ChainParams) -> int:
    return params.upgrades[Upgrade.PON].activation_height


def block_subsidy(params: ChainParams, height: int) -> int:
    """GetBlockSubsidy: the new coins a block at ``height`` may create."""
    if is_pon_active(params, height):
        return _pon_subsidy(params, height)
    if height == PREMINE_HEIGHT:
        return PREMINE_AMOUNT
    slow_start = params.subsidy_slow_start_interval
    if height < slow_start // 2:
        return POW_BASE_SUBSIDY // slow_start * height
    if height < slow_start:
        return POW_BASE_SUBSIDY // slow_start * (height + 1)
    halvings = (height - slow_start // 2) // params.subsidy_halving_interval
    if halvings >= 64:
        return 0
    return POW_BASE_SUBSIDY >> min(halvings, MAX_HALVINGS_APPLIED)


def _pon_subsidy(params: ChainParams, height: int) -> int:
    subsidy = params.pon_initial_subsidy * COIN
    blocks_since_pon = height - pon_activation_height(params)
    reductions = _c_div(blocks_since_pon, params.pon_subsidy_reduction_interval)
    for _ in range(max(0, min(reductions, params.pon_max_reductions))):
        subsidy = subsidy * 9 // 10
    return subsidy


def _c_div(numerator: int, denominator: int) -> int:
    """C++ integer division (truncates toward zero)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def fluxnode_subsidy(params: ChainParams, height: int, block_value: int, tier: int) -> int:
    """GetFluxnodeSubsidy: what the payee of ``tier`` must receive at ``height``."""
    if tier not in TIERS:
        return 0
    if is_pon_active(params, height):
        return block_subsidy(params, height) * _PON_TIER_BASES[tier] // _PON_INITIAL_TOTAL
    multiple = 2.0 if network_upgrade_active(params, height, Upgrade.FLUX) else 1.0
    return int(block_value * (_POW_TIER_PERCENT[tier] * multiple))


def min_dev_fund_amount(params: ChainParams, height: int) -> int:
    """GetMinDevFundAmount: the subsidy left after the three tier payouts."""
    subsidy = block_subsidy(params, height)
    return subsidy - sum(fluxnode_subsidy(params, height, subsidy, tier) for tier in TIERS)


def is_swap_pool_height(params: ChainParams, height: int) -> bool:
    """IsSwapPoolInterval: heights start + interval * i for i < max_times."""
    start = params.swap_pool_start_height
    interval = params.swap_pool_interval
    if height < start or height > start + interval * params.swap_pool_max_times:
        return False
    return (height - start) % interval == 0 and (height - start) // interval < params.swap_pool_max_times


def funding_due(params: ChainParams, height: int) -> list[tuple[str, str, int]]:
    """The (kind, address, exact amount) funding outputs a coinbase at ``height`` must pay."""
    due = []
    if height == params.exchange_funding_height:
        due.append(("exchange", params.exchange_funding_address, params.exchange_funding_amount))
    if height == params.foundation_funding_height:
        due.append(("foundation", params.foundation_funding_address, params.foundation_funding_amount))
    if is_swap_pool_height(params, height):
        due.append(("swappool", params.swap_pool_address, params.swap_pool_amount))
    return due
