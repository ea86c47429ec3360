"""getmigrationcount: confirmed nodes counted by V1 / V2 collateral per tier, in C++'s keys and order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import fluxnode_migration as migration

COIN = 10**8


def test_counts_old_and_new_collaterals_per_tier(monkeypatch):
    records = [SimpleNamespace(tier=1, collateral_amount=1_000 * COIN), SimpleNamespace(tier=1, collateral_amount=10_000 * COIN),
               SimpleNamespace(tier=3, collateral_amount=40_000 * COIN), SimpleNamespace(tier=2, collateral_amount=25_000 * COIN)]  # fmt: skip
    monkeypatch.setattr(migration, "_fluxnode_list", lambda node: SimpleNamespace(confirmed=lambda: iter(records)))
    answer = migration.rpc_getmigrationcount(None, [])
    assert answer == [
        {"total-old": 2, "cumulus-enabled-old": 1, "nimbus-enabled-old": 1, "stratus-enabled-old": 0},
        {"total-new": 2, "cumulus-enabled-new": 1, "nimbus-enabled-new": 0, "stratus-enabled-new": 1},
    ]
    assert [list(part) for part in answer] == [["total-old", "cumulus-enabled-old", "nimbus-enabled-old", "stratus-enabled-old"],
                                               ["total-new", "cumulus-enabled-new", "nimbus-enabled-new", "stratus-enabled-new"]]  # fmt: skip
    with pytest.raises(RPCError) as failed:
        migration.rpc_getmigrationcount(None, [1])
    assert failed.value.message == migration.HELP
