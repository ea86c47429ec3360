"""Running script-check batches (C++ CCheckQueue with -par threads).

``ScriptVerifier`` checks inline, on a concurrent.futures executor (threads
overlap only the libsecp256k1 calls: the interpreter holds the GIL), or in
worker processes (``script_workers``).  ``submit`` hands the checks over and
returns a ``PendingChecks`` whose ``failure()`` gives the verdict; with
worker processes the caller can do other work in between (``pipelined``).
The same processes run the other job kinds (``worker_jobs``): ``run_job``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor

from fluxd.chainstate.script_workers import PendingChecks, ScriptWorkers, first_failure_inline
from fluxd.chainstate.worker_pool import PendingJob
from fluxd.consensus.script_check import ScriptFailure, TxScriptBatch, check_batch

MAX_SCRIPT_CHECK_THREADS = 16  # C++ MAX_SCRIPTCHECK_THREADS


def default_worker_count() -> int:
    return max(1, min(MAX_SCRIPT_CHECK_THREADS, os.cpu_count() or 1))


def script_check_threads(par: int, cores: int | None = None) -> int:
    """C++ -par: 0 = one per core, below 0 leaves that many cores free; 1..16 threads, the writer being one."""
    if par <= 0:
        par += cores or default_worker_count()
    return max(1, min(par, MAX_SCRIPT_CHECK_THREADS))


class ScriptVerifier:
    def __init__(self, executor: Executor | None = None, workers: ScriptWorkers | None = None) -> None:
        self.executor = executor
        self.workers = workers

    @classmethod
    def with_processes(cls, workers: int | None = None) -> "ScriptVerifier":
        """``workers`` processes beside the writer (default: one per core but the writer's); 0 checks inline."""
        count = default_worker_count() - 1 if workers is None else workers
        return cls(workers=ScriptWorkers(count) if count > 0 else None)

    @classmethod
    def for_par(cls, par: int) -> "ScriptVerifier":
        """The verifier fluxd -par=N asks for: N-1 worker processes beside the chain writer."""
        return cls.with_processes(script_check_threads(par) - 1)

    @classmethod
    def with_threads(cls, workers: int | None = None) -> "ScriptVerifier":
        count = workers or default_worker_count()
        return cls(ThreadPoolExecutor(max_workers=count, thread_name_prefix="scriptcheck") if count > 1 else None)

    @property
    def pipelined(self) -> bool:
        """True when submitted checks run beside the caller (worth doing other work before asking)."""
        return self.workers is not None

    def submit(self, batches: Sequence[TxScriptBatch]) -> PendingChecks:
        if self.workers is not None and batches:
            return self.workers.submit(batches)
        return PendingChecks.settled(self._check_now(batches))

    def run_job(self, job: object) -> PendingJob:
        """A job of a registered kind (``worker_jobs``) on a worker process; inline when there are none."""
        return self.workers.pool.run(job) if self.workers is not None else PendingJob.inline(job)

    def first_failure(self, batches: Iterable[TxScriptBatch]) -> ScriptFailure | None:
        """Check every batch; the failure of the earliest failing batch (in the given order)."""
        return self.submit(list(batches)).failure()

    def _check_now(self, batches: Sequence[TxScriptBatch]) -> ScriptFailure | None:
        if self.executor is None or len(batches) < 2:
            return first_failure_inline(batches)
        chunk = max(1, len(batches) // (4 * default_worker_count()))
        for failure in self.executor.map(check_batch, batches, chunksize=chunk):
            if failure is not None:
                return failure
        return None

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        if self.workers is not None:
            self.workers.close()
            self.workers = None
