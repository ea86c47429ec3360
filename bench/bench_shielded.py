"""Shielded verification: ms per Sapling spend, per Sapling output and per Groth16 JoinSplit, beside the floor.

Data: the real shielded transactions of Zcash mainnet blocks 419,201–419,202 (branch 76b809bb, Flux's) and the
fluxd-rust Sapling vector: 6 transactions with one output, 2 with a spend and two outputs, 3 JoinSplits.

- floor: py-arkworks-bls12381's bare Groth16 check of the same proofs (decode A, B, C, one multi-exponentiation,
  one product of four pairings; ``groth16.verify``), per proof, in this process;
- one by one: each description checked alone through the verifier (``SaplingCheck.spend`` / ``.output``:
  point decoding, small-order checks, RedJubjub, its own Groth16 check; JoinSplits: the proof and the
  Ed25519 joinSplitSig);
- block, batched: ``--copies`` copies of every transaction as one block's worker job (every check, the binding
  signatures too, all proofs in one batch), per description, in this process and through the worker
  processes of ``--workers`` (one chunk each, wall time).

    .venv/bin/python bench/bench_shielded.py [--copies 20] [--workers 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fluxd.chainstate.shielded_jobs import ShieldedJob, first_shielded_failure  # noqa: E402
from fluxd.chainstate.worker_pool import WorkerPool  # noqa: E402
from fluxd.consensus.shielded import ed25519, groth16, sprout  # noqa: E402
from fluxd.consensus.shielded.jubjub import decode_point  # noqa: E402
from fluxd.consensus.shielded.sapling import SaplingCheck  # noqa: E402
from fluxd.consensus.shielded.verify import shielded_sighash  # noqa: E402
from fluxd.consensus.shielded.verifying_keys import verifying_key  # noqa: E402
from fluxd.core.block import Block  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402

VECTORS = ROOT / "tests" / "data" / "vectors"
BRANCH = 0x76B809BB


def load() -> list[Transaction]:
    blocks = json.loads((VECTORS / "zcash_mainnet" / "sapling_first_blocks.json").read_text())["blocks"]
    txs = [tx for block in blocks for tx in Block.from_bytes(bytes.fromhex(block["hex"])).transactions if tx.has_shielded()]
    vector = json.loads((VECTORS / "fluxd_rust_test_data" / "verify_transaction.json").read_text())[0]
    return [*txs, Transaction.from_bytes(bytes.fromhex(vector["tx_hex"]))]


def timed(function, repeats: int) -> float:
    """Median seconds of ``function()`` over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def proofs(txs: list[Transaction]) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {"spend": [], "output": [], "joinsplit": []}
    for tx in txs:
        for spend in tx.shielded_spends:
            inputs = [*decode_point(spend.rk).to_affine(), *decode_point(spend.cv).to_affine(), int.from_bytes(spend.anchor, "little"),
                      *groth16.multipack(groth16.bytes_to_bits_le(spend.nullifier))]  # fmt: skip
            found["spend"].append((verifying_key("sapling-spend"), spend.zkproof, inputs))
        for output in tx.shielded_outputs:
            inputs = [*decode_point(output.cv).to_affine(), *decode_point(output.ephemeral_key).to_affine(),
                      int.from_bytes(output.cmu, "little")]  # fmt: skip
            found["output"].append((verifying_key("sapling-output"), output.zkproof, inputs))
        for joinsplit in tx.joinsplits:
            found["joinsplit"].append((verifying_key("sprout"), joinsplit.proof, sprout.public_inputs(joinsplit, tx.joinsplit_pubkey)))
    return found


def one_by_one(txs: list[Transaction]) -> dict[str, list]:
    work: dict[str, list] = {"spend": [], "output": [], "joinsplit": []}
    for tx in txs:
        sighash = shielded_sighash(tx, BRANCH)
        work["spend"] += [(sighash, spend) for spend in tx.shielded_spends]
        work["output"] += [(sighash, output) for output in tx.shielded_outputs]
        work["joinsplit"] += [(sighash, tx, joinsplit) for joinsplit in tx.joinsplits]
    return work


def run_one_by_one(kind: str, items: list) -> None:
    for item in items:
        if kind == "spend":
            assert SaplingCheck(item[0]).spend(item[1])
        elif kind == "output":
            assert SaplingCheck(item[0]).output(item[1])
        else:
            sighash, tx, joinsplit = item
            assert sprout.verify_joinsplit(joinsplit, tx.joinsplit_pubkey) and ed25519.verify(tx.joinsplit_sig, sighash, tx.joinsplit_pubkey)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    txs = load()
    found, work = proofs(txs), one_by_one(txs)
    print(f"{len(txs)} transactions: {', '.join(f'{len(items)} {kind}s' for kind, items in found.items())}")
    print(f"{'kind':<10} {'floor ms':>9} {'one by one ms':>14} {'ratio':>6}")
    floors = {}
    for kind, items in found.items():
        floor = timed(lambda: [groth16.verify(key, proof, inputs) for key, proof, inputs in items], args.repeats) / len(items)
        alone = timed(lambda: run_one_by_one(kind, work[kind]), args.repeats) / len(items)
        floors[kind] = floor
        print(f"{kind:<10} {floor * 1000:>9.2f} {alone * 1000:>14.2f} {alone / floor:>6.2f}")
    block_txs = txs * args.copies
    descriptions = sum(len(tx.shielded_spends) + len(tx.shielded_outputs) + len(tx.joinsplits) for tx in block_txs)
    floor_block = sum(floors[kind] * len(items) for kind, items in found.items()) * args.copies
    job = ShieldedJob(tuple(tx.to_bytes() for tx in block_txs), BRANCH, 100)
    inline = timed(lambda: first_shielded_failure(job), max(1, args.repeats // 2))
    print(f"block of {len(block_txs)} transactions ({descriptions} descriptions): floor {floor_block * 1000 / descriptions:.2f} "
          f"ms/description; batched job in this process {inline * 1000 / descriptions:.2f} ms/description "
          f"(ratio {inline / floor_block:.2f})")  # fmt: skip
    pool = WorkerPool(args.workers)
    try:
        size = -(-len(block_txs) // args.workers)
        chunks = [ShieldedJob(job.raw_txs[start:start + size], BRANCH, 100) for start in range(0, len(block_txs), size)]
        assert all(pool.run(chunk).result() is None for chunk in chunks)  # warm: workers started, tables built

        def through_workers() -> None:
            pending = [pool.run(chunk) for chunk in chunks]
            assert all(item.result() is None for item in pending)

        wall = timed(through_workers, max(1, args.repeats // 2))
    finally:
        pool.close()
    print(f"through {args.workers} worker processes: {wall * 1000 / descriptions:.2f} ms/description wall "
          f"(ratio to the one-process floor {wall / floor_block:.2f})")


if __name__ == "__main__":
    main()
