"""Rate limit for free (below the relay fee) transactions from peers (C++ ATMP's csFreeLimiter, -limitfreerelay)."""

from __future__ import annotations

import threading

DEFAULT_LIMIT_FREE_RELAY = 500  # thousand bytes per minute


class FreeRelayLimiter:
    """An exponentially decaying ~10-minute byte count; refuse once it reaches limit x 10 x 1000."""

    def __init__(self, limit_kb_per_minute: int = DEFAULT_LIMIT_FREE_RELAY) -> None:
        self.threshold = limit_kb_per_minute * 10 * 1000
        self._count = 0.0
        self._last = 0
        self._lock = threading.Lock()

    def admit(self, size: int, now: int) -> bool:
        with self._lock:
            self._count *= (1.0 - 1.0 / 600.0) ** max(0, now - self._last)
            self._last = now
            if self._count >= self.threshold:
                return False
            self._count += size
            return True
