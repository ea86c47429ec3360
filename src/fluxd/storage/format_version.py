"""The stored database format version, checked when a database is opened."""

from __future__ import annotations

from fluxd.storage.kv import KVStore, StorageError, WriteBatch

META_COLUMN = "meta"
VERSION_KEY = b"format_version"


def check_format_version(store: KVStore, expected: int, name: str) -> None:
    """Write the version into a new (empty) database; refuse a database of another version."""
    stored = store.get(META_COLUMN, VERSION_KEY)
    if stored is None:
        if any(next(store.iterate(column), None) is not None for column in store.columns):
            raise StorageError(
                f"The {name} database has no format version (it was not written by this fluxd). "
                "Restart with -reindex to rebuild it."
            )
        batch = WriteBatch()
        batch.put(META_COLUMN, VERSION_KEY, expected.to_bytes(4, "little"))
        store.write(batch, sync=True)
        return
    version = int.from_bytes(stored, "little")
    if version != expected:
        raise StorageError(
            f"The {name} database has format version {version}, this fluxd uses version {expected}. "
            "Restart with -reindex to rebuild it."
        )
