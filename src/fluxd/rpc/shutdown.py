"""The node's stop request: made from any thread (signals, RPC ``stop``, fatal errors), awaited by the main loop."""

from __future__ import annotations

import asyncio
import threading


class ShutdownRequest:
    def __init__(self) -> None:
        self._requested = threading.Event()
        self._lock = threading.Lock()
        self._reason = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the main loop (from that loop); a request made earlier is kept."""
        with self._lock:
            self._loop, self._wake = loop, asyncio.Event()
            if self._requested.is_set():
                self._wake.set()

    def request(self, reason: str) -> None:
        """Thread-safe; the first reason given is the one logged."""
        with self._lock:
            self._reason = self._reason or reason
            self._requested.set()
            loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    @property
    def requested(self) -> bool:
        return self._requested.is_set()

    @property
    def reason(self) -> str:
        with self._lock:
            return self._reason

    async def wait(self) -> None:
        """Until a request arrives (only on the bound loop)."""
        assert self._wake is not None, "bind() first"
        await self._wake.wait()
