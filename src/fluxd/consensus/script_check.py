"""Script checks for transaction inputs, batched per transaction (C++ CScriptCheck).

A batch is picklable, so a pool of threads or processes can run them; inputs of
one transaction share their ZIP-143/243 precomputed hashes.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import ScriptError
from fluxd.consensus.sighash import PrecomputedHashes
from fluxd.core.transaction import Transaction


@dataclass(frozen=True, slots=True)
class SpentOutput:
    script_pubkey: bytes
    amount: int


@dataclass(frozen=True, slots=True)
class TxScriptBatch:
    """Every input of ``tx`` with the outputs it spends, in input order."""

    tx: Transaction
    spent: tuple[SpentOutput, ...]
    flags: int
    branch_id: int


@dataclass(frozen=True, slots=True)
class ScriptFailure:
    txid_rev: bytes
    input_index: int
    error: ScriptError


def check_batch(batch: TxScriptBatch) -> ScriptFailure | None:
    """The first failing input of the batch, or None when every input verifies."""
    cache = PrecomputedHashes(batch.tx) if batch.tx.overwintered else None
    for index, (txin, spent) in enumerate(zip(batch.tx.vin, batch.spent)):
        checker = SignatureChecker(batch.tx, index, spent.amount, cache)
        error = verify_script(txin.script_sig, spent.script_pubkey, batch.flags, checker, batch.branch_id)
        if error is not ScriptError.OK:
            return ScriptFailure(batch.tx.txid_rev, index, error)
    return None
