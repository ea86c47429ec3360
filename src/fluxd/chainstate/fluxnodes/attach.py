"""How the chainstate offers its fluxnode list: to the chain writer's checks (the state with pending blocks,
C++ g_fluxnodeCache as ConnectBlock leaves it) and to readers (the settled tip)."""

from __future__ import annotations

from fluxd.chainstate.fluxnodes.list_state import FluxnodeList
from fluxd.chainstate.fluxnodes.module import next_payees, payee_outputs
from fluxd.chainstate.state_columns import StateReader
from fluxd.core.tx_parts import OutPoint


def writer_list(chainstate) -> FluxnodeList:
    """The list as the newest connected block (pending ones included) leaves it; call on the chain writer."""
    pending = chainstate._pending
    layers = [entry.state for entry in reversed(pending)] + [chainstate.cache.state]
    height = pending[-1].entry.height if pending else chainstate.height
    return FluxnodeList(StateReader(layers, chainstate.cache.store), height)


class WriterFluxnodeKeys:
    """FluxnodeKeys for the checks the chain writer runs (CheckBlock's signatures, the PoN minter key)."""

    def __init__(self, chainstate) -> None:
        self.chainstate = chainstate

    def operator_pubkey(self, collateral: OutPoint) -> bytes | None:
        return writer_list(self.chainstate).operator_pubkey(collateral)

    def delegate_keys(self, collateral: OutPoint) -> list[bytes] | None:
        return writer_list(self.chainstate).delegate_keys(collateral)


def next_block_payees(chainstate) -> list[tuple[bytes, int]]:
    """(script, amount) of the fluxnodes the block after the writer's tip must pay; call on the chain writer."""
    if chainstate.module("fluxnodes") is None:
        return []
    fluxnodes = writer_list(chainstate)
    return payee_outputs(chainstate.params, fluxnodes, fluxnodes.tip_height + 1)


def tip_list(chainstate) -> FluxnodeList:
    """The list at the settled tip, for readers (RPC, mempool)."""
    return FluxnodeList(chainstate.state_reader(), chainstate.view().height)


def tip_payees(chainstate, height: int) -> list[tuple[int, bytes, int]]:
    """(tier, script, amount) the block at ``height`` (on the settled tip) pays, for getblocktemplate's fields."""
    if chainstate.module("fluxnodes") is None or height < chainstate.params.start_fluxnode_payments_height:
        return []
    payees = next_payees(chainstate.params, tip_list(chainstate), height)
    return [(payee.tier, payee.record.payee_script, payee.amount) for payee in payees]
