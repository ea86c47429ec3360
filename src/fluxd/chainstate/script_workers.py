"""Script checks as worker jobs (the C++ CCheckQueue workers of -par).

A block's batches travel as ``ScriptChunk`` jobs, at most one contiguous chunk
per worker: raw transaction bytes with the (scriptPubKey, amount) of each
input they spend; the worker parses them, runs the interpreter and answers
with the position of the first failing transaction of its chunk.
``submit`` returns at once, so the chain writer can go on with other work
while the workers verify; ``PendingChecks.failure`` waits for the answer.

A chunk whose worker dies, refuses it or fails running it is checked inline,
and a failure a worker reports is checked again inline before anyone relies
on it (the ``recheck`` of the kind), so a broken worker can slow a block down
but never change its verdict.  The writer keeps a share of each submission
for itself, growing when it had to wait for the workers (``balance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fluxd.chainstate.worker_jobs import register_job
from fluxd.chainstate.worker_pool import LOST, Ticket, WorkerPool
from fluxd.consensus.script_check import ScriptFailure, SpentOutput, TxScriptBatch, check_batch
from fluxd.core.transaction import Transaction

BALANCE_STEP = 0.01
MAX_INLINE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ScriptChunk:
    """Transactions sharing flags and branch id: (raw tx, ((scriptPubKey, amount) per input)) pairs."""

    flags: int
    branch_id: int
    items: tuple[tuple[bytes, tuple[tuple[bytes, int], ...]], ...]

    @classmethod
    def of(cls, batches: Sequence[TxScriptBatch]) -> "ScriptChunk | None":
        """The job for ``batches``: None when they do not share flags and branch id (checked inline)."""
        flags, branch_id = batches[0].flags, batches[0].branch_id
        if any(batch.flags != flags or batch.branch_id != branch_id for batch in batches):
            return None
        items = tuple([(batch.tx.to_bytes(), tuple([(out.script_pubkey, out.amount) for out in batch.spent])) for batch in batches])
        return cls(flags, branch_id, items)


def first_failing_position(chunk: ScriptChunk) -> int | None:
    """The position of the chunk's first failing transaction, or None when all verify."""
    for position, (raw_tx, spent) in enumerate(chunk.items):
        batch = TxScriptBatch(Transaction.from_bytes(raw_tx), tuple(SpentOutput(*item) for item in spent), chunk.flags, chunk.branch_id)
        if check_batch(batch) is not None:
            return position
    return None


def _is_failure(position: int | None) -> bool:
    return position is not None


SCRIPT_CHUNK = register_job("script-chunk", ScriptChunk, first_failing_position, recheck=_is_failure)


def first_failure_inline(batches: Sequence[TxScriptBatch]) -> ScriptFailure | None:
    for batch in batches:
        failure = check_batch(batch)
        if failure is not None:
            return failure
    return None


class PendingChecks:
    """The checks of one submission; ``failure()`` waits for their verdict (the first failure in batch order)."""

    def __init__(self, pool: "ScriptWorkers | None", batches: Sequence[TxScriptBatch], parts: list[tuple[int, int, Ticket | None]]) -> None:
        self._pool = pool
        self._batches = batches
        self._parts = parts  # (first batch, end batch, ticket or None when checked inline)
        self._verdict: ScriptFailure | None = None
        self._done = not parts

    @classmethod
    def settled(cls, failure: ScriptFailure | None) -> "PendingChecks":
        pending = cls(None, (), [])
        pending._verdict = failure
        return pending

    def failure(self) -> ScriptFailure | None:
        if self._done:
            return self._verdict
        kept = [first_failure_inline(self._batches[start:end]) if ticket is None else None for start, end, ticket in self._parts]
        workers = self._pool.pool
        self._pool.balance(any(ticket is not None and not workers.ready(ticket) for _, _, ticket in self._parts))
        for (start, end, ticket), found in zip(self._parts, kept):
            if ticket is not None:
                answer = workers.answer(ticket)
                if answer is LOST or SCRIPT_CHUNK.recheck(answer):
                    found = first_failure_inline(self._batches[start:end])  # a failure, or a worker that broke
            if found is not None:
                self._verdict = found
                break
        self._done = True
        self._batches = ()
        return self._verdict


class ScriptWorkers:
    """Script checks over ``count`` worker processes; a submission is split into contiguous chunks, one per worker."""

    def __init__(self, count: int, pool: WorkerPool | None = None) -> None:
        self.pool = pool or WorkerPool(count)
        self.inline_share = 0.0  # of each submission the caller checks itself, as the C++ master thread joins in

    @property
    def count(self) -> int:
        return self.pool.count

    def submit(self, batches: Sequence[TxScriptBatch]) -> PendingChecks:
        workers = self.pool.live_workers()
        sent = len(batches) - int(len(batches) * self.inline_share) if workers else 0
        parts: list[tuple[int, int, Ticket | None]] = []
        chunk_size = max(1, -(-sent // max(1, len(workers))))
        for number, start in enumerate(range(0, sent, chunk_size)):
            end = min(start + chunk_size, sent)
            chunk = ScriptChunk.of(batches[start:end])
            parts.append((start, end, self.pool.send(workers[number], chunk) if chunk is not None else None))
        if sent < len(batches):
            parts.append((sent, len(batches), None))  # checked inline when the verdict is asked for
        return PendingChecks(self, batches, parts)

    def balance(self, waited: bool) -> None:
        """Keep more checks for the caller when it had to wait for the workers, fewer when it did not."""
        step = BALANCE_STEP if waited else -BALANCE_STEP
        self.inline_share = min(MAX_INLINE_SHARE, max(0.0, self.inline_share + step))

    def close(self) -> None:
        self.pool.close()
