"""Orphan transactions: received before their parents (C++ mapOrphanTransactions, -maxorphantx).

At most ``limit`` orphans of at most 5000 bytes each; when full a random one
is dropped.  ``children_of`` finds the orphans waiting for a transaction.
"""

from __future__ import annotations

import random
import threading

from fluxd.core.transaction import Transaction

DEFAULT_MAX_ORPHAN_TRANSACTIONS = 100
MAX_ORPHAN_TX_SIZE = 5000


class OrphanPool:
    def __init__(self, limit: int = DEFAULT_MAX_ORPHAN_TRANSACTIONS, rng: random.Random | None = None) -> None:
        self.limit = limit
        self.rng = rng or random.Random()
        self.lock = threading.Lock()
        self.orphans: dict[bytes, tuple[Transaction, int]] = {}  # txid -> (tx, peer id)
        self.by_parent: dict[bytes, set[bytes]] = {}

    def __len__(self) -> int:
        return len(self.orphans)

    def __contains__(self, txid_rev: bytes) -> bool:
        return txid_rev in self.orphans

    def add(self, tx: Transaction, peer_id: int) -> bool:
        """AddOrphanTx: False when already known or too big (a send-big-orphans memory attack)."""
        with self.lock:
            txid = tx.txid_rev
            if txid in self.orphans or len(tx.to_bytes()) > MAX_ORPHAN_TX_SIZE:
                return False
            self.orphans[txid] = (tx, peer_id)
            for txin in tx.vin:
                self.by_parent.setdefault(txin.prevout.txid_rev, set()).add(txid)
            while len(self.orphans) > self.limit:
                self._erase(self.rng.choice(list(self.orphans)))
            return True

    def children_of(self, parent_txid_rev: bytes) -> list[tuple[Transaction, int]]:
        with self.lock:
            return [self.orphans[txid] for txid in sorted(self.by_parent.get(parent_txid_rev, ())) if txid in self.orphans]

    def erase(self, txid_rev: bytes) -> None:
        with self.lock:
            self._erase(txid_rev)

    def erase_from_peer(self, peer_id: int) -> None:
        with self.lock:
            for txid in [txid for txid, (_, source) in self.orphans.items() if source == peer_id]:
                self._erase(txid)

    def _erase(self, txid_rev: bytes) -> None:
        found = self.orphans.pop(txid_rev, None)
        if found is None:
            return
        for txin in found[0].vin:
            waiting = self.by_parent.get(txin.prevout.txid_rev)
            if waiting is not None:
                waiting.discard(txid_rev)
                if not waiting:
                    del self.by_parent[txin.prevout.txid_rev]
