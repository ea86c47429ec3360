"""In-memory KVStore for tests: same ordering and batch semantics as RocksDB."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator

from fluxd.storage.kv import StorageError, WriteBatch


class _Column:
    __slots__ = ("data", "keys")

    def __init__(self, data: dict[bytes, bytes] | None = None) -> None:
        self.data: dict[bytes, bytes] = dict(data or {})
        self.keys: list[bytes] = sorted(self.data)

    def put(self, key: bytes, value: bytes) -> None:
        if key not in self.data:
            bisect.insort(self.keys, key)
        self.data[key] = value

    def delete(self, key: bytes) -> None:
        if key in self.data:
            del self.data[key]
            self.keys.pop(bisect.bisect_left(self.keys, key))

    def iterate(self, start: bytes, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        begin = max(start, prefix)
        for index in range(bisect.bisect_left(self.keys, begin), len(self.keys)):
            key = self.keys[index]
            if prefix and not key.startswith(prefix):
                return
            yield key, self.data[key]


class MemorySnapshot:
    def __init__(self, columns: dict[str, _Column]) -> None:
        self._columns = {name: _Column(column.data) for name, column in columns.items()}

    def get(self, column: str, key: bytes) -> bytes | None:
        return self._columns[column].data.get(key)

    def iterate(self, column: str, start: bytes = b"", prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        return self._columns[column].iterate(start, prefix)


class MemoryStore:
    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = tuple(columns)
        self._columns = {name: _Column() for name in columns}
        self._lock = threading.Lock()
        self._closed = False

    def _column(self, name: str) -> _Column:
        if self._closed:
            raise StorageError("database is closed")
        if name not in self._columns:
            raise StorageError(f"unknown column {name!r}")
        return self._columns[name]

    def get(self, column: str, key: bytes) -> bytes | None:
        return self._column(column).data.get(key)

    def get_many(self, column: str, keys: list[bytes]) -> list[bytes | None]:
        data = self._column(column).data
        return [data.get(key) for key in keys]

    def iterate(self, column: str, start: bytes = b"", prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        return iter(list(self._column(column).iterate(start, prefix)))

    def write(self, batch: WriteBatch, sync: bool = False) -> None:
        for column, _, _ in batch.operations:
            self._column(column)
        with self._lock:
            for column, key, value in batch.operations:
                if value is None:
                    self._columns[column].delete(key)
                else:
                    self._columns[column].put(key, value)

    def snapshot(self) -> MemorySnapshot:
        with self._lock:
            return MemorySnapshot(self._columns)

    def close(self) -> None:
        self._closed = True
