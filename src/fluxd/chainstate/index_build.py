"""Switching an index on for a chain that already exists, without -reindex (neither C++ nor fluxd-rust can).

``BuildableIndex`` wraps an index module.  Its progress — the height and hash
of the last active-chain block it has indexed — is a state record of its own,
so it reaches the database in the same atomic flush as the index's records and
the chain tip: after a kill -9 the build resumes from the last flush.

- *complete* (no progress record): the wrapped module sees every block that
  becomes or stops being the tip, as any index module;
- *building*: blocks above the progress height are left to the builder; a
  disconnected block at or below it is un-indexed and the progress steps back.

``build_step`` indexes the next blocks from the stored blocks and their undo;
it runs as a chain-writer command, so blocks and reorgs interleave with it
and the node keeps serving while an index is built.  When it reaches the tip
the progress record is erased and the index is complete.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable

from fluxd.chainstate.modules import BlockContext, StateModule, connect_modules
from fluxd.chainstate.state_columns import BYTES, Column, StateLayer, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.storage.kv import StorageError

log = logging.getLogger(__name__)
PROGRESS_FAMILY = "meta"
_PROGRESS = struct.Struct("<i32s")  # last indexed height, its block hash_rev
STEP_SECONDS = 0.25  # one builder command holds the chain writer about this long


def progress_column(name: str) -> Column:
    return Column(f"{name}.progress", family=PROGRESS_FAMILY, prefix=b"indexbuild/" + name.encode() + b"/", key=BYTES, value=BYTES)


def encode_progress(height: int, hash_rev: bytes) -> bytes:
    return _PROGRESS.pack(height, hash_rev)


class BuildableIndex:
    """An index module that can be built from the stored chain while the node runs."""

    kind = "index"

    def __init__(self, module: StateModule, progress: tuple[int, bytes] | None) -> None:
        self.module = module
        self.name = module.name
        self.progress_column = progress_column(module.name)
        self.columns = (*module.columns, self.progress_column)
        self.progress = progress  # (height, hash_rev) while building; None once complete

    @property
    def ready(self) -> bool:
        return self.progress is None

    def connect_block(self, context: BlockContext, state: StateWriter) -> None:
        if self.progress is None:
            return self.module.connect_block(context, state)
        return None  # the builder will reach this block

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        if self.progress is None:
            self.module.disconnect_block(context, undo, state)
            return
        if context.height <= self.progress[0]:
            self.module.disconnect_block(context, undo, state)
            self._record(state, context.height - 1, context.entry.prev.hash_rev)

    def _record(self, state: StateWriter, height: int, hash_rev: bytes) -> None:
        self.progress = (height, hash_rev)
        state.put(self.progress_column, b"", encode_progress(height, hash_rev))

    def _finish(self, state: StateWriter) -> None:
        self.progress = None
        state.delete(self.progress_column, b"")


def read_progress(store, name: str) -> tuple[int, bytes] | None:
    column = progress_column(name)
    raw = store.get(column.family, column.db_key(b""))
    return None if raw is None else _PROGRESS.unpack(raw)


def build_step(chainstate, index: BuildableIndex, seconds: float = STEP_SECONDS) -> int:
    """Index the blocks after the progress height for up to ``seconds`` (a writer command); blocks indexed."""
    if index.progress is None:
        return 0
    deadline = time.monotonic() + seconds
    cache = chainstate.cache
    done = 0
    while index.progress is not None:
        height, hash_rev = index.progress
        entry = chainstate.entry_at(height + 1)
        if entry is None or entry.prev.hash_rev != hash_rev:
            _finish_or_fail(chainstate, index, height, hash_rev)
            break
        layer: StateLayer = {}
        context = BlockContext(chainstate.read_block(entry), entry, None, _read_undo(chainstate, entry))
        connect_modules([index.module], context, layer, [cache.state], cache.store)
        index._record(StateWriter(layer, [cache.state], cache.store), entry.height, entry.hash_rev)
        cache.commit_state(layer)
        done += 1
        if time.monotonic() >= deadline:
            break
    cache.flush_if_needed()
    return done


def _finish_or_fail(chainstate, index: BuildableIndex, height: int, hash_rev: bytes) -> None:
    tip = chainstate.tip
    if height == tip.height and hash_rev == tip.hash_rev:
        layer: StateLayer = {}
        index._finish(StateWriter(layer, [chainstate.cache.state], chainstate.cache.store))
        chainstate.cache.commit_state(layer)
        log.info("The %s is built up to the tip (height %d)", index.name, height)
        return
    raise StorageError(f"The {index.name} build stopped at a block that is not on the active chain (height {height}). Restart with -reindex.")


def _read_undo(chainstate, entry) -> BlockUndo:
    raw = chainstate.read_undo(entry.hash_rev)
    if raw is None:
        raise StorageError(f"The undo data of block {entry.hash_hum} is missing. Restart with -reindex.")
    return BlockUndo.from_bytes(raw)


class IndexBuilder(threading.Thread):
    """Builds the indexes that are not complete, one writer command at a time, logging progress."""

    def __init__(self, chainstate, indexes: list[BuildableIndex], stopping: Callable[[], bool], log_every: float = 10.0) -> None:
        super().__init__(name="indexbuild", daemon=True)
        self.chainstate = chainstate
        self.indexes = [index for index in indexes if not index.ready]
        self.stopping = stopping
        self.log_every = log_every
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for index in self.indexes:
                self._build(index)
        except Exception as exc:  # the chain goes on without the index; the operator sees why in debug.log
            self.error = exc
            log.exception("Building the %s failed", getattr(index, "name", "index"))

    def _build(self, index: BuildableIndex) -> None:
        start_height = index.progress[0]
        started = last_log = time.monotonic()
        log.info("Building the %s from height %d to %d", index.name, start_height + 1, self.chainstate.height)
        while index.progress is not None and not self.stopping():
            self.chainstate.run_command(build_step, self.chainstate, index)
            now = time.monotonic()
            if index.progress is not None and now - last_log >= self.log_every:
                last_log = now
                _log_progress(index, start_height, self.chainstate.height, now - started)


def _log_progress(index: BuildableIndex, start_height: int, tip_height: int, elapsed: float) -> None:
    height = index.progress[0]
    rate = (height - start_height) / elapsed if elapsed > 0 else 0.0
    eta = (tip_height - height) / rate if rate > 0 else float("inf")
    percent = 100.0 * height / tip_height if tip_height > 0 else 100.0
    log.info("Building the %s: height %d of %d (%.1f%%), %.0f blocks/s, ETA %.0f s", index.name, height, tip_height, percent, rate, eta)
