"""The mempool's address and spent indexes (C++ CTxMemPool mapAddress / mapSpent, insightexplorer).

Pool listeners: a transaction entering the pool adds the deltas of its inputs
(minus the spent coin's value) and outputs whose scripts are P2PKH or P2SH, and
a spent record for every input (height -1, as C++); leaving the pool (a block,
a conflict, eviction, expiry) takes them away again.  The spent coins come from
the entry (``MempoolEntry.spent_coins``, what AcceptToMemoryPool looked up).
Each index is attached only when the corresponding chain index is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.address_index import script_address_key
from fluxd.chainstate.spent_index import NO_ADDRESS, SpentInfo
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.pool import Mempool, MempoolEntry

MEMPOOL_SPENT_HEIGHT = -1  # C++ addSpentIndex: CSpentIndexValue(txhash, j, -1, ...)


@dataclass(frozen=True, slots=True)
class MempoolDelta:
    """C++ CMempoolAddressDeltaKey + CMempoolAddressDelta."""

    address_key: bytes  # type ‖ hash160
    txid_rev: bytes
    index: int  # input index when spending, else output index
    spending: bool
    time: int  # when the transaction entered the pool
    satoshis: int
    prev_txid_rev: bytes = bytes(32)  # the spent outpoint (spending deltas only)
    prev_index: int = 0

    def sort_key(self) -> tuple:
        """CMempoolAddressDeltaKeyCompare: type, hash160, txid (internal bytes), index, spending."""
        return (self.address_key, self.txid_rev, self.index, self.spending)


def entry_deltas(entry: MempoolEntry) -> list[MempoolDelta]:
    """addAddressIndex: the inputs' then the outputs' deltas of one pool transaction."""
    tx, txid_rev, time = entry.tx, entry.txid_rev, entry.time
    deltas = []
    for index, (txin, coin) in enumerate(zip(tx.vin, entry.spent_coins)):
        key = script_address_key(coin.script_pubkey)
        if key is not None:
            deltas.append(MempoolDelta(key, txid_rev, index, True, time, -coin.value, txin.prevout.txid_rev, txin.prevout.n))
    for index, output in enumerate(tx.vout):
        key = script_address_key(output.script_pubkey)
        if key is not None:
            deltas.append(MempoolDelta(key, txid_rev, index, False, time, output.value))
    return deltas


class MempoolAddressIndex:
    """mapAddress / mapAddressInserted."""

    def __init__(self, pool: Mempool) -> None:
        self.lock = pool.lock
        self.by_address: dict[bytes, dict[tuple, MempoolDelta]] = {}
        self.inserted: dict[bytes, list[MempoolDelta]] = {}

    def on_pool_event(self, event: str, entry: MempoolEntry) -> None:
        if event == "added":
            self._add(entry)
        elif event == "removed":
            self._remove(entry.txid_rev)

    def _add(self, entry: MempoolEntry) -> None:
        deltas = entry_deltas(entry)
        for delta in deltas:
            self.by_address.setdefault(delta.address_key, {})[delta.sort_key()] = delta
        self.inserted[entry.txid_rev] = deltas

    def _remove(self, txid_rev: bytes) -> None:
        for delta in self.inserted.pop(txid_rev, ()):
            found = self.by_address.get(delta.address_key)
            if found is not None:
                found.pop(delta.sort_key(), None)
                if not found:
                    del self.by_address[delta.address_key]

    def deltas(self, address_key: bytes) -> list[MempoolDelta]:
        """getAddressIndex for one address: its deltas in key order."""
        with self.lock:
            found = self.by_address.get(address_key, {})
            return [found[key] for key in sorted(found)]


class MempoolSpentIndex:
    """mapSpent / mapSpentInserted."""

    def __init__(self, pool: Mempool) -> None:
        self.lock = pool.lock
        self.spent: dict[OutPoint, SpentInfo] = {}
        self.inserted: dict[bytes, list[OutPoint]] = {}

    def on_pool_event(self, event: str, entry: MempoolEntry) -> None:
        if event == "added":
            self._add(entry)
        elif event == "removed":
            for outpoint in self.inserted.pop(entry.txid_rev, ()):
                self.spent.pop(outpoint, None)

    def _add(self, entry: MempoolEntry) -> None:
        outpoints = []
        for index, (txin, coin) in enumerate(zip(entry.tx.vin, entry.spent_coins)):
            address = script_address_key(coin.script_pubkey) or NO_ADDRESS
            self.spent[txin.prevout] = SpentInfo(entry.txid_rev, index, MEMPOOL_SPENT_HEIGHT, coin.value, address)
            outpoints.append(txin.prevout)
        self.inserted[entry.txid_rev] = outpoints

    def spent_info(self, outpoint: OutPoint) -> SpentInfo | None:
        """getSpentIndex."""
        with self.lock:
            return self.spent.get(outpoint)


def attach_insight_indexes(pool: Mempool, address_index: bool, spent_index: bool) -> None:
    """Maintain the pool's address and/or spent index from now on (before any transaction is accepted)."""
    if address_index and pool.address_index is None:
        pool.address_index = MempoolAddressIndex(pool)
        pool.listeners.append(pool.address_index.on_pool_event)
    if spent_index and pool.spent_index is None:
        pool.spent_index = MempoolSpentIndex(pool)
        pool.listeners.append(pool.spent_index.on_pool_event)
