"""Context-free transaction checks (C++ main.cpp CheckTransactionWithoutProofVerification).

CONSENSUS_TRANSACTIONS.md §3.2.  Raises ValidationError with the C++ reject
reason and DoS score.  Fluxnode signatures are checked through
``fluxd.consensus.fluxnode_sigs`` with the caller's view of the fluxnode list.
"""

from __future__ import annotations

from fluxd.consensus.fluxnode_sigs import FluxnodeKeys, NoFluxnodes, needs_met, signature_needs
from fluxd.consensus.shielded.verify import check_joinsplit_proofs
from fluxd.consensus.validation import reject
from fluxd.core.amount import MAX_MONEY, money_range
from fluxd.core.fluxnode_tx import (
    FLUXNODE_CONFIRM_TX_TYPE,
    FLUXNODE_START_TX_TYPE,
    CONFIRM_INITIAL,
    CONFIRM_UPDATE,
    FluxnodeConfirm,
    FluxnodeStart,
    has_delegates_feature,
)
from fluxd.core.standard import is_multisig_redeem_script
from fluxd.core.transaction import OVERWINTER_VERSION_GROUP_ID, SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.params.chainparams import ChainParams

SPROUT_MIN_TX_VERSION = 1
OVERWINTER_MIN_TX_VERSION = 3
TX_EXPIRY_HEIGHT_THRESHOLD = 500_000_000
MAX_TX_SIZE_AFTER_SAPLING = 2_000_000
MAX_SCRIPT_SIZE = 10_000
INVALID_SIGNATURE = "bad-txns-fluxnode-tx-invalid-signature"
CONFIRM_IP_SIZE_V1 = 40
CONFIRM_IP_SIZE_V2 = 60
CONFIRM_IP_V2_FROM_TIME = 1_647_262_800


def check_transaction(
    params: ChainParams, tx: Transaction, keys: FluxnodeKeys | None = None, verifying_from_db: bool = False,
    deferred_signatures: list | None = None, verify_proofs: bool = True,
) -> None:
    """CheckTransaction: CheckTransactionWithoutProofVerification, then the Sprout JoinSplit proofs.

    With ``deferred_signatures`` a fluxnode transaction's signatures are not verified here: its
    ``(txid_rev, needs)`` is appended for the caller to verify (in a worker process) before relying on it.
    ``verify_proofs=False`` leaves the JoinSplit proofs to the caller (chainstate/shielded_jobs.py).
    """
    if tx.is_fluxnode_tx():
        _check_fluxnode_shape(params, tx, keys or NoFluxnodes(), verifying_from_db, deferred_signatures)
    else:
        _check_version_and_emptiness(tx)
    if len(tx.to_bytes()) > MAX_TX_SIZE_AFTER_SAPLING:
        reject("bad-txns-oversize")
    _check_values(tx)
    _check_duplicates(tx)
    _check_coinbase_form(tx)
    if verify_proofs:
        check_joinsplit_proofs(tx)


def _check_version_and_emptiness(tx: Transaction) -> None:
    if not tx.overwintered and tx.version < SPROUT_MIN_TX_VERSION:
        reject("bad-txns-version-too-low")
    if tx.overwintered:
        if tx.version < OVERWINTER_MIN_TX_VERSION:
            reject("bad-tx-overwinter-version-too-low")
        if tx.version_group_id not in (OVERWINTER_VERSION_GROUP_ID, SAPLING_VERSION_GROUP_ID):
            reject("bad-tx-version-group-id")
        if tx.expiry_height >= TX_EXPIRY_HEIGHT_THRESHOLD:
            reject("bad-tx-expiry-height-too-high")
    if not tx.vin and not tx.joinsplits and not tx.shielded_spends:
        reject("bad-txns-vin-empty", 10)
    if not tx.vout and not tx.joinsplits and not tx.shielded_outputs:
        reject("bad-txns-vout-empty", 10)


def _check_fluxnode_shape(params: ChainParams, tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool,
                          deferred_signatures: list | None) -> None:  # fmt: skip
    if tx.vout or tx.joinsplits or tx.shielded_outputs or tx.vin or tx.shielded_spends:
        reject("bad-txns-fluxnode-tx-not-empty", 10)
    payload = tx.fluxnode
    if payload.n_type not in (FLUXNODE_START_TX_TYPE, FLUXNODE_CONFIRM_TX_TYPE):
        reject("bad-txns-fluxnode-tx-invalid-type", 10)
    if payload.collateral.is_null():
        reject("bad-txns-fluxnode-tx-null-prevout", 10)
    if isinstance(payload, FluxnodeStart) and payload.flux_tx_version is not None:
        if payload.is_p2sh:
            if len(payload.redeem_script) > MAX_SCRIPT_SIZE:
                reject("bad-txns-fluxnode-tx-redeemscript-to-large", 10)
            if not is_multisig_redeem_script(payload.redeem_script):
                reject("bad-txns-fluxnode-tx-redeemscript-not-multisig", 10)
        if has_delegates_feature(payload.flux_tx_version):
            if payload.delegates is None or not payload.delegates.is_valid():
                reject("bad-txns-fluxnode-tx-delegate-data-invalid", 10)
    needs = signature_needs(params, tx, keys, verifying_from_db)
    if needs is not None and deferred_signatures is not None:
        deferred_signatures.append((tx.txid_rev, needs))
    elif not needs_met(needs):
        reject(INVALID_SIGNATURE, 10)
    if isinstance(payload, FluxnodeConfirm):
        _check_confirm_fields(payload)


def _check_confirm_fields(confirm: FluxnodeConfirm) -> None:
    if not 1 <= confirm.benchmark_tier <= 3:
        reject("bad-txns-fluxnode-tx-invalid-benchmark-tier", 10)
    max_ip = CONFIRM_IP_SIZE_V2 if confirm.benchmark_sig_time >= CONFIRM_IP_V2_FROM_TIME else CONFIRM_IP_SIZE_V1
    if len(confirm.ip) > max_ip:
        reject("bad-txns-fluxnode-tx-ip-address-to-large")
    if confirm.update_type not in (CONFIRM_INITIAL, CONFIRM_UPDATE):
        reject("bad-txns-fluxnode-tx-invalid-update-type", 10)


def _check_values(tx: Transaction) -> None:
    value_out = 0
    for output in tx.vout:
        if output.value < 0:
            reject("bad-txns-vout-negative")
        if output.value > MAX_MONEY:
            reject("bad-txns-vout-toolarge")
        value_out += output.value
        if not 0 <= value_out <= MAX_MONEY:  # money_range, inlined for the per-output loop
            reject("bad-txns-txouttotal-toolarge")
    if not tx.shielded_spends and not tx.shielded_outputs and tx.value_balance != 0 and not tx.is_fluxnode_tx():
        reject("bad-txns-valuebalance-nonzero")
    if abs(tx.value_balance) > MAX_MONEY:
        reject("bad-txns-valuebalance-toolarge")
    if tx.value_balance <= 0:
        value_out += -tx.value_balance
        if not money_range(value_out):
            reject("bad-txns-txouttotal-toolarge")
    for joinsplit in tx.joinsplits:
        _check_vpubs(joinsplit)
        value_out += joinsplit.vpub_old
        if not money_range(value_out):
            reject("bad-txns-txouttotal-toolarge")
    value_in = 0
    for joinsplit in tx.joinsplits:
        value_in += joinsplit.vpub_new
        if not money_range(joinsplit.vpub_new) or not money_range(value_in):
            reject("bad-txns-txintotal-toolarge")
    if tx.value_balance >= 0:
        value_in += tx.value_balance
        if not money_range(value_in):
            reject("bad-txns-txintotal-toolarge")


def _check_vpubs(joinsplit) -> None:
    if joinsplit.vpub_old < 0:
        reject("bad-txns-vpub_old-negative")
    if joinsplit.vpub_new < 0:
        reject("bad-txns-vpub_new-negative")
    if joinsplit.vpub_old > MAX_MONEY:
        reject("bad-txns-vpub_old-toolarge")
    if joinsplit.vpub_new > MAX_MONEY:
        reject("bad-txns-vpub_new-toolarge")
    if joinsplit.vpub_new != 0 and joinsplit.vpub_old != 0:
        reject("bad-txns-vpubs-both-nonzero")


def _check_duplicates(tx: Transaction) -> None:
    if len(tx.vin) > 1:  # one input (or none) cannot repeat
        prevouts = [txin.prevout for txin in tx.vin]
        if len(set(prevouts)) != len(prevouts):
            reject("bad-txns-inputs-duplicate")
    if tx.joinsplits:
        nullifiers = [nullifier for joinsplit in tx.joinsplits for nullifier in joinsplit.nullifiers]
        if len(set(nullifiers)) != len(nullifiers):
            reject("bad-joinsplits-nullifiers-duplicate")
    if tx.shielded_spends:
        spend_nullifiers = [spend.nullifier for spend in tx.shielded_spends]
        if len(set(spend_nullifiers)) != len(spend_nullifiers):
            reject("bad-spend-description-nullifiers-duplicate")


def _check_coinbase_form(tx: Transaction) -> None:
    if tx.is_coinbase():
        if tx.joinsplits:
            reject("bad-cb-has-joinsplits")
        if tx.shielded_spends:
            reject("bad-cb-has-spend-description")
        if tx.shielded_outputs:
            reject("bad-cb-has-output-description")
        if not 2 <= len(tx.vin[0].script_sig) <= 100:
            reject("bad-cb-length")
    elif any(txin.prevout.is_null() for txin in tx.vin):
        reject("bad-txns-prevout-null", 10)
