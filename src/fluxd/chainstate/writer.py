"""The chain writer: the one thread that changes the chain and the coins, fed by a queue of commands.

RPC threads, the P2P event loop and the import thread never change the
chainstate themselves: they submit a command (a block, headers, invalidate /
reconsider, mempool acceptance, a template, a flush, ...) and wait for its
result.  Commands run one at a time in submission order, so every command sees
the state the previous one left; readers use the views the writer publishes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

log = logging.getLogger("fluxd.chainstate")
Result = TypeVar("Result")
THREAD_NAME = "chainwriter"


class WriterStopped(RuntimeError):
    """The chain writer has been stopped (shutdown): the command was not run."""


class ChainWriter:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self._thread_id: int | None = None
        self._stopped = False
        self._executor.submit(self._note_thread).result()

    def _note_thread(self) -> None:
        self._thread_id = threading.get_ident()

    def on_writer_thread(self) -> bool:
        return threading.get_ident() == self._thread_id

    def submit(self, command: Callable[..., Result], *args) -> Future:
        """Queue ``command(*args)``; the future holds its result or its exception."""
        if self._stopped:
            raise WriterStopped("the chain writer is stopped")
        return self._executor.submit(command, *args)

    def call(self, command: Callable[..., Result], *args) -> Result:
        """Run ``command(*args)`` on the writer and wait for it (inline when already on the writer)."""
        if self.on_writer_thread():
            return command(*args)
        return self.submit(command, *args).result()

    def run_async(self, command: Callable[..., Result], *args) -> "asyncio.Future[Result]":
        """For the event loop: an awaitable of ``command(*args)`` run on the writer."""
        return asyncio.wrap_future(self.submit(command, *args))

    @property
    def executor(self) -> ThreadPoolExecutor:
        """For ``loop.run_in_executor``: commands submitted there run on the writer too."""
        return self._executor

    def stop(self) -> None:
        """Run what is queued, then stop taking commands."""
        self._stopped = True
        self._executor.shutdown(wait=True)
