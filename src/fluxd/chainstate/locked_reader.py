"""Module state read from outside the chain writer: each read takes the chainstate lock, so it sees one tip."""

from __future__ import annotations

import threading

from fluxd.chainstate.state_columns import StateReader


class LockedStateReader(StateReader):
    """Module state for readers outside the writer: each read sees one moment of the tip (the lock is held for it)."""

    def __init__(self, inner: StateReader, lock: threading.RLock) -> None:
        self._inner = inner
        self._lock = lock

    def get_raw(self, column, db_key):
        with self._lock:
            return self._inner.get_raw(column, db_key)

    def iterate_raw(self, column, prefix: bytes = b"", start: bytes = b""):
        with self._lock:
            return iter(list(self._inner.iterate_raw(column, prefix, start)))

    def get_many_raw(self, column, db_keys):
        with self._lock:
            return self._inner.get_many_raw(column, db_keys)
