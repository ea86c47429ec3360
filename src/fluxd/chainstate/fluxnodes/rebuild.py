"""Rebuild the fluxnode list from the active chain's blocks (C++ rpc rebuildfluxnodedb).

``rebuild_fluxnode_list(chainstate)`` is one chain-writer command: it replays
every block of the active chain from height 1 through the list module into a
fresh, empty state, then replaces the stored list and the module's per-block
undo records with what the replay produced, in one layer taken into the tip
cache and flushed as one batch (nothing else sees a half-rebuilt list).

The replay needs, per block, the coins as that block left them — but only for
the collaterals the block's fluxnode transactions name, and for the coins the
block spent (its stored undo record).  A collateral is looked up at the tip
(an unspent coin) or through ``find_transaction`` (-txindex) when it was spent
later; a collateral spent by an earlier block is gone.  On an active chain
(validated once) a collateral is never named after its spend, so tracking the
spends of the collaterals named so far is enough.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator

from fluxd.chainstate.coins import Coin
from fluxd.chainstate.fluxnodes.columns import ALL_COLUMNS
from fluxd.chainstate.modules import UNDO_COLUMN, BlockContext, undo_key
from fluxd.chainstate.state_columns import StateLayer, StateReader, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.core.tx_parts import OutPoint

log = logging.getLogger("fluxd.chainstate")


class RebuildError(Exception):
    """The list cannot be rebuilt (no list module, a block or its undo data missing, a collateral not found)."""


class _SortedStore:
    """A KVReader over sorted in-memory columns, iterated lazily (the next payee reads one key of its tier)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, bytes], bytes] = {}
        self.keys: dict[str, list[bytes]] = {}

    def get(self, family: str, key: bytes) -> bytes | None:
        return self.data.get((family, key))

    def iterate(self, family: str, start: bytes = b"", prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        keys = self.keys.get(family, [])
        index = bisect.bisect_left(keys, max(start, prefix))
        while index < len(keys):
            key = keys[index]
            if prefix and not key.startswith(prefix):
                return
            yield key, self.data[(family, key)]
            index += 1

    def apply(self, layer: StateLayer) -> None:
        for column, writes in layer.items():
            keys = self.keys.setdefault(column.family, [])
            for db_key, value in writes.items():
                known = (column.family, db_key) in self.data
                if value is None:
                    if known:
                        del self.data[(column.family, db_key)]
                        keys.pop(bisect.bisect_left(keys, db_key))
                else:
                    if not known:
                        bisect.insort(keys, db_key)
                    self.data[(column.family, db_key)] = value


class _ReplayCoins:
    """The collateral coins as the block being replayed leaves them."""

    def __init__(self, chainstate) -> None:
        self.chainstate = chainstate
        self.height = 0
        self.named: set[OutPoint] = set()  # collaterals some fluxnode tx named so far
        self.spent: set[OutPoint] = set()  # ... and spent by a block replayed so far (this one included)
        self._found: dict[OutPoint, Coin | None] = {}

    def enter(self, block, height: int) -> None:
        self.height = height
        for tx in block.transactions:
            if tx.is_fluxnode_tx():
                self.named.add(tx.fluxnode.collateral)
        for tx in block.transactions[1:]:
            if not tx.is_fluxnode_tx():
                self.spent.update(txin.prevout for txin in tx.vin if txin.prevout in self.named)

    def get_coin(self, outpoint: OutPoint) -> Coin | None:
        if outpoint in self.spent:
            return None
        if outpoint not in self._found:
            self._found[outpoint] = self._lookup(outpoint)
        coin = self._found[outpoint]
        return coin if coin is not None and coin.height <= self.height else None

    def _lookup(self, outpoint: OutPoint) -> Coin | None:
        coin = self.chainstate.get_coin(outpoint)
        if coin is not None:
            return coin
        found = self.chainstate.find_transaction(outpoint.txid_rev)
        if found is None:
            raise RebuildError(f"Failed to find tx: {outpoint.txid_hum}:{outpoint.n} (rebuilding needs -txindex)")
        tx, entry = found
        if outpoint.n >= len(tx.vout):
            raise RebuildError(f"Failed to find tx: {outpoint.txid_hum}:{outpoint.n}")
        out = tx.vout[outpoint.n]
        return Coin(out.value, out.script_pubkey, entry.height, tx.is_coinbase(), tx.version)


def replay_fluxnode_list(chainstate, module) -> tuple[_SortedStore, dict[bytes, bytes]]:
    """The list state replayed from height 1 to the tip, and each block's module undo record by block hash."""
    fresh = _SortedStore()
    coins = _ReplayCoins(chainstate)
    undo_records: dict[bytes, bytes] = {}
    chain = chainstate.active
    for height in range(1, chain.height + 1):
        entry = chain[height]
        block = chainstate.read_block(entry)
        undo_bytes = chainstate.read_undo(entry.hash_rev)
        if undo_bytes is None:
            raise RebuildError(f"Undo data for block {entry.hash_hum} is missing")
        coins.enter(block, height)
        layer: StateLayer = {}
        undo_records[entry.hash_rev] = module.connect_block(
            BlockContext(block, entry, coins, BlockUndo.from_bytes(undo_bytes)), StateWriter(layer, [], fresh)
        )
        fresh.apply(layer)
        if height % 10_000 == 0:
            log.info("Fluxnode blocks %d / %d (%d percent)", height, chain.height, height * 100 // chain.height)
    return fresh, undo_records


def replacement_layer(current: StateReader, fresh: _SortedStore, module, undo_records: dict[bytes, bytes]) -> StateLayer:
    """The writes that turn the current list and undo records into the replayed ones (nothing for equal keys)."""
    layer: StateLayer = {}
    replayed = StateReader([], fresh)
    for column in ALL_COLUMNS:
        old = dict(current.iterate_raw(column))
        new = dict(replayed.iterate_raw(column))
        writes = {key: value for key, value in new.items() if old.get(key) != value}
        writes.update({key: None for key in old if key not in new})
        if writes:
            layer[column] = writes
    undo_writes = {}
    for hash_rev, record in undo_records.items():
        db_key = UNDO_COLUMN.db_key(undo_key(module, hash_rev))
        if current.get_raw(UNDO_COLUMN, db_key) != record:
            undo_writes[db_key] = record
    if undo_writes:
        layer[UNDO_COLUMN] = undo_writes
    return layer


def rebuild_fluxnode_list(chainstate) -> int:
    """Replay and replace (call through ``chainstate.run_command``); returns how many keys changed."""
    module = chainstate.module("fluxnodes")
    if module is None:
        raise RebuildError("This node keeps no fluxnode list")
    with chainstate.lock:
        chainstate.settle()  # no block pending: the tip's state is the whole state
        fresh, undo_records = replay_fluxnode_list(chainstate, type(module)(module.params))  # logs no ZMQ changes
        layer = replacement_layer(chainstate.cache.state_reader(), fresh, module, undo_records)
        chainstate.cache.commit_state(layer)
        chainstate.flush()
    changed = sum(len(writes) for writes in layer.values())
    log.info("Rebuilt the fluxnode list to height %d: %d keys changed", chainstate.height, changed)
    return changed


__all__ = ["RebuildError", "rebuild_fluxnode_list", "replay_fluxnode_list"]
