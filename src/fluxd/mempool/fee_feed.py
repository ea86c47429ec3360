"""Feeds the fee estimator from the pool the way C++ CTxMemPool does.

- ``addUnchecked`` -> processTransaction: on the pool's "added" event, with
  "clear at entry" = none of its inputs was a pool transaction (C++
  hadNoDependencies, remembered per txid because the pool forgets parents).
- ``remove`` -> removeTx: on every "removed" event.
- ``removeForBlock`` -> processBlock: ``block_confirmed`` reads the block's pool
  entries *before* the pool drops them (fluxnode transactions by collateral, as
  C++).  C++ removes the confirmed transactions and their conflicts before
  processBlock, and expired transactions (removeExpired) and a fluxnode entry
  with the block's collateral but another txid after it; the removals the
  pool makes meanwhile are replayed in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fluxd.core.block import Block
from fluxd.core.transaction import Transaction
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.mempool.pool import Mempool, MempoolEntry


def _value_out(tx: Transaction) -> int:
    """CTransaction::GetValueOut (transparent outputs, JoinSplit vpub_old, negative Sapling value balance)."""
    return sum(out.value for out in tx.vout) + sum(js.vpub_old for js in tx.joinsplits) + max(0, -tx.value_balance)


@dataclass(frozen=True, slots=True)
class EstimatorEntry:
    """A pool entry as the estimator sees it (C++ CTxMemPoolEntry fields it reads)."""

    txid_rev: bytes
    height: int
    fee: int
    size: int
    clear_at_entry: bool
    starting_priority: float
    value_in: int  # C++ GetPriority uses GetValueOut() + nFee
    modified_size: int

    @classmethod
    def of(cls, entry: MempoolEntry, clear_at_entry: bool) -> "EstimatorEntry":
        value_in = _value_out(entry.tx) + entry.fee
        return cls(entry.txid_rev, entry.height, entry.fee, entry.size, clear_at_entry, entry.starting_priority, value_in, entry.modified_size)

    def priority(self, height: int) -> float:
        """CTxMemPoolEntry::GetPriority, in C++ double order."""
        return self.starting_priority + float(height - self.height) * self.value_in / self.modified_size


class FeeEstimatorFeed:
    def __init__(self, estimator: BlockPolicyEstimator, pool: Mempool, is_current: Callable[[], bool]) -> None:
        self.estimator = estimator
        self.pool = pool
        self.is_current = is_current  # C++ !IsInitialBlockDownload()
        self.clear_at_entry: set[bytes] = set()
        self._early_removals: set[bytes] | None = None  # while a block is being removed from the pool
        self._late_removals: list[bytes] = []
        pool.listeners.append(self.on_pool_event)

    def on_pool_event(self, event: str, entry: MempoolEntry) -> None:
        txid = entry.txid_rev
        if event == "added":
            clear = not entry.parents
            if clear:
                self.clear_at_entry.add(txid)
            self.estimator.process_transaction(EstimatorEntry.of(entry, clear), self.is_current())
        elif event == "removed":
            self.clear_at_entry.discard(txid)
            if self._early_removals is not None and txid not in self._early_removals:
                self._late_removals.append(txid)
            else:
                self.estimator.remove_tx(txid)

    # ----- block connect ---------------------------------------------------------------------
    def block_confirmed(self, block: Block) -> list[EstimatorEntry]:
        """Before remove_for_block: the block's pool entries; removals until ``block_connected`` are ordered as C++."""
        with self.pool.lock:
            confirmed = [self._as_estimator_entry(entry) for entry in self._block_entries(block)]
            self._early_removals = self._removed_before_process_block(block)
            self._late_removals = []
            return confirmed

    def block_connected(self, height: int, confirmed: list[EstimatorEntry]) -> None:
        """After remove_for_block: processBlock, then the removals C++ makes after it."""
        late, self._late_removals, self._early_removals = self._late_removals, [], None
        self.estimator.process_block(height, confirmed, self.is_current())
        for txid in late:
            self.estimator.remove_tx(txid)

    def _as_estimator_entry(self, entry: MempoolEntry) -> EstimatorEntry:
        return EstimatorEntry.of(entry, entry.txid_rev in self.clear_at_entry)

    def _block_entries(self, block: Block) -> list[MempoolEntry]:
        entries = []
        for tx in block.transactions:
            if tx.is_fluxnode_tx():
                txid = self.pool.by_collateral.get(tx.fluxnode.collateral)
            else:
                txid = tx.txid_rev
            entry = self.pool.get(txid) if txid is not None else None
            if entry is not None:
                entries.append(entry)
        return entries

    def _removed_before_process_block(self, block: Block) -> set[bytes]:
        """The block's own transactions and the pool transactions spending their inputs, with descendants."""
        early: set[bytes] = set()
        for tx in block.transactions:
            early.add(tx.txid_rev)
            for txin in tx.vin:
                other = self.pool.spent_by.get(txin.prevout)
                if other is not None and other != tx.txid_rev:
                    self._add_with_descendants(other, early)
        return early

    def _add_with_descendants(self, txid: bytes, found: set[bytes]) -> None:
        pending = [txid]
        while pending:
            current = pending.pop()
            if current in found:
                continue
            found.add(current)
            pending.extend(self.pool.children(current))
