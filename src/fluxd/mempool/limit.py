"""Mempool size limit by ZIP 401 cost, random eviction weighted by cost (C++ mempool_limit.{h,cpp}).

Each transaction costs max(size, 4000); its eviction weight adds 16000 when
it pays less than 10000 zatoshi.  While the total cost is above the limit a
transaction is dropped at random with probability proportional to its
weight, and remembered as recently evicted for a while.
"""

from __future__ import annotations

import random
from collections import OrderedDict

DEFAULT_MEMPOOL_TOTAL_COST_LIMIT = 80_000_000
DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES = 60
EVICTION_MEMORY_ENTRIES = 40_000
MIN_TX_COST = 4000
LOW_FEE_PENALTY = 16_000
LOW_FEE_THRESHOLD = 10_000


def tx_cost(size: int) -> int:
    return max(size, MIN_TX_COST)


def eviction_weight(size: int, fee: int) -> int:
    return tx_cost(size) + (LOW_FEE_PENALTY if fee < LOW_FEE_THRESHOLD else 0)


class RecentList:
    """RecentlyEvictedList: txids remembered for ``seconds``, at most ``capacity`` of them."""

    def __init__(self, seconds: int, capacity: int = EVICTION_MEMORY_ENTRIES) -> None:
        self.seconds = seconds
        self.capacity = capacity
        self._added: OrderedDict[bytes, int] = OrderedDict()

    def _prune(self, now: int) -> None:
        while self._added and (len(self._added) > self.capacity or next(iter(self._added.values())) + self.seconds <= now):
            self._added.popitem(last=False)

    def add(self, txid_rev: bytes, now: int) -> None:
        self._added.pop(txid_rev, None)
        self._added[txid_rev] = now
        self._prune(now)

    def contains(self, txid_rev: bytes, now: int) -> bool:
        self._prune(now)
        return txid_rev in self._added

    def clear(self) -> None:
        self._added.clear()


class CostTracker:
    """WeightedTxTree: total cost and weighted random choice of a victim."""

    def __init__(self, limit: int = DEFAULT_MEMPOOL_TOTAL_COST_LIMIT, rng: random.Random | None = None) -> None:
        self.limit = limit
        self.rng = rng or random.Random()
        self._weights: dict[bytes, tuple[int, int]] = {}
        self.total_cost = 0

    def add(self, txid_rev: bytes, size: int, fee: int) -> None:
        if txid_rev in self._weights:
            return
        weights = (tx_cost(size), eviction_weight(size, fee))
        self._weights[txid_rev] = weights
        self.total_cost += weights[0]

    def remove(self, txid_rev: bytes) -> None:
        weights = self._weights.pop(txid_rev, None)
        if weights is not None:
            self.total_cost -= weights[0]

    def victim(self) -> bytes | None:
        """maybeDropRandom: a txid to drop while over the limit, else None."""
        if self.total_cost <= self.limit or not self._weights:
            return None
        txids = list(self._weights)
        return self.rng.choices(txids, weights=[self._weights[txid][1] for txid in txids])[0]
