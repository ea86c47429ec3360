"""Every RPC method group; ``register_all`` fills a table."""

from __future__ import annotations

from fluxd.rpc.methods import (
    address_rpcs,
    block_deltas,
    block_template,
    blockchain,
    control,
    dbinfo,
    explorer,
    fluxnode_snapshot,
    fluxnodes,
    mempool,
    mining,
    mining_info,
    network,
    rawtransactions,
    spent_rpcs,
    txoutproof,
    utility,
)
from fluxd.rpc.registry import RPCTable

GROUPS = (control, blockchain, explorer, dbinfo, mempool, mining, block_template, mining_info, network, rawtransactions, txoutproof, utility, fluxnodes,
          fluxnode_snapshot, address_rpcs, spent_rpcs, block_deltas)


def register_all(table: RPCTable) -> None:
    for group in GROUPS:
        group.register(table)
