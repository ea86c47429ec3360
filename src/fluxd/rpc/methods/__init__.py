"""Every RPC method group; ``register_all`` fills a table."""

from __future__ import annotations

from fluxd.rpc.methods import blockchain, control, mining, network, rawtransactions, utility
from fluxd.rpc.registry import RPCTable

GROUPS = (control, blockchain, mining, network, rawtransactions, utility)


def register_all(table: RPCTable) -> None:
    for group in GROUPS:
        group.register(table)
