"""Script checks in worker processes, fed over pipes (the processes of -par, C++ CCheckQueue workers).

A block's batches travel as raw transaction bytes with the outputs they spend,
in at most one contiguous chunk per worker; the worker parses them, runs the
interpreter and answers with the first failing (batch, input) of its chunk.
``submit`` returns at once, so the chain writer can go on with other work
while the workers verify; ``PendingChecks.failure`` waits for the answer.

The workers are fresh interpreters (``python -m
fluxd.chainstate.script_workers``, never forks: the node has threads and open
databases, and an embedding program's main module is not imported again),
started the first time they are needed, talking over their stdin and stdout
in length-prefixed pickle frames.  If one dies or answers with
nonsense, the chunks it held are checked inline, and a failure a worker
reports is checked again inline before anyone relies on it, so a broken
worker can slow a block down but never change its verdict.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import struct
import subprocess
import sys
from collections.abc import Sequence
from typing import BinaryIO

from fluxd.consensus.script_check import ScriptFailure, SpentOutput, TxScriptBatch, check_batch
from fluxd.core.transaction import Transaction

log = logging.getLogger("fluxd.chainstate")
_FRAME = struct.Struct("<I")
MAX_RESTARTS = 8  # replacements for dead workers before checking inline for good
BALANCE_STEP = 0.01
MAX_INLINE_SHARE = 0.5
_Chunk = tuple[int, int, list[tuple[bytes, tuple[tuple[bytes, int], ...]]]]  # flags, branch id, (tx, spent) pairs


def _chunk(batches: Sequence[TxScriptBatch]) -> _Chunk | None:
    """What a worker is sent for ``batches``: None when they do not share flags and branch id (checked inline)."""
    flags, branch_id = batches[0].flags, batches[0].branch_id
    if any(batch.flags != flags or batch.branch_id != branch_id for batch in batches):
        return None
    return flags, branch_id, [(batch.tx.to_bytes(), tuple([(out.script_pubkey, out.amount) for out in batch.spent])) for batch in batches]


def first_failure_inline(batches: Sequence[TxScriptBatch]) -> ScriptFailure | None:
    for batch in batches:
        failure = check_batch(batch)
        if failure is not None:
            return failure
    return None


def _check_chunk(flags: int, branch_id: int, items: list[tuple[bytes, tuple[tuple[bytes, int], ...]]]) -> int | None:
    """The position of the first failing transaction of a chunk, or None."""
    for position, (raw_tx, spent) in enumerate(items):
        batch = TxScriptBatch(Transaction.from_bytes(raw_tx), tuple(SpentOutput(*item) for item in spent), flags, branch_id)
        if check_batch(batch) is not None:
            return position
    return None


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = _read_exact(stream, _FRAME.size)
    return _read_exact(stream, _FRAME.unpack(head)[0]) if head is not None else None


def _write_frame(stream: BinaryIO, payload: bytes) -> None:
    view = memoryview(_FRAME.pack(len(payload)) + payload)
    while view:
        written = stream.write(view)
        view = view[written:] if written is not None else view[len(view):]
    stream.flush()


def worker_main(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker's loop: (ticket, chunk) in, (ticket, failing position or None) out, until EOF."""
    while True:
        message = _read_frame(requests)
        if message is None:
            return
        ticket, (flags, branch_id, items) = pickle.loads(message)
        try:
            answer = _check_chunk(flags, branch_id, items)
        except Exception:  # an unparsable transaction: let the writer check it inline
            answer = 0
        _write_frame(answers, pickle.dumps((ticket, answer), protocol=pickle.HIGHEST_PROTOCOL))


class _Worker:
    def __init__(self) -> None:
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_source_root(), os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fluxd.chainstate.script_workers"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, close_fds=True, bufsize=0,
        )  # fmt: skip
        self.alive = True
        self.waiting: list[int] = []  # tickets sent and not yet answered, in order

    def send(self, ticket: int, chunk: _Chunk | None) -> bool:
        if not self.alive or chunk is None:
            return False
        try:
            _write_frame(self.process.stdin, pickle.dumps((ticket, chunk), protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            self.broken()
            return False
        self.waiting.append(ticket)
        return True

    def has_answer(self) -> bool:
        """True when the next answer (or the worker's end) can be read without waiting."""
        if not self.alive:
            return True
        readable, _, _ = select.select([self.process.stdout], [], [], 0)
        return bool(readable)

    def receive(self) -> tuple[int, int | None] | None:
        """The next answer, or None when the worker is gone."""
        if not self.alive:
            return None
        try:
            message = _read_frame(self.process.stdout)
            ticket, answer = pickle.loads(message) if message is not None else (None, None)
        except (OSError, ValueError, TypeError, pickle.UnpicklingError):
            ticket = None
        if ticket is None or not self.waiting or self.waiting[0] != ticket:
            self.broken()
            return None
        self.waiting.pop(0)
        return ticket, answer

    def broken(self) -> None:
        log.warning("A script-check worker stopped answering; its checks run inline")
        self.close(wait=False)

    def close(self, wait: bool = True) -> None:
        if not self.alive:
            return
        self.alive = False
        self.waiting = []
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()  # EOF on its stdin ends the worker
            except OSError:
                pass
        try:
            self.process.wait(timeout=2 if wait else 0.1)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=2)


def _source_root() -> str:
    """The directory holding the fluxd package, so the worker imports the same code."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class PendingChecks:
    """The checks of one submission; ``failure()`` waits for their verdict (the first failure in batch order)."""

    def __init__(self, pool: "ScriptWorkers | None", batches: Sequence[TxScriptBatch], parts: list[tuple[int, int, int, "_Worker | None"]]) -> None:
        self._pool = pool
        self._batches = batches
        self._parts = parts  # (ticket, first batch, end batch, worker or None when checked inline)
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
        kept = [first_failure_inline(self._batches[start:end]) if worker is None else None for _, start, end, worker in self._parts]
        self._pool.balance(any(worker is not None and not self._pool.ready(ticket, worker) for ticket, _, _, worker in self._parts))
        for (ticket, start, end, worker), found in zip(self._parts, kept):
            if worker is not None and self._pool.answer(ticket, worker) is not None:
                found = first_failure_inline(self._batches[start:end])  # a failure, or a worker that broke
            if found is not None:
                self._verdict = found
                break
        self._done = True
        self._batches = ()
        return self._verdict


class ScriptWorkers:
    """``count`` worker processes; a submission is split into contiguous chunks, one per worker."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.inline_share = 0.0  # of each submission the caller checks itself, as the C++ master thread joins in
        self._workers: list[_Worker] = []
        self._answers: dict[int, int | None] = {}
        self._next_ticket = 0
        self._starts = 0  # workers started so far (the first ``count`` plus replacements)

    def _live_workers(self) -> list[_Worker]:
        """The running workers, replacing dead ones until MAX_RESTARTS replacements have been spent."""
        self._workers = [worker for worker in self._workers if worker.alive]
        while len(self._workers) < self.count and self._starts < self.count + MAX_RESTARTS:
            self._starts += 1
            try:
                self._workers.append(_Worker())
            except OSError as failure:
                log.warning("Cannot start a script-check worker: %s", failure)
            if self._starts == self.count + MAX_RESTARTS:
                log.warning("Script-check workers keep failing; scripts are checked inline from now on")
        return self._workers

    def submit(self, batches: Sequence[TxScriptBatch]) -> PendingChecks:
        workers = self._live_workers()
        sent = len(batches) - int(len(batches) * self.inline_share) if workers else 0
        parts = []
        chunk_size = max(1, -(-sent // max(1, len(workers))))
        for number, start in enumerate(range(0, sent, chunk_size)):
            end = min(start + chunk_size, sent)
            self._next_ticket += 1
            if workers[number].send(self._next_ticket, _chunk(batches[start:end])):
                parts.append((self._next_ticket, start, end, workers[number]))
            else:
                parts.append((self._next_ticket, start, end, None))  # checked inline when the verdict is asked for
        if sent < len(batches):
            parts.append((0, sent, len(batches), None))
        return PendingChecks(self, batches, parts)

    def balance(self, waited: bool) -> None:
        """Keep more checks for the caller when it had to wait for the workers, fewer when it did not."""
        step = BALANCE_STEP if waited else -BALANCE_STEP
        self.inline_share = min(MAX_INLINE_SHARE, max(0.0, self.inline_share + step))

    def ready(self, ticket: int, worker: _Worker) -> bool:
        """True when the answer for ``ticket`` can be had without waiting."""
        if ticket in self._answers or ticket not in worker.waiting:
            return True
        return worker.waiting[0] == ticket and worker.has_answer()

    def answer(self, ticket: int, worker: _Worker) -> int | None:
        """A chunk's answer: None when all verify, else the failing position (0 when the worker broke)."""
        while ticket not in self._answers:
            if ticket not in worker.waiting:
                return 0
            received = worker.receive()
            if received is None:
                return 0
            self._answers[received[0]] = received[1]
        return self._answers.pop(ticket)

    def close(self) -> None:
        for worker in self._workers:
            worker.close()
        self._workers = []


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the node stops its workers by closing their stdin
    worker_main(sys.stdin.buffer, sys.stdout.buffer)
