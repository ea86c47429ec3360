"""Fluxnode tiers and their collateral amounts by height (C++ coins.cpp GetCoinAmountsByTier).

Each tier accepted its V1 amount before its transition window, both amounts
inside ``[begin, end)`` and only the V2 amount from ``end`` on.
"""

from __future__ import annotations

from enum import IntEnum

from fluxd.core.amount import COIN
from fluxd.params.chainparams import ChainParams, TierTransition


class Tier(IntEnum):
    CUMULUS = 1
    NIMBUS = 2
    STRATUS = 3


COLLATERAL_V1 = {Tier.CUMULUS: 10_000 * COIN, Tier.NIMBUS: 25_000 * COIN, Tier.STRATUS: 100_000 * COIN}
COLLATERAL_V2 = {Tier.CUMULUS: 1_000 * COIN, Tier.NIMBUS: 12_500 * COIN, Tier.STRATUS: 40_000 * COIN}
TIER_NAMES = {Tier.CUMULUS: "CUMULUS", Tier.NIMBUS: "NIMBUS", Tier.STRATUS: "STRATUS"}


def tier_transition(params: ChainParams, tier: Tier) -> TierTransition:
    return {
        Tier.CUMULUS: params.cumulus_transition,
        Tier.NIMBUS: params.nimbus_transition,
        Tier.STRATUS: params.stratus_transition,
    }[tier]


def collateral_amounts(params: ChainParams, height: int, tier: Tier) -> frozenset[int]:
    """GetCoinAmountsByTier: the exact collateral values that make a node of ``tier`` at ``height``."""
    window = tier_transition(params, tier)
    if height < window.begin_height:
        return frozenset({COLLATERAL_V1[tier]})
    if height < window.end_height:
        return frozenset({COLLATERAL_V1[tier], COLLATERAL_V2[tier]})
    return frozenset({COLLATERAL_V2[tier]})


def tier_from_collateral(params: ChainParams, height: int, amount: int) -> Tier | None:
    """GetCoinTierFromAmount: the tier whose collateral is exactly ``amount`` at ``height``."""
    for tier in Tier:
        if amount in collateral_amounts(params, height, tier):
            return tier
    return None
