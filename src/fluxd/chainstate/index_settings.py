"""Which optional indexes a database holds, and what changes when an option is switched.

C++ fixes -insightexplorer (and -txindex) when the database is created and asks
for -reindex to change them.  Here an index switched on for an existing chain
is built from the stored blocks (``index_build``), and one switched off has its
records dropped at start-up; the chain itself is untouched either way.

The setting of each index is a flag record written when it is switched on; a
chain that already has blocks also gets a progress record at the genesis block,
from which the builder starts.
"""

from __future__ import annotations

import logging

from fluxd.chainstate.index_build import BuildableIndex, encode_progress, progress_column, read_progress
from fluxd.chainstate.modules import StateModule
from fluxd.storage.kv import KVStore, WriteBatch

log = logging.getLogger(__name__)
DROP_BATCH_KEYS = 50_000
INDEX_OPTIONS = {"addressindex": "-addressindex", "spentindex": "-spentindex", "timestampindex": "-timestampindex"}  # each alone


def flag_location(name: str) -> tuple[str, bytes]:
    if name == "timestampindex":
        return "timestamp", b"enabled"  # where the timestamp index always kept its flag
    return "meta", b"index/" + name.encode()


def open_buildable(store: KVStore, module: StateModule, enabled: bool, chain_exists: bool, genesis_hash_rev: bytes) -> BuildableIndex | None:
    """The index to register (None when off); switching it on or off updates the database first."""
    family, flag_key = flag_location(module.name)
    flagged = store.get(family, flag_key) is not None
    if not enabled:
        if flagged:
            drop_index(store, module)
        return None
    if not flagged:
        batch = WriteBatch()
        batch.put(family, flag_key, b"\x01")
        if chain_exists:
            column = progress_column(module.name)
            batch.put(column.family, column.db_key(b""), encode_progress(0, genesis_hash_rev))
            log.info("The %s is switched on for an existing chain: it is built from the stored blocks", module.name)
        store.write(batch, sync=True)
    return BuildableIndex(module, read_progress(store, module.name))


def optional_modules() -> list[StateModule]:
    """The optional index modules, in registration order."""
    from fluxd.chainstate.address_index import AddressIndex
    from fluxd.chainstate.spent_index import SpentIndex
    from fluxd.chainstate.timestamp_index import TimestampIndex

    return [AddressIndex(), SpentIndex(), TimestampIndex()]


def stored_indexes(store: KVStore) -> list[BuildableIndex]:
    """The optional indexes a database holds, as it left them (read-only: nothing is written)."""
    found = []
    for module in optional_modules():
        family, flag_key = flag_location(module.name)
        if store.get(family, flag_key) is not None:
            found.append(BuildableIndex(module, read_progress(store, module.name)))
    return found


def drop_index(store: KVStore, module: StateModule) -> int:
    """Erase every record of ``module``, its progress and its flag (switched off); the number of records erased."""
    log.info("The %s is switched off: dropping its records", module.name)
    erased = 0
    for column in (*module.columns, progress_column(module.name)):
        while True:
            keys = [key for key, _ in _first(store.iterate(column.family, prefix=column.prefix), DROP_BATCH_KEYS)]
            if not keys:
                break
            batch = WriteBatch()
            for key in keys:
                batch.delete(column.family, key)
            store.write(batch)
            erased += len(keys)
    family, flag_key = flag_location(module.name)
    batch = WriteBatch()
    batch.delete(family, flag_key)
    store.write(batch, sync=True)
    log.info("The %s is dropped (%d records)", module.name, erased)
    return erased


def _first(pairs, count: int) -> list:
    found = []
    for pair in pairs:
        found.append(pair)
        if len(found) >= count:
            break
    return found
