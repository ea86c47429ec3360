"""What readers (RPC, mempool, block assembler) see of the fluxnode list at one tip: a read-only protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from fluxd.chainstate.fluxnodes.records import FluxnodeRecord
from fluxd.core.tx_parts import OutPoint


class FluxnodeListReader(Protocol):
    tip_height: int  # the height of the block the list is as of (-1 before genesis)

    def get(self, collateral: OutPoint) -> FluxnodeRecord | None:
        """The record of this collateral (started, DoS-listed or confirmed), None when not in the list."""

    def confirmed_in_payment_order(self, tier: int) -> Iterator[FluxnodeRecord]:
        """Confirmed nodes of one tier, next payee first (C++ list order; rank = position)."""

    def confirmed_count(self) -> int:
        """How many nodes are confirmed (C++ mapConfirmedFluxnodeData.size())."""

    def with_status(self, status: int) -> Iterator[FluxnodeRecord]:
        """STARTED or DOS records, oldest added_height first."""

    def delegate_keys(self, collateral: OutPoint) -> list[bytes] | None:
        """Stored delegate keys of this collateral, None when there are none."""
