"""The shielded worker job: the real Zcash Sapling-era transactions pass as one batch; one damaged proof, signature
or key among them gives the first failure in block order with C++'s reason and stage; a batch of many proofs
fails when any one is wrong."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from fluxd.chainstate.shielded_jobs import ShieldedJob, first_shielded_failure
from fluxd.consensus.shielded import groth16
from fluxd.core.block import Block

VECTORS = Path(__file__).resolve().parents[2] / "data" / "vectors"
BLOCKS = [Block.from_bytes(bytes.fromhex(block["hex"])) for block in
          json.loads((VECTORS / "zcash_mainnet" / "sapling_first_blocks.json").read_text())["blocks"]]  # fmt: skip
TXS = [tx for block in BLOCKS for tx in block.transactions if tx.has_shielded()]
BRANCH = 0x76B809BB


def _job(txs) -> ShieldedJob:
    return ShieldedJob(tuple(tx.to_bytes() for tx in txs), BRANCH, 100)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def test_every_real_transaction_passes_in_one_batch():
    assert len(TXS) == 9 and first_shielded_failure(_job(TXS)) is None


def test_the_first_failure_in_block_order_is_answered():
    outputs = [index for index, tx in enumerate(TXS) if tx.shielded_outputs and not tx.shielded_spends]
    joinsplits = [index for index, tx in enumerate(TXS) if tx.joinsplits]
    late, early = outputs[-1], joinsplits[-1]
    txs = list(TXS)
    output = txs[late].shielded_outputs[0]
    txs[late] = dataclasses.replace(txs[late], shielded_outputs=(dataclasses.replace(output, zkproof=_flip(output.zkproof, 150)),))
    failure = first_shielded_failure(_job(txs))
    assert (failure.txid_rev, failure.reason, failure.contextual) == (
        txs[late].txid_rev, "bad-txns-sapling-output-description-invalid", True)  # fmt: skip
    joinsplit = txs[early].joinsplits[0]
    txs[early] = dataclasses.replace(txs[early], joinsplits=(dataclasses.replace(joinsplit, macs=(_flip(joinsplit.macs[0], 1), joinsplit.macs[1])),))
    failure = first_shielded_failure(_job(txs))
    expected = txs[min(early, late)].txid_rev
    assert failure.txid_rev == expected and failure.dos == 100


def test_a_batch_fails_when_any_proof_is_wrong():
    batch = groth16.Batch()
    from fluxd.consensus.shielded.jubjub import decode_point
    from fluxd.consensus.shielded.verifying_keys import verifying_key

    key = verifying_key("sapling-output")
    outputs = [output for tx in TXS for output in tx.shielded_outputs]
    for output in outputs:
        inputs = [*decode_point(output.cv).to_affine(), *decode_point(output.ephemeral_key).to_affine(),
                  int.from_bytes(output.cmu, "little")]  # fmt: skip
        assert batch.add(key, output.zkproof, inputs)
    assert len(batch) == 7 and batch.verify()
    assert batch.add(key, outputs[0].zkproof, [0, 0, 0, 0, 0]) and not batch.verify()
    assert not batch.add(key, bytes(192), [0] * 5) and not batch.add(key, outputs[0].zkproof, [0] * 4)
