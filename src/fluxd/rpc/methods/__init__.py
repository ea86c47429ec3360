"""Every RPC method group; ``register_all`` fills a table."""

from __future__ import annotations

from fluxd.rpc.methods import (
    address_rpcs,
    benchmarks,
    block_deltas,
    block_template,
    blockchain,
    control,
    dbinfo,
    emergency_blocks,
    explorer,
    fluxnode_confirm_rpc,
    fluxnode_delegate_rpcs,
    fluxnode_migration,
    fluxnode_p2sh_rpcs,
    fluxnode_snapshot,
    fluxnode_start_rpcs,
    fluxnodes,
    mempool,
    mining,
    mining_info,
    network,
    rawtransactions,
    shielded_address,
    spent_rpcs,
    txoutproof,
    utility,
    wallet_balance_rpcs,
    wallet_coins_rpcs,
    wallet_crypt_rpcs,
    wallet_dump_rpcs,
    wallet_history_rpcs,
    wallet_import_rpcs,
    wallet_keys,
    wallet_migrate_rpcs,
    wallet_received_rpcs,
    wallet_send_rpcs,
    wallet_sign_rpcs,
    wallet_zcbenchmark,
)
from fluxd.rpc.registry import RPCTable

GROUPS = (control, blockchain, explorer, dbinfo, mempool, mining, block_template, mining_info, network, rawtransactions, txoutproof, utility, fluxnodes,
          fluxnode_snapshot, fluxnode_start_rpcs, fluxnode_confirm_rpc, fluxnode_p2sh_rpcs, fluxnode_delegate_rpcs, fluxnode_migration,
          address_rpcs, spent_rpcs, block_deltas, benchmarks, shielded_address,
          emergency_blocks)


WALLET_GROUPS = (wallet_keys, wallet_balance_rpcs, wallet_send_rpcs, wallet_crypt_rpcs, wallet_dump_rpcs, wallet_import_rpcs, wallet_sign_rpcs,
                 wallet_history_rpcs, wallet_received_rpcs, wallet_coins_rpcs, wallet_migrate_rpcs, wallet_zcbenchmark)


def register_all(table: RPCTable, wallet: bool = True) -> None:
    """Every group; the wallet's only when the wallet runs (C++ registers them unless -disablewallet)."""
    for group in GROUPS + (WALLET_GROUPS if wallet else ()):
        group.register(table)
