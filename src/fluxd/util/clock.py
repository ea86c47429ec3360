"""Node time with the C++ mock-time override (GetTime / SetMockTime)."""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._mock = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        """GetTime(): the mock time when set, else the system time in seconds."""
        with self._lock:
            mock = self._mock
        return mock if mock else int(time.time())

    def set_mock(self, timestamp: int) -> None:
        with self._lock:
            self._mock = timestamp

    @property
    def mock(self) -> int:
        with self._lock:
            return self._mock

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()
