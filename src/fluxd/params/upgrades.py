"""Network upgrades: indices, branch ids, and the activation queries of C++ consensus/upgrades.cpp.

Every Flux upgrade from LWMA to PoN shares branch id 0x76b809bb.  Activation
height ``NO_ACTIVATION_HEIGHT`` (-1) disables an upgrade for
``network_upgrade_active``, but ``is_pon_active`` is a plain ``height >=
activation`` compare (C++ pon-fork.cpp), so on regtest without an override PoN
counts as active at every height, exactly as in C++.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluxd.params.chainparams import ChainParams

ALWAYS_ACTIVE = 0
NO_ACTIVATION_HEIGHT = -1

SPROUT_BRANCH_ID = 0x00000000
TESTDUMMY_BRANCH_ID = 0x74736554
FLUX_BRANCH_ID = 0x76B809BB


class Upgrade(IntEnum):
    BASE_SPROUT = 0
    TESTDUMMY = 1
    LWMA = 2
    EQUI144_5 = 3
    ACADIA = 4
    KAMIOOKA = 5
    KAMATA = 6
    FLUX = 7
    HALVING = 8
    P2SHNODES = 9
    PON = 10


@dataclass(frozen=True, slots=True)
class UpgradeInfo:
    branch_id: int
    name: str
    info: str


UPGRADE_INFO: dict[Upgrade, UpgradeInfo] = {
    Upgrade.BASE_SPROUT: UpgradeInfo(SPROUT_BRANCH_ID, "Base", "The Zelcash network at launch"),
    Upgrade.TESTDUMMY: UpgradeInfo(TESTDUMMY_BRANCH_ID, "Test dummy", "Test dummy info"),
    Upgrade.LWMA: UpgradeInfo(FLUX_BRANCH_ID, "LWMA", "Zelcash upgraded to LWMA difficulty algorithm"),
    Upgrade.EQUI144_5: UpgradeInfo(FLUX_BRANCH_ID, "Equihash 144/5", "Zelcash PoW Change to Equihash 144/5"),
    Upgrade.ACADIA: UpgradeInfo(FLUX_BRANCH_ID, "Acadia", "The Zelcash Acadia Update"),
    Upgrade.KAMIOOKA: UpgradeInfo(
        FLUX_BRANCH_ID, "Kamiooka", "Zel Kamiooka Upgrade, PoW change to ZelHash and update for ZelNodes"
    ),
    Upgrade.KAMATA: UpgradeInfo(FLUX_BRANCH_ID, "Kamata", "Zel Kamata Upgrade, Deterministic ZelNodes and ZelFlux"),
    Upgrade.FLUX: UpgradeInfo(FLUX_BRANCH_ID, "Flux", "Flux Upgrade, Multiple chains"),
    Upgrade.HALVING: UpgradeInfo(FLUX_BRANCH_ID, "Halving", "Flux Halving"),
    Upgrade.P2SHNODES: UpgradeInfo(FLUX_BRANCH_ID, "P2SHNodes", "Multisig Node Upgrade"),
    Upgrade.PON: UpgradeInfo(FLUX_BRANCH_ID, "PON", "Proof of Node activation"),
}


@dataclass(frozen=True, slots=True)
class NetworkUpgrade:
    protocol_version: int
    activation_height: int
    hash_activation_block_rev: bytes | None = None


class UpgradeState(IntEnum):
    DISABLED = 0
    PENDING = 1
    ACTIVE = 2


def upgrade_state(params: ChainParams, height: int, upgrade: Upgrade) -> UpgradeState:
    """NetworkUpgradeState."""
    if height < 0:
        raise ValueError("height must not be negative")
    activation = params.upgrades[upgrade].activation_height
    if activation == NO_ACTIVATION_HEIGHT:
        return UpgradeState.DISABLED
    return UpgradeState.ACTIVE if height >= activation else UpgradeState.PENDING


def network_upgrade_active(params: ChainParams, height: int, upgrade: Upgrade) -> bool:
    """NetworkUpgradeActive."""
    return upgrade_state(params, height, upgrade) is UpgradeState.ACTIVE


def current_epoch(params: ChainParams, height: int) -> Upgrade:
    """CurrentEpoch: the newest active upgrade at ``height``."""
    for upgrade in reversed(Upgrade):
        if network_upgrade_active(params, height, upgrade):
            return upgrade
    return Upgrade.BASE_SPROUT


def current_epoch_branch_id(params: ChainParams, height: int) -> int:
    """CurrentEpochBranchId: the consensus branch id used for signature hashing."""
    return UPGRADE_INFO[current_epoch(params, height)].branch_id


def is_consensus_branch_id(branch_id: int) -> bool:
    return any(info.branch_id == branch_id for info in UPGRADE_INFO.values())


def is_activation_height(params: ChainParams, height: int, upgrade: Upgrade) -> bool:
    """IsActivationHeight (never true for BASE_SPROUT)."""
    if upgrade is Upgrade.BASE_SPROUT:
        return False
    return height >= 0 and height == params.upgrades[upgrade].activation_height


def is_activation_height_for_any_upgrade(params: ChainParams, height: int) -> bool:
    if height < 0:
        return False
    return any(params.upgrades[upgrade].activation_height == height for upgrade in list(Upgrade)[1:])


def next_epoch(params: ChainParams, height: int) -> Upgrade | None:
    """NextEpoch: the first upgrade still pending at ``height``."""
    if height < 0:
        return None
    for upgrade in list(Upgrade)[1:]:
        if upgrade_state(params, height, upgrade) is UpgradeState.PENDING:
            return upgrade
    return None


def next_activation_height(params: ChainParams, height: int) -> int | None:
    upgrade = next_epoch(params, height)
    return None if upgrade is None else params.upgrades[upgrade].activation_height


def is_pon_active(params: ChainParams, height: int) -> bool:
    """IsPONActive: ``height >= activation`` with no special case for -1."""
    return height >= params.upgrades[Upgrade.PON].activation_height
