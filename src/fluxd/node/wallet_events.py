"""The wallet's event queue: listeners put, the wallet thread applies, RPCs wait for what was put before them."""

from __future__ import annotations

import threading
from collections import deque


class WalletEventLog:
    def __init__(self) -> None:
        self._items: deque = deque()
        self._cond = threading.Condition()
        self._put = 0
        self._applied = 0
        self._closed = False

    def put(self, item) -> None:
        with self._cond:
            if self._closed:
                return
            self._items.append(item)
            self._put += 1
            self._cond.notify_all()

    def get(self):
        """The next event, or None once closed and drained."""
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            return self._items.popleft() if self._items else None

    def applied(self) -> None:
        with self._cond:
            self._applied += 1
            self._cond.notify_all()

    def wait_applied(self, timeout: float) -> bool:
        with self._cond:
            target = self._put
            return self._cond.wait_for(lambda: self._applied >= target or self._closed, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
