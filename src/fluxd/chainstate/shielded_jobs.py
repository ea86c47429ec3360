"""A block's shielded checks as worker jobs (CheckTransaction's JoinSplit proofs and ContextualCheckTransaction's
joinSplitSig, Sapling spends, outputs and binding signatures).

When a block arrives the chain writer runs every other check itself and hands its shielded transactions,
serialized, to the worker processes in as many chunks as there are workers; the block becomes the tip
only once they are known good, as with its script checks and fluxnode signatures.  Each job checks its
transactions in block order and answers the first failure (txid, C++ reason, DoS); a failure a worker
reports is checked again inline, so a worker can cost time but never change a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.fluxnode_sig_jobs import FluxnodeSignatureJob, signature_verdict
from fluxd.chainstate.script_pool import default_worker_count
from fluxd.chainstate.worker_jobs import register_job
from fluxd.consensus.shielded.groth16 import Batch
from fluxd.consensus.shielded.verify import check_joinsplit_proofs, check_shielded_signatures
from fluxd.consensus.validation import ValidationError
from fluxd.core.transaction import Transaction


@dataclass(frozen=True, slots=True)
class ShieldedJob:
    raw_txs: tuple[bytes, ...]  # in block order
    branch_id: int
    joinsplit_sig_dos: int


@dataclass(frozen=True, slots=True)
class ShieldedFailure:
    txid_rev: bytes
    reason: str
    dos: int
    contextual: bool  # a ContextualCheckTransaction failure (else a CheckTransaction one: a JoinSplit proof)


def first_shielded_failure(job: ShieldedJob) -> ShieldedFailure | None:
    """Every transaction's checks with all their proofs in one batch; any failure and the transactions are
    checked again one by one, so the answer is the first failure in C++'s order."""
    txs = [Transaction.from_bytes(raw) for raw in job.raw_txs]
    batch = Batch()
    try:
        for tx in txs:
            check_joinsplit_proofs(tx, batch)
            check_shielded_signatures(tx, job.branch_id, job.joinsplit_sig_dos, batch)
        if not len(batch) or batch.verify():
            return None
    except ValidationError:
        pass
    return _first_failure_one_by_one(txs, job)


def _first_failure_one_by_one(txs: list[Transaction], job: ShieldedJob) -> ShieldedFailure | None:
    for tx in txs:
        contextual = False
        try:
            check_joinsplit_proofs(tx)
            contextual = True
            check_shielded_signatures(tx, job.branch_id, job.joinsplit_sig_dos)
        except ValidationError as failure:
            return ShieldedFailure(tx.txid_rev, failure.reason, failure.dos, contextual)
    return None


def _is_failure(result: ShieldedFailure | None) -> bool:
    return result is not None


SHIELDED_CHECKS = register_job("shielded-checks", ShieldedJob, first_shielded_failure, recheck=_is_failure)


def shielded_jobs(verifier, block, branch_id: int, joinsplit_sig_dos: int) -> tuple:
    """The block's shielded transactions as pending jobs, one chunk per worker (empty when it has none)."""
    raws = [tx.to_bytes() for tx in block.transactions if tx.has_shielded()]
    if not raws:
        return ()
    chunks = min(len(raws), default_worker_count() if verifier.pipelined else 1)
    size = -(-len(raws) // chunks)
    return tuple(verifier.run_job(ShieldedJob(tuple(raws[start:start + size]), branch_id, joinsplit_sig_dos))
                 for start in range(0, len(raws), size))  # fmt: skip


@dataclass(frozen=True)
class DeferredChecks:
    """What a block's arrival left running: its fluxnode signatures (CheckBlock) and shielded checks."""

    signatures: object = None  # a PendingJob or None
    shielded: tuple = ()

    def verdict(self, contextual: bool = True) -> None:
        """Raise the failure C++ would meet first: the fluxnode signatures, then the shielded checks in block order;
        with ``contextual=False`` only CheckBlock's (another ContextualCheckBlock failure was met first)."""
        signature_verdict(self.signatures)
        for pending in self.shielded:
            failure = pending.result()
            if failure is not None and (contextual or not failure.contextual):
                raise ValidationError(failure.reason, failure.dos).blaming(failure.txid_rev)


def deferred_checks(verifier, block, branch_id: int, joinsplit_sig_dos: int, signatures: list) -> DeferredChecks | None:
    """What an arriving block leaves to the workers: its fluxnode signatures (CheckBlock's needs) and its
    shielded transactions; None when it has neither."""
    pending = verifier.run_job(FluxnodeSignatureJob(tuple(signatures))) if signatures else None
    shielded = shielded_jobs(verifier, block, branch_id, joinsplit_sig_dos)
    return DeferredChecks(pending, shielded) if pending is not None or shielded else None


def deferred_verdict(checks: DeferredChecks | None, contextual: bool = True) -> None:
    if checks is not None:
        checks.verdict(contextual)
