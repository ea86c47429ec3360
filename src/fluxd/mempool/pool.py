"""The transaction memory pool (C++ txmempool.{h,cpp} CTxMemPool, as Flux has it).

Entries keyed by txid; ``spent_by`` maps every outpoint a pool transaction
spends to its txid (C++ mapNextTx); fluxnode transactions are also indexed by
collateral.  Removal is recursive over in-pool descendants.  All methods take
the pool's lock, so RPC threads, the P2P loop and the chain writer can share it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from fluxd.chainstate.coins import Coin
from fluxd.core.block import Block
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.limit import DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES, CostTracker, RecentList

MEMPOOL_HEIGHT = 0x7FFFFFFF  # the height of coins created by pool transactions (C++)
FLUXNODE_SEEN_EXPIRY = 1800


@dataclass(slots=True)
class MempoolEntry:
    tx: Transaction
    fee: int
    size: int
    time: int
    height: int  # chain height when it entered
    starting_priority: float = 0.0
    in_chain_input_value: int = 0
    modified_size: int = 1
    spends_coinbase: bool = False
    sigops: int = 0
    fee_delta: int = 0
    priority_delta: float = 0.0
    parents: set[bytes] = field(default_factory=set)  # in-pool txids this one spends
    spent_coins: tuple[Coin, ...] = ()  # the coins its inputs spend, as accepted (the insight indexes read them)

    @property
    def txid_rev(self) -> bytes:
        return self.tx.txid_rev

    @property
    def modified_fee(self) -> int:
        return self.fee + self.fee_delta

    def current_priority(self, height: int) -> float:
        """CTxMemPoolEntry::GetPriority: starting priority plus the age of its in-chain inputs."""
        return self.starting_priority + (height - self.height) * self.in_chain_input_value / self.modified_size


class Mempool:
    def __init__(self, cost_limit: CostTracker | None = None, eviction_minutes: int = DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES) -> None:
        self.lock = threading.RLock()
        self.entries: dict[bytes, MempoolEntry] = {}
        self.spent_by: dict[OutPoint, bytes] = {}
        self.by_collateral: dict[OutPoint, bytes] = {}
        self.nullifiers: dict[bytes, bytes] = {}  # Sprout and Sapling nullifiers spent by pool txs (C++ mapSproutNullifiers/mapSaplingNullifiers)
        self.seen_fluxnode: dict[bytes, int] = {}
        self.deltas: dict[bytes, tuple[float, int]] = {}  # prioritisetransaction (priority, fee) deltas
        self.costs = cost_limit or CostTracker()
        self.recently_evicted = RecentList(eviction_minutes * 60)
        self.recently_in_block = RecentList(eviction_minutes * 60 * 3)
        self.total_bytes = 0
        self.transactions_updated = 0  # C++ nTransactionsUpdated (getblocktemplate long polling)
        self.listeners: list = []  # callables (event, entry): "added" / "removed"
        self.address_index = None  # a MempoolAddressIndex with the chain's address index (mempool/insight_index.py)
        self.spent_index = None  # a MempoolSpentIndex with the chain's spent index

    # ----- queries ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, txid_rev: bytes) -> bool:
        return txid_rev in self.entries

    def get(self, txid_rev: bytes) -> MempoolEntry | None:
        return self.entries.get(txid_rev)

    def lookup(self, txid_rev: bytes) -> Transaction | None:
        entry = self.entries.get(txid_rev)
        return entry.tx if entry is not None else None

    def output_coin(self, outpoint: OutPoint) -> Coin | None:
        """An output of a pool transaction, as CCoinsViewMemPool shows it (height MEMPOOL_HEIGHT)."""
        entry = self.entries.get(outpoint.txid_rev)
        if entry is None or outpoint.n >= len(entry.tx.vout):
            return None
        output = entry.tx.vout[outpoint.n]
        return Coin(output.value, output.script_pubkey, MEMPOOL_HEIGHT, False, entry.tx.version)

    def dynamic_usage(self) -> int:
        """An estimate of the pool's memory in bytes (C++ DynamicMemoryUsage counts its own containers)."""
        with self.lock:
            per_entry = sum(240 + entry.size + 48 * len(entry.tx.vin) for entry in self.entries.values())
            return per_entry + 96 * len(self.spent_by)

    def children(self, txid_rev: bytes) -> list[bytes]:
        entry = self.entries.get(txid_rev)
        if entry is None:
            return []
        found = []
        for index in range(len(entry.tx.vout)):
            child = self.spent_by.get(OutPoint(txid_rev, index))
            if child is not None and child not in found:
                found.append(child)
        return found

    def ordered_for_block(self) -> list[MempoolEntry]:
        """Entries by modified fee rate, parents always before children (block assembly, getblocktemplate)."""
        with self.lock:
            ranked = sorted(self.entries.values(), key=lambda entry: (-entry.modified_fee / entry.size, entry.time))
            placed: set[bytes] = set()
            ordered: list[MempoolEntry] = []

            def place(entry: MempoolEntry) -> None:
                if entry.txid_rev in placed:
                    return
                placed.add(entry.txid_rev)
                for parent in sorted(entry.parents):
                    if parent in self.entries:
                        place(self.entries[parent])
                ordered.append(entry)

            for entry in ranked:
                place(entry)
            return ordered

    # ----- changes ------------------------------------------------------------------------------
    def add(self, entry: MempoolEntry, now: int) -> list[MempoolEntry]:
        """addUnchecked, then the size limit; returns the entries evicted to make room."""
        with self.lock:
            txid = entry.txid_rev
            priority_delta, fee_delta = self.deltas.get(txid, (0.0, 0))
            entry.priority_delta, entry.fee_delta = priority_delta, fee_delta
            entry.parents = {txin.prevout.txid_rev for txin in entry.tx.vin if txin.prevout.txid_rev in self.entries}
            self.entries[txid] = entry
            for txin in entry.tx.vin:
                self.spent_by[txin.prevout] = txid
            for nullifier in tx_nullifiers(entry.tx):
                self.nullifiers[nullifier] = txid
            if entry.tx.is_fluxnode_tx():
                self.by_collateral[entry.tx.fluxnode.collateral] = txid
                self.seen_fluxnode[txid] = now
            self.total_bytes += entry.size
            self.costs.add(txid, entry.size, entry.fee)
            self.transactions_updated += 1
            self._notify("added", entry)
            return self._ensure_size_limit(now)

    def _ensure_size_limit(self, now: int) -> list[MempoolEntry]:
        evicted: list[MempoolEntry] = []
        while (victim := self.costs.victim()) is not None:
            self.recently_evicted.add(victim, now)
            evicted.extend(self.remove(victim, recursive=True))
        return evicted

    def remove(self, txid_rev: bytes, recursive: bool = True) -> list[MempoolEntry]:
        """CTxMemPool::remove: the transaction and (recursively) every pool transaction spending it."""
        with self.lock:
            removed: list[MempoolEntry] = []
            pending = [txid_rev]
            while pending:
                txid = pending.pop()
                entry = self.entries.get(txid)
                if entry is None:
                    continue
                if recursive:
                    pending.extend(self.children(txid))
                self._drop(entry)
                removed.append(entry)
            return removed

    def _drop(self, entry: MempoolEntry) -> None:
        txid = entry.txid_rev
        for child in self.children(txid):
            self.entries[child].parents.discard(txid)
        del self.entries[txid]
        for txin in entry.tx.vin:
            if self.spent_by.get(txin.prevout) == txid:
                del self.spent_by[txin.prevout]
        for nullifier in tx_nullifiers(entry.tx):
            if self.nullifiers.get(nullifier) == txid:
                del self.nullifiers[nullifier]
        if entry.tx.is_fluxnode_tx() and self.by_collateral.get(entry.tx.fluxnode.collateral) == txid:
            del self.by_collateral[entry.tx.fluxnode.collateral]
        self.total_bytes -= entry.size
        self.costs.remove(txid)
        self.transactions_updated += 1
        self._notify("removed", entry)

    def remove_conflicts(self, tx: Transaction) -> list[MempoolEntry]:
        """removeConflicts: pool transactions spending what ``tx`` spends, outpoints or nullifiers (and their
        descendants)."""
        with self.lock:
            removed: list[MempoolEntry] = []
            spenders = [self.spent_by.get(txin.prevout) for txin in tx.vin]
            spenders += [self.nullifiers.get(nullifier) for nullifier in tx_nullifiers(tx)]
            for other in spenders:
                if other is not None and other != tx.txid_rev and other in self.entries:
                    removed.extend(self.remove(other, recursive=True))
            if tx.is_fluxnode_tx():
                other = self.by_collateral.get(tx.fluxnode.collateral)
                if other is not None and other != tx.txid_rev:
                    removed.extend(self.remove(other, recursive=True))
            return removed

    def remove_for_block(self, block: Block, height: int, now: int) -> list[MempoolEntry]:
        """removeForBlock + removeExpired: confirmed transactions leave, conflicts and expired ones with them."""
        with self.lock:
            removed: list[MempoolEntry] = []
            for tx in block.transactions:
                if tx.txid_rev in self.entries:
                    removed.extend(self.remove(tx.txid_rev, recursive=False))
                removed.extend(self.remove_conflicts(tx))
                if tx.is_fluxnode_tx():  # C++ remembers only fluxnode transactions as seen in a block
                    self.recently_in_block.add(tx.txid_rev, now)
                self.seen_fluxnode.pop(tx.txid_rev, None)
            for entry in list(self.entries.values()):
                if entry.txid_rev in self.entries and _expired(entry.tx, height):
                    removed.extend(self.remove(entry.txid_rev, recursive=True))
            return removed

    def prioritise(self, txid_rev: bytes, priority_delta: float, fee_delta: int) -> None:
        """PrioritiseTransaction: deltas add up and apply to the entry now or when it arrives."""
        with self.lock:
            old_priority, old_fee = self.deltas.get(txid_rev, (0.0, 0))
            self.deltas[txid_rev] = (old_priority + priority_delta, old_fee + fee_delta)
            entry = self.entries.get(txid_rev)
            if entry is not None:
                entry.priority_delta, entry.fee_delta = self.deltas[txid_rev]
            self.transactions_updated += 1

    def expire_seen_fluxnode(self, now: int) -> list[MempoolEntry]:
        """Seen fluxnode transactions older than 1800 s are forgotten and leave the pool (C++ ATMP tail)."""
        with self.lock:
            removed: list[MempoolEntry] = []
            for txid, seen in list(self.seen_fluxnode.items()):
                if now - seen > FLUXNODE_SEEN_EXPIRY:
                    del self.seen_fluxnode[txid]
                    removed.extend(self.remove(txid, recursive=False))
            return removed

    def clear(self) -> None:
        with self.lock:
            for entry in list(self.entries.values()):
                self._drop(entry)

    def _notify(self, event: str, entry: MempoolEntry) -> None:
        for listener in self.listeners:
            listener(event, entry)


def tx_nullifiers(tx: Transaction) -> list[bytes]:
    """The Sprout (JoinSplit) and Sapling nullifiers a transaction reveals."""
    return [nullifier for joinsplit in tx.joinsplits for nullifier in joinsplit.nullifiers] + [
        spend.nullifier for spend in tx.shielded_spends
    ]


def _expired(tx: Transaction, height: int) -> bool:
    """IsExpiredTx."""
    return bool(tx.expiry_height) and not tx.is_coinbase() and height > tx.expiry_height


def txids(entries: Iterable[MempoolEntry]) -> list[bytes]:
    return [entry.txid_rev for entry in entries]
