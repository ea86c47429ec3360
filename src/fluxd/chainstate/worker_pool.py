"""Worker processes running typed jobs (``worker_jobs``), fed over pipes (the processes of -par).

The workers are fresh interpreters (``python -m fluxd.chainstate.worker_pool
[kind modules]``, never forks: the node has threads and open databases, and an
embedding program's main module is not imported again), started the first
time they are needed and replaced when they die (up to MAX_RESTARTS times;
then jobs run inline for good).  They talk over their stdin and stdout in
length-prefixed pickle frames: (ticket, kind name, encoded job) in, (ticket,
status, encoded result) out, answered in order.  ``send`` returns at once, so
the caller can go on while a worker runs the job; ``answer`` waits for it.  A
worker that dies or answers nonsense is dropped: its unanswered jobs read as
lost, and the caller runs them inline (``PendingJob`` does so for one job).
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import select
import struct
import subprocess
import sys
import threading
from typing import Any, BinaryIO

from fluxd.chainstate.worker_jobs import BUILTIN_KIND_MODULES, OK, decode, encode, kind_modules, kind_named, kind_of, run_encoded

log = logging.getLogger("fluxd.chainstate")
_FRAME = struct.Struct("<I")
MAX_RESTARTS = 8  # replacements for dead workers before running jobs inline for good
LOST = object()  # the answer of a job whose worker broke, refused it or failed running it


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> bytes | None:
    head = _read_exact(stream, _FRAME.size)
    return _read_exact(stream, _FRAME.unpack(head)[0]) if head is not None else None


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    view = memoryview(_FRAME.pack(len(payload)) + payload)
    while view:
        written = stream.write(view)
        view = view[written:] if written is not None else view[len(view):]
    stream.flush()


def worker_main(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker's loop: one answer per job, in order, until EOF (or a frame that is not a job).

    Answers leave through a thread of their own, so the worker always reads on:
    a parent sending many jobs before reading any answer never deadlocks on full pipes.
    """
    outgoing: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_answers, args=(outgoing, answers), name="answers", daemon=True)
    writer.start()
    try:
        while True:
            message = read_frame(requests)
            if message is None:
                return
            try:
                ticket, name, payload = decode(message)
            except Exception:
                return  # not our protocol: stop, and the parent runs what it sent inline
            status, result = run_encoded(name, payload)
            outgoing.put(encode((ticket, status, result)))
    finally:
        outgoing.put(None)
        writer.join()


def _write_answers(outgoing: "queue.SimpleQueue[bytes | None]", answers: BinaryIO) -> None:
    while (answer := outgoing.get()) is not None:
        try:
            write_frame(answers, answer)
        except (OSError, ValueError):
            return  # the parent is gone


class _Worker:
    def __init__(self) -> None:
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_source_root(), os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fluxd.chainstate.worker_pool", *kind_modules()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, close_fds=True, bufsize=0,
        )  # fmt: skip
        self.alive = True
        self.waiting: list[int] = []  # tickets sent and not yet answered, in order

    def send(self, ticket: int, name: str, payload: bytes) -> bool:
        if not self.alive:
            return False
        try:
            write_frame(self.process.stdin, encode((ticket, name, payload)))
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

    def receive(self) -> tuple[int, str, bytes] | None:
        """The next answer, or None when the worker is gone (or answered out of turn)."""
        if not self.alive:
            return None
        try:
            message = read_frame(self.process.stdout)
            ticket, status, result = decode(message) if message is not None else (None, None, None)
        except Exception:
            ticket = None
        if ticket is None or not self.waiting or self.waiting[0] != ticket:
            self.broken()
            return None
        self.waiting.pop(0)
        return ticket, status, result

    def broken(self) -> None:
        log.warning("A worker process stopped answering; its jobs run inline")
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


class Ticket:
    """A job sent to one worker."""

    __slots__ = ("number", "worker", "kind")

    def __init__(self, number: int, worker: _Worker, kind: str) -> None:
        self.number, self.worker, self.kind = number, worker, kind


class WorkerPool:
    """``count`` worker processes sharing one ticket sequence."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.workers: list[_Worker] = []
        self._answers: dict[int, tuple[str, bytes]] = {}
        self._next_ticket = 0
        self._starts = 0  # workers started so far (the first ``count`` plus replacements)

    def live_workers(self) -> list[_Worker]:
        """The running workers, replacing dead ones until MAX_RESTARTS replacements have been spent."""
        self.workers = [worker for worker in self.workers if worker.alive]
        while len(self.workers) < self.count and self._starts < self.count + MAX_RESTARTS:
            self._starts += 1
            try:
                self.workers.append(_Worker())
            except OSError as failure:
                log.warning("Cannot start a worker process: %s", failure)
            if self._starts == self.count + MAX_RESTARTS:
                log.warning("Worker processes keep failing; their jobs run inline from now on")
        return self.workers

    def send(self, worker: _Worker, job: object) -> Ticket | None:
        """Hand ``job`` (of a registered kind) to ``worker``; None when it could not take it (run it inline)."""
        name = kind_of(job).name
        self._next_ticket += 1
        if not worker.send(self._next_ticket, name, encode(job)):
            return None
        return Ticket(self._next_ticket, worker, name)

    def least_busy(self) -> _Worker | None:
        workers = self.live_workers()
        return min(workers, key=lambda worker: len(worker.waiting)) if workers else None

    def ready(self, ticket: Ticket) -> bool:
        """True when the answer for ``ticket`` can be had without waiting."""
        waiting = ticket.worker.waiting
        if ticket.number in self._answers or ticket.number not in waiting:
            return True
        return waiting[0] == ticket.number and ticket.worker.has_answer()

    def answer(self, ticket: Ticket) -> Any:
        """The job's result as the worker computed it, or LOST (run it inline)."""
        while ticket.number not in self._answers:
            if ticket.number not in ticket.worker.waiting:
                return LOST
            received = ticket.worker.receive()
            if received is None:
                return LOST
            self._answers[received[0]] = received[1:]
        status, result = self._answers.pop(ticket.number)
        if status != OK:
            return LOST
        try:
            return decode(result, kind_named(ticket.kind).modules)
        except Exception:
            ticket.worker.broken()  # it answered with something its kind cannot carry
            return LOST

    def run(self, job: object) -> "PendingJob":
        """``job`` on the least busy worker (inline, when its result is asked for, if none can take it)."""
        worker = self.least_busy()
        return PendingJob(self, job, self.send(worker, job) if worker is not None else None)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        self.workers = []


class PendingJob:
    """One job's result; ``result()`` waits for the worker, or runs the job inline when it cannot be trusted."""

    def __init__(self, pool: WorkerPool | None, job: object, ticket: Ticket | None) -> None:
        self._pool, self._job, self._ticket = pool, job, ticket
        self._done, self._result = False, None

    @classmethod
    def inline(cls, job: object) -> "PendingJob":
        return cls(None, job, None)

    @property
    def in_worker(self) -> bool:
        return self._ticket is not None

    def ready(self) -> bool:
        return self._done or self._ticket is None or self._pool.ready(self._ticket)

    def result(self) -> Any:
        if not self._done:
            kind = kind_of(self._job)
            found = self._pool.answer(self._ticket) if self._ticket is not None else LOST
            if found is LOST or kind.recheck(found):
                found = kind.run(self._job)  # exceptions reach the caller as if it had run the job itself
            self._done, self._result, self._job = True, found, None
        return self._result


def _import_kinds(modules: list[str]) -> None:
    for name in (*BUILTIN_KIND_MODULES, *modules):
        if name == "fluxd" or name.startswith("fluxd."):  # kinds live in the node's own modules
            try:
                importlib.import_module(name)
            except ImportError:
                pass  # its jobs are refused and run inline


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the node stops its workers by closing their stdin
    _import_kinds(sys.argv[1:])
    worker_main(sys.stdin.buffer, sys.stdout.buffer)
