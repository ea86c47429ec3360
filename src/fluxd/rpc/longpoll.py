"""getblocktemplate long polling (C++ rpc/mining.cpp, cvBlockChange).

A request carrying a ``longpollid`` waits until the tip is no longer the
block it names or, once a minute has passed (then every 10 seconds), the
mempool's transaction counter differs from the one it names.  The wait runs
on the RPC handler's own pool thread and holds no chainstate lock; chain
tip changes wake it through the node context's ``tip_signal`` (the
chainstate's last listener), and a shutdown ends it within a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fluxd.rpc.errors import RPC_CLIENT_NOT_CONNECTED, RPC_MISC_ERROR, RPCError
from fluxd.rpc.params import uint256_from_text

FIRST_MEMPOOL_CHECK = 60  # seconds before a changed mempool ends the wait
LATER_MEMPOOL_CHECKS = 10
WAKE_INTERVAL = 1.0  # how often a waiter looks at the shutdown flag


class TipSignal:
    """A condition notified on every block connected or disconnected (C++ cvBlockChange)."""

    def __init__(self) -> None:
        self.condition = threading.Condition()

    def __call__(self, event, entry, block) -> None:
        with self.condition:
            self.condition.notify_all()


def parse_longpollid(value, tip_hash_rev: bytes, updated_last: int) -> tuple[bytes, int]:
    """``<tip hash hex><transactions updated>``; a non-string id watches the current tip and counter (C++)."""
    if not isinstance(value, str):
        return tip_hash_rev, updated_last
    if len(value) < 64:  # std::string::substr(64) throws out_of_range
        raise RPCError(RPC_MISC_ERROR, f"basic_string::substr: __pos (which is 64) > this->size() (which is {len(value)})")
    return uint256_from_text(value[:64]), _atoi64(value[64:])


def _atoi64(text: str) -> int:
    """atoi64 (strtoll): optional spaces and sign, then leading digits; anything else gives 0."""
    text = text.lstrip(" \t\n\r\f\v")
    sign = -1 if text[:1] == "-" else 1
    if text[:1] in "+-":
        text = text[1:]
    digits = ""
    for char in text:
        if not char.isdigit():
            break
        digits += char
    return sign * int(digits) if digits else 0


def wait_for_change(
    node,
    watched_rev: bytes,
    updated_last: int,
    transactions_updated: Callable[[], int],
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Block this thread until the tip moves off ``watched_rev`` or the mempool changed after a minute."""
    signal = node.tip_signal
    check_at = monotonic() + FIRST_MEMPOOL_CHECK
    with signal.condition:
        while node.chainstate.tip.hash_rev == watched_rev and not node.shutdown_requested:
            remaining = check_at - monotonic()
            if remaining <= 0:
                if transactions_updated() != updated_last:
                    break
                check_at += LATER_MEMPOOL_CHECKS
                continue
            signal.condition.wait(min(remaining, WAKE_INTERVAL))
    if node.shutdown_requested:
        raise RPCError(RPC_CLIENT_NOT_CONNECTED, "Shutting down")
