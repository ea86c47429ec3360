"""Fluxnode START / CONFIRM signatures (C++ fluxnode.cpp CheckFluxnodeTxSignatures, CheckBenchmarkSignature).

CONSENSUS_TRANSACTIONS.md §2.5.  Signatures are compact and recoverable over
the signed-message hash; a signature is accepted when the recovered key has the
same hash160 as the expected key.  Data that lives in the fluxnode list (the
operator key of a confirmed node, stored delegate keys) comes through
``FluxnodeKeys``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fluxd.core.ecdsa import recover_compact, signed_message_hash
from fluxd.core.fluxnode_tx import (
    DELEGATES_SIGNING,
    FLUXNODE_CONFIRM_TX_TYPE,
    FLUXNODE_START_TX_TYPE,
    FluxnodeConfirm,
    FluxnodeStart,
    has_delegates_feature,
)
from fluxd.core.hashes import hash160
from fluxd.core.standard import multisig_pubkeys
from fluxd.core.transaction import Transaction
from fluxd.params.chainparams import ChainParams


class FluxnodeKeys(Protocol):
    """What consensus checks need of the fluxnode list (C++ g_fluxnodeCache): the one lookup protocol,
    used by the fluxnode transaction signature checks and the PoN minter signature check."""

    def operator_pubkey(self, collateral) -> bytes | None:
        """The START pubKey of a started, DoS-listed or confirmed node with this collateral; None when not in the list."""

    def delegate_keys(self, collateral) -> list[bytes] | None:
        """Stored delegate starting keys for this collateral, None when there are none."""


class NoFluxnodes:
    """The view of a node that keeps no fluxnode list: every lookup misses."""

    def operator_pubkey(self, collateral) -> bytes | None:
        return None

    def delegate_keys(self, collateral) -> list[bytes] | None:
        return None


def verify_signed_message(pubkey: bytes, signature: bytes, message: bytes) -> bool:
    """CObfuScationSigner::VerifyMessage: recover, then compare key ids."""
    recovered = recover_compact(signed_message_hash(message), signature)
    return recovered is not None and hash160(recovered) == hash160(pubkey)


def key_for_time(schedule: tuple[tuple[bytes, int], ...], timestamp: int) -> bytes:
    """The last key whose start time is <= timestamp (the first key as a fallback)."""
    if len(schedule) == 1:
        return schedule[0][0]
    for pubkey, valid_from in reversed(schedule):
        if timestamp >= valid_from:
            return pubkey
    return schedule[0][0]


def start_message(tx: Transaction) -> bytes:
    return tx.txid_hum.encode()


def confirm_message(confirm: FluxnodeConfirm) -> bytes:
    text = f"{confirm.collateral.short_str()}{confirm.collateral.n}{confirm.update_type}{confirm.sig_time}"
    return text.encode()


def benchmark_message(confirm: FluxnodeConfirm) -> bytes:
    return confirm.sig + f"{confirm.benchmark_tier}{confirm.benchmark_sig_time}".encode() + confirm.ip


def _delegates_signing(start: FluxnodeStart) -> bool:
    """IsSigningAsDelegate and not IsUpdatingDelegate."""
    if start.flux_tx_version is None or not has_delegates_feature(start.flux_tx_version):
        return False
    delegates = start.delegates
    if delegates is None or not delegates.is_valid():
        return False
    return delegates.n_type == DELEGATES_SIGNING


@dataclass(frozen=True, slots=True)
class SignatureNeed:
    """One signature that must verify under at least one of ``keys`` (C++ VerifyMessage over ``message``)."""

    keys: tuple[bytes, ...]
    signature: bytes
    message: bytes

    def met(self) -> bool:
        return any(verify_signed_message(key, self.signature, self.message) for key in self.keys)


def _start_needs(tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool) -> tuple[SignatureNeed, ...] | None:
    start = tx.fluxnode
    message = start_message(tx)
    delegate_keys: tuple[bytes, ...] = ()
    if _delegates_signing(start):
        delegate_keys = tuple(keys.delegate_keys(start.collateral) or ())
        if not verifying_from_db:  # only a stored delegate key may have signed
            return (SignatureNeed(delegate_keys, start.sig, message),)
    if start.is_p2sh:
        pubkeys = multisig_pubkeys(start.redeem_script)
        if pubkeys is None:
            return (SignatureNeed(delegate_keys, start.sig, message),) if delegate_keys else None
        return (SignatureNeed(delegate_keys + tuple(pubkeys), start.sig, message),)
    return (SignatureNeed(delegate_keys + (start.collateral_pubkey,), start.sig, message),)


def _confirm_needs(params: ChainParams, tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool,
                   bypass: bool) -> tuple[SignatureNeed, ...]:  # fmt: skip
    confirm = tx.fluxnode
    needs = []
    operator_key = keys.operator_pubkey(confirm.collateral)
    if operator_key is not None and not verifying_from_db:  # unknown node or verifying from the db: not checked
        needs.append(SignatureNeed((operator_key,), confirm.sig, confirm_message(confirm)))
    if not bypass:
        benchmark_key = key_for_time(params.benchmarking_pubkeys, confirm.benchmark_sig_time)
        needs.append(SignatureNeed((benchmark_key,), confirm.benchmark_sig, benchmark_message(confirm)))
    return tuple(needs)


def signature_needs(params: ChainParams, tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool = False,
                    bypass: bool = False) -> tuple[SignatureNeed, ...] | None:  # fmt: skip
    """CheckFluxnodeTxSignatures as data: the signatures that must all verify, None when the tx fails
    without any (a START whose redeem script lists no keys, an unknown type).  The lookups in the list are
    made here, so the verifications can run anywhere (a worker process)."""
    payload = tx.fluxnode
    if isinstance(payload, FluxnodeStart) and payload.n_type == FLUXNODE_START_TX_TYPE:
        return _start_needs(tx, keys, verifying_from_db)
    if isinstance(payload, FluxnodeConfirm) and payload.n_type == FLUXNODE_CONFIRM_TX_TYPE:
        return _confirm_needs(params, tx, keys, verifying_from_db, bypass)
    return None


def needs_met(needs: tuple[SignatureNeed, ...] | None) -> bool:
    return needs is not None and all(need.met() for need in needs)


def check_start_signature(tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool = False) -> bool:
    return needs_met(_start_needs(tx, keys, verifying_from_db))


def check_benchmark_signature(params: ChainParams, confirm: FluxnodeConfirm, bypass: bool = False) -> bool:
    """CheckBenchmarkSignature (``bypass`` is the testnet-only -testnetbenchbypass)."""
    if bypass:
        return True
    pubkey = key_for_time(params.benchmarking_pubkeys, confirm.benchmark_sig_time)
    return verify_signed_message(pubkey, confirm.benchmark_sig, benchmark_message(confirm))


def check_confirm_signatures(
    params: ChainParams, tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool = False, bypass: bool = False
) -> bool:
    return needs_met(_confirm_needs(params, tx, keys, verifying_from_db, bypass))


def check_fluxnode_signatures(
    params: ChainParams, tx: Transaction, keys: FluxnodeKeys, verifying_from_db: bool = False, bypass: bool = False
) -> bool:
    """CheckFluxnodeTxSignatures."""
    return needs_met(signature_needs(params, tx, keys, verifying_from_db, bypass))
