"""Run script-check batches on a worker pool (C++ CCheckQueue with -par workers).

``ScriptVerifier`` takes a concurrent.futures executor: threads overlap the
libsecp256k1 calls (cffi releases the GIL there), processes use every core for
the interpreter.  With no executor (``-par=1``) batches run inline.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from fluxd.consensus.script_check import ScriptFailure, TxScriptBatch, check_batch


def default_worker_count() -> int:
    return max(1, min(16, os.cpu_count() or 1))


class ScriptVerifier:
    def __init__(self, executor: Executor | None = None) -> None:
        self.executor = executor

    @classmethod
    def with_processes(cls, workers: int | None = None) -> "ScriptVerifier":
        count = workers or default_worker_count()
        return cls(ProcessPoolExecutor(max_workers=count) if count > 1 else None)

    @classmethod
    def with_threads(cls, workers: int | None = None) -> "ScriptVerifier":
        count = workers or default_worker_count()
        return cls(ThreadPoolExecutor(max_workers=count, thread_name_prefix="scriptcheck") if count > 1 else None)

    def first_failure(self, batches: Iterable[TxScriptBatch]) -> ScriptFailure | None:
        """Check every batch; the failure of the earliest failing batch (in the given order)."""
        batches = list(batches)
        if self.executor is None or len(batches) < 2:
            for batch in batches:
                failure = check_batch(batch)
                if failure is not None:
                    return failure
            return None
        chunk = max(1, len(batches) // (4 * default_worker_count()))
        for failure in self.executor.map(check_batch, batches, chunksize=chunk):
            if failure is not None:
                return failure
        return None

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
