"""Fluxnode START / CONFIRM signatures on every fluxnode tx of flux_mainnet/transactions.json (§2.5)."""

from __future__ import annotations

import pytest

from fluxd.consensus.fluxnode_sigs import (
    benchmark_message,
    check_benchmark_signature,
    check_fluxnode_signatures,
    confirm_message,
    start_message,
    key_for_time,
    verify_signed_message,
)
from fluxd.core.ecdsa import recover_compact, sign_compact, signed_message_hash
from fluxd.core.fluxnode_tx import FluxnodeConfirm, FluxnodeStart
from fluxd.core.keys import PrivateKey
from fluxd.core.standard import multisig_pubkeys
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from fluxd.util.serialize import DecodeError
from tests.vectors import load_json

MAIN = networks.main_params()
FLUXNODE_ENTRIES = [
    entry for entry in load_json("flux_mainnet/transactions.json")["transactions"] if entry["kind"].startswith("fluxnode")
]


class RecordedKeys:
    """A fluxnode list that knows one operator key per collateral."""

    def __init__(self, operator_keys=None, delegates=None):
        self.operator_keys = operator_keys or {}
        self.delegates = delegates or {}

    def operator_pubkey(self, collateral):
        return self.operator_keys.get(collateral)

    def delegate_keys(self, collateral):
        return self.delegates.get(collateral)


def _keys_for(tx: Transaction) -> RecordedKeys:
    """For a CONFIRM, the operator key is the one its signature recovers (its START is not in the data)."""
    payload = tx.fluxnode
    if isinstance(payload, FluxnodeConfirm):
        recovered = recover_compact(signed_message_hash(confirm_message(payload)), payload.sig)
        return RecordedKeys({payload.collateral: recovered})
    return RecordedKeys()


def test_vector_set_has_every_kind():
    kinds = {entry["kind"] for entry in FLUXNODE_ENTRIES}
    assert {"fluxnode_start_v5", "fluxnode_confirm_v5", "fluxnode_start_v6_p2sh"} <= kinds


@pytest.mark.parametrize("entry", FLUXNODE_ENTRIES, ids=lambda entry: entry["txid"][:12])
def test_real_signatures_verify(entry):
    tx = Transaction.from_hex(entry["hex"])
    assert check_fluxnode_signatures(MAIN, tx, _keys_for(tx))
    if isinstance(tx.fluxnode, FluxnodeConfirm):
        assert check_benchmark_signature(MAIN, tx.fluxnode)


def _signed_parts(tx: Transaction):
    """(candidate keys, signature, message) for every signature the tx carries."""
    payload = tx.fluxnode
    if isinstance(payload, FluxnodeStart):
        candidates = multisig_pubkeys(payload.redeem_script) if payload.is_p2sh else [payload.collateral_pubkey]
        return [(candidates, payload.sig, start_message(tx))]
    operator = _keys_for(tx).operator_pubkey(payload.collateral)
    benchmark_key = key_for_time(MAIN.benchmarking_pubkeys, payload.benchmark_sig_time)
    return [([operator], payload.sig, confirm_message(payload)), ([benchmark_key], payload.benchmark_sig, benchmark_message(payload))]


def _flips(data: bytes):
    for position in range(len(data)):
        mutated = bytearray(data)
        mutated[position] ^= 0x5A
        yield bytes(mutated)


@pytest.mark.parametrize("entry", FLUXNODE_ENTRIES, ids=lambda entry: entry["txid"][:12])
def test_any_flipped_message_or_signature_byte_fails(entry):
    tx = Transaction.from_hex(entry["hex"])
    for candidates, signature, message in _signed_parts(tx):
        assert any(verify_signed_message(key, signature, message) for key in candidates)
        for bad_message in _flips(message):
            assert not any(verify_signed_message(key, signature, bad_message) for key in candidates)
        for bad_signature in _flips(signature):
            assert not any(verify_signed_message(key, bad_signature, message) for key in candidates)


@pytest.mark.parametrize(
    "entry", [entry for entry in FLUXNODE_ENTRIES if "start" in entry["kind"]], ids=lambda entry: entry["txid"][:12]
)
def test_start_fails_when_any_signed_tx_byte_changes(entry):
    raw = bytes.fromhex(entry["hex"])
    sig_offset = raw.rindex(Transaction.from_bytes(raw).fluxnode.sig)
    for position in range(4, sig_offset - 1):
        mutated = bytearray(raw)
        mutated[position] ^= 0x5A
        try:
            tx = Transaction.from_bytes(bytes(mutated))
        except DecodeError:
            continue
        assert not check_fluxnode_signatures(MAIN, tx, RecordedKeys()), position


def test_confirm_operator_signature_with_own_key():
    operator = PrivateKey(bytes([7]) * 32, compressed=False)
    confirm = FluxnodeConfirm(4, OutPoint(b"\x11" * 32, 1), 1_700_000_000, 2, 1_700_000_000, 1, b"1.2.3.4", b"", b"")
    signed = confirm.__class__(**{**_fields(confirm), "sig": sign_compact(operator.secret, signed_message_hash(confirm_message(confirm)), False)})
    assert verify_signed_message(operator.pubkey, signed.sig, confirm_message(signed))
    other = PrivateKey(bytes([8]) * 32, compressed=False)
    assert not verify_signed_message(other.pubkey, signed.sig, confirm_message(signed))
    assert confirm_message(confirm) == b"COutPoint(1111111111, 1)111700000000"


def _fields(value):
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def test_benchmark_key_schedule():
    keys = MAIN.benchmarking_pubkeys
    assert key_for_time(keys, 0) == keys[0][0]
    assert key_for_time(keys, 1_618_113_600) == keys[1][0]
    assert key_for_time(keys, 1_743_534_000 + 5) == keys[4][0]
    assert key_for_time(keys[:1], 0) == keys[0][0]


def test_benchmark_message_layout():
    confirm = FluxnodeConfirm(4, OutPoint(b"\x00" * 32, 0), 1, 3, 42, 0, b"ip", b"SIG", b"")
    assert benchmark_message(confirm) == b"SIG342ip"


def test_start_signed_by_delegate_needs_stored_keys():
    starts = [Transaction.from_hex(entry["hex"]) for entry in FLUXNODE_ENTRIES if entry["kind"] == "fluxnode_start_v5"]
    assert starts and isinstance(starts[0].fluxnode, FluxnodeStart)
