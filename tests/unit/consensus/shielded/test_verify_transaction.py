"""verify_transaction on real shielded data: Zcash mainnet blocks 419,201–419,202 (branch 76b809bb, as Flux),
the fluxd-rust Sapling vector and Flux mainnet block 100,000's v2 JoinSplit; one flipped byte in any part a
check covers is rejected with the C++ reason."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from fluxd.consensus.shielded import verify_transaction
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.core.transaction import Transaction

VECTORS = Path(__file__).resolve().parents[3] / "data" / "vectors"
SAPLING_BRANCH = 0x76B809BB
SPEND_BAD = "bad-txns-sapling-spend-description-invalid"
OUTPUT_BAD = "bad-txns-sapling-output-description-invalid"
BINDING_BAD = "bad-txns-sapling-binding-signature-invalid"
PROOF_BAD = "bad-txns-joinsplit-verification-failed"
JSSIG_BAD = "bad-txns-invalid-joinsplit-signature"


def _zcash_blocks() -> list[Block]:
    blocks = json.loads((VECTORS / "zcash_mainnet" / "sapling_first_blocks.json").read_text())["blocks"]
    return [Block.from_bytes(bytes.fromhex(block["hex"])) for block in blocks]


def _shielded() -> list[Transaction]:
    txs = [tx for block in _zcash_blocks() for tx in block.transactions if tx.has_shielded()]
    vector = json.loads((VECTORS / "fluxd_rust_test_data" / "verify_transaction.json").read_text())[0]
    assert vector["branch_id"] == SAPLING_BRANCH
    return [*txs, Transaction.from_bytes(bytes.fromhex(vector["tx_hex"]))]


SHIELDED = _shielded()
WITH_SPEND = next(tx for tx in SHIELDED if tx.shielded_spends)
WITH_OUTPUT = next(tx for tx in SHIELDED if tx.shielded_outputs and not tx.shielded_spends)
WITH_JOINSPLIT = next(tx for tx in SHIELDED if tx.joinsplits)


def _reason(tx: Transaction, branch_id: int = SAPLING_BRANCH) -> str | None:
    try:
        verify_transaction(tx.to_bytes(), branch_id)
    except ValidationError as failure:
        return failure.reason
    return None


def _flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def test_every_real_shielded_transaction_verifies():
    assert len(SHIELDED) == 10
    assert [_reason(tx) for tx in SHIELDED] == [None] * 10


def test_the_sighash_commits_to_the_branch_id():
    assert _reason(WITH_SPEND, 0x5BA81B19) == SPEND_BAD
    assert _reason(WITH_JOINSPLIT, 0x5BA81B19) == JSSIG_BAD


@pytest.mark.parametrize("field", ["cv", "anchor", "nullifier", "rk", "zkproof", "spend_auth_sig"])
def test_a_flipped_byte_in_a_spend_is_refused(field):
    spend = WITH_SPEND.shielded_spends[0]
    damaged = dataclasses.replace(spend, **{field: _flip(getattr(spend, field), 5)})
    assert _reason(dataclasses.replace(WITH_SPEND, shielded_spends=(damaged,))) == SPEND_BAD


@pytest.mark.parametrize("field", ["cv", "cmu", "ephemeral_key", "zkproof"])
def test_a_flipped_byte_in_an_output_is_refused(field):
    output = WITH_OUTPUT.shielded_outputs[0]
    damaged = dataclasses.replace(output, **{field: _flip(getattr(output, field), 5)})
    assert _reason(dataclasses.replace(WITH_OUTPUT, shielded_outputs=(damaged,))) == OUTPUT_BAD


def test_the_output_ciphertexts_are_not_checked_but_are_signed():
    output = WITH_OUTPUT.shielded_outputs[0]
    damaged = dataclasses.replace(output, enc_ciphertext=_flip(output.enc_ciphertext))
    assert _reason(dataclasses.replace(WITH_OUTPUT, shielded_outputs=(damaged,))) == BINDING_BAD


@pytest.mark.parametrize("delta", [1, -1])
def test_value_balance_off_by_one_is_refused(delta):
    """valueBalance is signed by every spendAuthSig (checked first) and balanced by the binding signature."""
    assert _reason(dataclasses.replace(WITH_OUTPUT, value_balance=WITH_OUTPUT.value_balance + delta)) == BINDING_BAD
    assert _reason(dataclasses.replace(WITH_SPEND, value_balance=WITH_SPEND.value_balance + delta)) == SPEND_BAD


def test_a_flipped_binding_signature_is_refused():
    assert _reason(dataclasses.replace(WITH_SPEND, binding_sig=_flip(WITH_SPEND.binding_sig, 40))) == BINDING_BAD


@pytest.mark.parametrize("field", ["anchor", "nullifiers", "commitments", "macs", "proof", "vpub_old", "random_seed"])
def test_a_changed_joinsplit_field_fails_its_proof(field):
    joinsplit = WITH_JOINSPLIT.joinsplits[0]
    value = getattr(joinsplit, field)
    if isinstance(value, int):
        changed = value + 1
    elif isinstance(value, tuple):
        changed = (_flip(value[0], 3), value[1])
    else:
        changed = _flip(value, 3 if field != "proof" else 60)
    damaged = dataclasses.replace(joinsplit, **{field: changed})
    assert _reason(dataclasses.replace(WITH_JOINSPLIT, joinsplits=(damaged,))) == PROOF_BAD


def test_a_flipped_joinsplit_signature_or_key_is_refused():
    assert _reason(dataclasses.replace(WITH_JOINSPLIT, joinsplit_sig=_flip(WITH_JOINSPLIT.joinsplit_sig, 10))) == JSSIG_BAD
    # the key is also in h_sig: the proof fails first (CheckTransaction runs before ContextualCheckTransaction)
    assert _reason(dataclasses.replace(WITH_JOINSPLIT, joinsplit_pubkey=_flip(WITH_JOINSPLIT.joinsplit_pubkey))) == PROOF_BAD


def test_flux_block_100000_v2_joinsplit_signature_is_checked_and_its_phgr_proof_is_not():
    blocks = json.loads((VECTORS / "flux_mainnet" / "blocks.json").read_text())["blocks"]
    raw = next(block["block_hex"] for block in blocks if block["height"] == 100_000)
    tx = Block.from_bytes(bytes.fromhex(raw)).transactions[1]
    assert tx.version == 2 and tx.joinsplits and not tx.joinsplits[0].uses_groth
    assert _reason(tx, 0) is None
    assert _reason(dataclasses.replace(tx, joinsplit_sig=bytes(range(64)))) == JSSIG_BAD
    joinsplit = tx.joinsplits[0]
    random_proof = dataclasses.replace(joinsplit, proof=bytes([2]) + bytes(32) + joinsplit.proof[33:])
    assert _reason(dataclasses.replace(tx, joinsplits=(random_proof,)), 0) == JSSIG_BAD  # signed, never proof-checked


def test_bytes_that_are_not_a_transaction_are_refused():
    with pytest.raises(ValidationError) as failure:
        verify_transaction(b"\x04\x00\x00\x80", SAPLING_BRANCH)
    assert failure.value.reason == "TX decode failed"
