"""A settable clock for in-process chainstate tests (callable like the node's ``now``)."""

from __future__ import annotations

START = 1_600_000_000


class FakeClock:
    def __init__(self, time: int = START) -> None:
        self.time = time

    def __call__(self) -> int:
        return self.time
