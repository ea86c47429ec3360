"""The datadir lock (C++ .lock via boost interprocess file_lock): one fluxd per data directory."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DatadirLocked(Exception):
    pass


class DatadirLock:
    def __init__(self, directory: Path) -> None:
        self.path = directory / ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DatadirLocked(
                f"Cannot obtain a lock on data directory {self.path.parent}. Flux Daemon is probably already running."
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
