"""Fluxnode transaction signatures of a block as one worker job (CheckBlock's CheckFluxnodeTxSignatures).

The chain writer makes the list lookups when the block arrives (``signature_needs``:
which keys may have signed what) and sends the verifications, about 55 µs each and
two per CONFIRM, to a worker process; the block becomes the tip only once they are
known good, as with its script checks.  A failure a worker reports is verified again
inline (``recheck``), so a worker can cost time but never change a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.worker_jobs import register_job
from fluxd.consensus.fluxnode_sigs import SignatureNeed
from fluxd.consensus.tx_check import INVALID_SIGNATURE
from fluxd.consensus.validation import ValidationError


@dataclass(frozen=True, slots=True)
class FluxnodeSignatureJob:
    needs_per_tx: tuple[tuple[bytes, tuple[SignatureNeed, ...]], ...]  # (txid_rev, needs), in block order


def first_failing_tx(job: FluxnodeSignatureJob) -> bytes | None:
    """The txid_rev of the first transaction whose signatures do not verify; None when all do."""
    for txid_rev, needs in job.needs_per_tx:
        if not all(need.met() for need in needs):
            return txid_rev
    return None


def _is_failure(result: bytes | None) -> bool:
    return result is not None


FLUXNODE_SIGNATURES = register_job("fluxnode-signatures", FluxnodeSignatureJob, first_failing_tx, recheck=_is_failure,
                                   modules=("fluxd.consensus.fluxnode_sigs",))  # fmt: skip


def signature_verdict(pending) -> None:
    """Raise CheckBlock's error when a block's deferred fluxnode signatures (a PendingJob, or None) fail."""
    if pending is None:
        return
    failing = pending.result()
    if failing is not None:
        raise ValidationError(INVALID_SIGNATURE, 10).blaming(failing)
