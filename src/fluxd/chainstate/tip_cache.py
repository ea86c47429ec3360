"""The state of the active tip kept in memory between flushes (C++ pcoinsTip + setDirtyBlockIndex).

Connected blocks change a multi-block ``CoinsCache`` and leave their undo
record, block-index record and the writes of the state modules here; ``flush`` writes all of it together with
the tip as ONE atomic batch (C++ FlushStateToDisk).  The database therefore
always holds a complete state at some flushed tip; blocks connected after it
are in the block files with index records of their own (written when they
were stored), so the start-up path connects them again after a crash.

``limit_bytes`` is the -dbcache share of the coins cache; 0 flushes after
every block (without syncing).  A flush also happens after
``FLUSH_INTERVAL`` seconds, at shutdown and before anyone takes a snapshot
of the database (``FlushingStore``), so a snapshot reflects the tip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fluxd.chainstate.block_index import BlockIndexEntry, put_entry
from fluxd.chainstate.coins import Coin, CoinsCache, outpoint_from_key, outpoint_key
from fluxd.chainstate.state_columns import StateLayer, StateReader, absorb_layer, layer_size, layer_writes
from fluxd.core.tx_parts import OutPoint
from fluxd.storage.kv import KVReader, KVStore, WriteBatch

log = logging.getLogger("fluxd.chainstate")
TIP_KEY = b"tip"
FLUSH_INTERVAL = 24 * 60 * 60  # seconds, C++ DATABASE_FLUSH_INTERVAL
DEFAULT_DBCACHE_MIB = 450  # nDefaultDbCache
MIN_DBCACHE_MIB, MAX_DBCACHE_MIB = 4, 16384
MAX_BLOCK_TREE_CACHE_MIB = 2  # nMaxBlockDBCache
MAX_BLOCK_TREE_AND_TXINDEX_CACHE_MIB = 1024  # nMaxBlockDBAndTxIndexCache
MAX_COINS_DB_CACHE_MIB = 8  # nMaxCoinsDBCache
ENTRY_RECORD_BYTES = 200  # a pending block index record: the handle, its dict slot and the record written


def coins_cache_bytes(dbcache_mib: int, tree_indexes: bool = True) -> int:
    """The in-memory coins share of -dbcache, split as C++ AppInit2 does (nCoinCacheUsage).

    ``tree_indexes``: -txindex or the insight indexes are on (a larger block-tree share).
    """
    total = min(max(dbcache_mib, MIN_DBCACHE_MIB), MAX_DBCACHE_MIB) << 20
    tree_max = MAX_BLOCK_TREE_AND_TXINDEX_CACHE_MIB if tree_indexes else MAX_BLOCK_TREE_CACHE_MIB
    total -= min(total // 8, tree_max << 20)
    coins_db = min(total // 2, total // 4 + (1 << 23), MAX_COINS_DB_CACHE_MIB << 20)
    return total - coins_db


class TipCache:
    def __init__(
        self,
        store: KVStore,
        limit_bytes: int = 0,
        clock: Callable[[], float] = time.monotonic,
        before_sync: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self._before_sync = before_sync  # makes the block data durable first (the batch refers to it)
        self.limit_bytes = limit_bytes
        self.coins = CoinsCache(self._stored_coin, self._any_stored)
        self._undo: dict[bytes, bytes] = {}
        self._undo_bytes = 0
        self._entries: dict[bytes, BlockIndexEntry] = {}  # hash_rev -> entry whose record the flush writes
        self._created: dict[bytes, tuple[int, int]] = {}  # txid -> (height, outputs) of txs connected since the flush
        self.state: StateLayer = {}  # state modules' writes since the last flush (column -> key -> value or None)
        self._tip: bytes | None = None  # the tip to write at the next flush (None: nothing pending)
        self._clock = clock
        self._last_flush = clock()
        self.flushes = 0

    def _stored_coin(self, outpoint) -> Coin | None:
        data = self.store.get("coins", outpoint_key(outpoint))
        return Coin.from_bytes(data) if data is not None else None

    def _any_stored(self, outpoints: list[OutPoint]) -> bool:
        keys = [outpoint_key(outpoint) for outpoint in outpoints]
        get_many = getattr(self.store, "get_many", None)
        if get_many is not None:
            return any(value is not None for value in get_many("coins", keys))
        return any(self.store.get("coins", key) is not None for key in keys)

    @property
    def memory_usage(self) -> int:
        return (self.coins.memory_usage + self._undo_bytes + ENTRY_RECORD_BYTES * len(self._entries)
                + 200 * layer_size(self.state) + 120 * len(self._created))

    def block_view(self) -> CoinsCache:
        """A scratch cache for one block over the tip's coins (dropped if the block fails)."""
        return self.coins.layered()

    def read_undo(self, hash_rev: bytes) -> bytes | None:
        pending = self._undo.get(hash_rev)
        return pending if pending is not None else self.store.get("undo", hash_rev)

    def state_reader(self, pending: list[StateLayer] = ()) -> StateReader:
        """Module state at the tip (optionally under newer ``pending`` layers, newest first)."""
        return StateReader([*pending, self.state], self.store)

    def commit_state(self, layer: StateLayer) -> None:
        """Take one block's module writes into the next flush.

        A deletion of a key the database does not hold changes nothing there, so it is forgotten rather than
        kept until the flush: range reads would otherwise step over every such deletion since the last flush
        (the fluxnode list deletes and re-adds its ordering keys every block).
        """
        absorb_layer(self.state, layer)
        for column, writes in layer.items():
            deleted = [db_key for db_key, value in writes.items() if value is None]
            if deleted:
                stored = self._stored_values(column.family, deleted)
                layer_writes(self.state, column).discard([key for key, value in zip(deleted, stored) if value is None])

    def _stored_values(self, family: str, keys: list[bytes]) -> list[bytes | None]:
        get_many = getattr(self.store, "get_many", None)
        if get_many is not None:
            return list(get_many(family, keys))
        return [self.store.get(family, key) for key in keys]

    def note_created(self, txid_rev: bytes, height: int, outputs: int, connected: bool) -> None:
        """A transaction whose outputs entered (or, disconnected, left) the coins since the last flush."""
        if connected:
            self._created[txid_rev] = (height, outputs)
        else:
            self._created.pop(txid_rev, None)

    def unspent_output_height(self, txid_rev: bytes) -> int | None:
        """The height of a transaction that has an unspent output at the tip (C++ AccessCoins(txid)), else None."""
        created = self._created.get(txid_rev)
        if created is not None:
            height, outputs = created
            if any(self.coins.peek(OutPoint(txid_rev, index)) is not None for index in range(outputs)):
                return height
        for key, _ in self.store.iterate("coins", prefix=txid_rev):
            coin = self.coins.peek(outpoint_from_key(key))  # the cache knows unflushed spends
            if coin is not None:
                return coin.height
        return None

    def commit(self, view: CoinsCache, tip: BlockIndexEntry, connected: bytes | None = None) -> None:
        """Make ``tip`` the new tip: take the block's coin changes, and its undo record when it was connected."""
        self.coins.absorb(view)
        if connected is not None:
            self._undo[tip.hash_rev] = connected
            self._undo_bytes += len(connected)
            self._entries[tip.hash_rev] = tip
        self._tip = tip.hash_rev

    def flush_if_needed(self) -> bool:
        """FLUSH_STATE_IF_NEEDED / PERIODIC: when the cache is over its limit or the interval has passed."""
        if self._tip is None and not self.state:
            return False
        if self.memory_usage > self.limit_bytes or self._clock() - self._last_flush > FLUSH_INTERVAL:
            self.flush(sync=self.limit_bytes > 0)
            return True
        return False

    def flush(self, sync: bool = True) -> None:
        """Write coins, undo records, index records and the tip as one atomic batch, then empty the cache.

        Module state alone (an index being built while the tip stays) is flushed too, without a tip record.
        """
        if self._tip is None and not self.state:
            return
        batch = WriteBatch()
        for outpoint, coin in self.coins.dirty_items():
            if coin is None:
                batch.delete("coins", outpoint_key(outpoint))
            else:
                batch.put("coins", outpoint_key(outpoint), coin.to_bytes())
        for hash_rev, undo in self._undo.items():
            batch.put("undo", hash_rev, undo)
        for entry in self._entries.values():
            put_entry(batch, entry)
        for column, writes in self.state.items():
            for db_key, value in writes.items():
                if value is None:
                    batch.delete(column.family, db_key)
                else:
                    batch.put(column.family, db_key, value)
        if self._tip is not None:
            batch.put("meta", TIP_KEY, self._tip)
        if sync:
            self._before_sync()
        self.store.write(batch, sync=sync)
        if self.limit_bytes:
            log.debug("Flushed the chainstate: %d writes, tip %s", len(batch), (self._tip or b"")[::-1].hex() or "unchanged")
        self.coins.mark_flushed(keep_clean=False)  # C++ CCoinsViewCache::Flush empties the cache
        self._undo.clear()
        self._undo_bytes = 0
        self._entries.clear()
        self._created.clear()
        self.state = {}
        self._tip = None
        self._last_flush = self._clock()
        self.flushes += 1


class FlushingStore:
    """The chainstate database as readers see it: a snapshot is taken only after a flush (C++ FlushStateToDisk
    before gettxoutsetinfo), so it always reflects the tip.  Everything else is the store itself."""

    def __init__(self, store: KVStore, flush: Callable[[], None]) -> None:
        self._store = store
        self._flush = flush

    @property
    def inner(self) -> KVStore:
        return self._store

    def snapshot(self) -> KVReader:
        self._flush()
        return self._store.snapshot()

    def __getattr__(self, name: str):
        return getattr(self._store, name)
