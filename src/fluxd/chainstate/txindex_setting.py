"""-txindex is fixed when the database is created (C++ pblocktree WriteFlag/ReadFlag("txindex")).

Databases written before the flag existed always kept a transaction index, so a
missing flag reads as "on".
"""

from __future__ import annotations

from fluxd.storage.kv import KVStore, WriteBatch

FLAG_KEY = b"txindex"
MISMATCH_TEXT = "You need to rebuild the database using -reindex to change -txindex"


class TxIndexMismatch(Exception):
    pass


def stored_txindex_setting(store: KVStore) -> bool:
    value = store.get("meta", FLAG_KEY)
    return value is None or value != b"\x00"


def check_txindex_setting(store: KVStore, enabled: bool, fresh: bool, reindex: bool) -> None:
    """C++ init: a changed -txindex needs -reindex (a new or reindexed database takes the setting)."""
    if not (fresh or reindex) and stored_txindex_setting(store) != enabled:
        raise TxIndexMismatch(MISMATCH_TEXT)


def store_txindex_setting(store: KVStore, enabled: bool) -> None:
    if store.get("meta", FLAG_KEY) == (b"\x01" if enabled else b"\x00"):
        return
    batch = WriteBatch()
    batch.put("meta", FLAG_KEY, b"\x01" if enabled else b"\x00")
    store.write(batch)
