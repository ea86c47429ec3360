"""``-nuparams=<id>:<height>`` regtest activation overrides (C++ init.cpp).

C++ matches ``<id>`` against the hex branch ids in upgrade order and takes the
first match, so ``76b809bb`` (shared by every Flux upgrade) only ever moves
LWMA.  We keep that meaning for branch ids and also accept an upgrade name
(``pon``, ``flux``, ``acadia`` ...) so tests can move any one upgrade; this
extension is ours, C++ has no way to move PoN on regtest.
"""

from __future__ import annotations

from fluxd.params.upgrades import UPGRADE_INFO, Upgrade


class NuparamsError(ValueError):
    """Message text matches the C++ InitError strings."""


def _upgrade_for(identifier: str) -> Upgrade:
    for upgrade in list(Upgrade)[1:]:
        if identifier == f"{UPGRADE_INFO[upgrade].branch_id:08x}":
            return upgrade
    by_name = {upgrade.name.lower(): upgrade for upgrade in list(Upgrade)[1:]}
    if identifier.lower() in by_name:
        return by_name[identifier.lower()]
    raise NuparamsError(f"Invalid network upgrade ({identifier})")


def parse_nuparams(values: list[str], network_id: str) -> dict[Upgrade, int]:
    if not values:
        return {}
    if network_id != "regtest":
        raise NuparamsError("Network upgrade parameters may only be overridden on regtest.")
    overrides: dict[Upgrade, int] = {}
    for value in values:
        parts = value.split(":")
        if len(parts) != 2:
            raise NuparamsError("Network upgrade parameters malformed, expecting hexBranchId:activationHeight")
        identifier, height_text = parts
        try:
            height = int(height_text, 10)
        except ValueError:
            height = None
        if height is None or not -(2**31) <= height < 2**31 or height_text.strip() != height_text:
            raise NuparamsError(f"Invalid nActivationHeight ({height_text})")
        overrides[_upgrade_for(identifier)] = height
    return overrides
