"""The operator side of confirming a fluxnode (C++ ActiveFluxnode::BuildDeterministicConfirmTx and
SignDeterministicConfirmTx): a CONFIRM of the node's collateral, in the transaction version of its START
(5, or 6 for a v6 record), signed with the operator key.

The benchmark daemon then adds the tier, its time, the IP and its own signature (rpc/fluxnode_confirming.py).
Errors are ``ConfirmError`` with the C++ errorMessage text.
"""

from __future__ import annotations

from fluxd.consensus.fluxnode_sigs import confirm_message, verify_signed_message
from fluxd.core.ecdsa import sign_message
from fluxd.core.fluxnode_tx import (
    FLUXNODE_CONFIRM_TX_TYPE,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FLUXNODE_TX_VERSION,
    FluxnodeConfirm,
)
from fluxd.core.keys import InvalidKeyError, PrivateKey, decode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint


class ConfirmError(Exception):
    """``message`` for the log; ``reported`` is C++'s errorMessage, which some failures leave empty."""

    def __init__(self, message: str, reported: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reported = message if reported is None else reported


def record_tx_version(record) -> int:
    """nActiveFluxNodeTxVersion from the record (EnforceActiveFluxNodeTxVersion: 5 unless it is a v6 node)."""
    if record is not None and record.flux_tx_version:
        return FLUXNODE_TX_UPGRADEABLE_VERSION
    return FLUXNODE_TX_VERSION


def build_confirm(collateral: OutPoint, update_type: int, tx_version: int) -> Transaction:
    """BuildDeterministicConfirmTx: collateralIn and nUpdateType set, every other field empty."""
    payload = FluxnodeConfirm(FLUXNODE_CONFIRM_TX_TYPE, collateral, 0, 0, 0, update_type, b"", b"", b"")
    return Transaction(version=tx_version, fluxnode=payload)


def operator_key(privkey_wif: str, params) -> PrivateKey:
    try:
        return decode_wif(privkey_wif, params.base58)
    except InvalidKeyError:
        raise ConfirmError("unable-set-key") from None


def sign_confirm(tx: Transaction, record, privkey_wif: str, params, sig_time: int) -> Transaction:
    """SignDeterministicConfirmTx: sigTime = now, the operator key's signature of the confirm message; the key
    must be the one the node's START announced."""
    confirm = tx.fluxnode
    if not isinstance(confirm, FluxnodeConfirm) or confirm.n_type != FLUXNODE_CONFIRM_TX_TYPE:
        raise ConfirmError("invalid-tx-type")
    if record is None:
        raise ConfirmError("fluxnode-data-is-null")
    key = operator_key(privkey_wif, params)
    if record.operator_pubkey != key.pubkey:
        raise ConfirmError("PubKey miss match", reported="")
    timed = FluxnodeConfirm(confirm.n_type, confirm.collateral, sig_time, confirm.benchmark_tier,
                            confirm.benchmark_sig_time, confirm.update_type, confirm.ip, b"", b"")  # fmt: skip
    message = confirm_message(timed)
    signature = sign_message(key.secret, message, key.compressed)
    if not verify_signed_message(key.pubkey, signature, message):
        raise ConfirmError("Error: Verify Fluxnode sig", reported="")
    signed = FluxnodeConfirm(timed.n_type, timed.collateral, sig_time, timed.benchmark_tier, timed.benchmark_sig_time,
                             timed.update_type, timed.ip, signature, b"")  # fmt: skip
    return tx.copy_with(fluxnode=signed)
