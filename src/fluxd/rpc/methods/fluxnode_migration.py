"""getmigrationcount (C++ rpc/fluxnode.cpp, FluxnodeCache::CountMigration): the confirmed fluxnodes counted by
whether their collateral is a V2 (migrated) amount, per tier."""

from __future__ import annotations

from fluxd.params.fluxnode_tiers import COLLATERAL_V2
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods.fluxnode_operator_help import _examples
from fluxd.rpc.methods.fluxnodes import _fluxnode_list
from fluxd.rpc.registry import RPCTable

HELP = (
    "getmigrationcount\n"
    "\nGet fluxnode migration count values\n"
    "\nResult:\n"
    "{\n"
    '  "total-old": n,        (numeric) Total fluxnodes\n'
    '  "total-new": n,        (numeric) Total fluxnodes\n'
    "}\n" + _examples("getmigrationcount")
)
TIER_WORDS = ("cumulus-enabled", "nimbus-enabled", "stratus-enabled")
MIGRATED_AMOUNTS = frozenset(COLLATERAL_V2.values())


def migration_counts(records) -> tuple[list[int], list[int]]:
    """(old, new) counts per tier (index tier - 1)."""
    old, new = [0] * len(TIER_WORDS), [0] * len(TIER_WORDS)
    for record in records:
        counts = new if record.collateral_amount in MIGRATED_AMOUNTS else old
        counts[record.tier - 1] += 1
    return old, new


def rpc_getmigrationcount(node, params):
    if params:
        raise RPCError(RPC_MISC_ERROR, HELP)
    old, new = migration_counts(_fluxnode_list(node).confirmed())
    return [
        {"total-old": sum(old), **{f"{word}-old": count for word, count in zip(TIER_WORDS, old)}},
        {"total-new": sum(new), **{f"{word}-new": count for word, count in zip(TIER_WORDS, new)}},
    ]


def register(table: RPCTable) -> None:
    table.register("getmigrationcount", "fluxnode", rpc_getmigrationcount, HELP)
