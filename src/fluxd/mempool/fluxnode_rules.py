"""The mempool's fluxnode rules that need the list at the tip (C++ AcceptToMemoryPool, CONSENSUS_TRANSACTIONS.md §6.9).

The START and CONFIRM checks are those a block applies (consensus/fluxnode_checks.py)
at DoS level 10; a CONFIRM for a node the list does not know is refused without DoS.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.consensus.fluxnode_checks import CONFIRMED, check_confirm, check_start
from fluxd.consensus.fluxnode_windows import update_gap_ok
from fluxd.consensus.validation import ValidationError
from fluxd.core.fluxnode_tx import CONFIRM_UPDATE, FluxnodeConfirm, FluxnodeStart
from fluxd.core.transaction import Transaction
from fluxd.params.chainparams import ChainParams


def update_confirm_due(params: ChainParams, tx: Transaction, fluxnodes, next_height: int) -> bool:
    """An UPDATE confirm must pass CheckConfirmationHeights at tip+1 before any other check (else refused silently)."""
    payload = tx.fluxnode
    if not isinstance(payload, FluxnodeConfirm) or payload.update_type != CONFIRM_UPDATE:
        return True
    record = fluxnodes.get(payload.collateral)
    if record is None or record.status != CONFIRMED:
        return False
    ip = payload.ip.decode("utf-8", "surrogateescape")
    return update_gap_ok(params, next_height, record.last_confirmed_height, ip != record.ip)


def check_against_list(params: ChainParams, tx: Transaction, fluxnodes, get_coin: Callable, next_height: int, dos: int) -> None:
    payload = tx.fluxnode
    record = fluxnodes.get(payload.collateral)
    try:
        if isinstance(payload, FluxnodeStart):
            check_start(params, tx, record, get_coin(payload.collateral))
        else:
            check_confirm(params, tx, next_height, record)
    except ValidationError as failure:
        raise ValidationError(failure.reason, min(failure.dos, dos), failure.code).blaming(tx.txid_rev) from None
