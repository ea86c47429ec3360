"""The ordered key-value interface every database of the node goes through.

Named columns of byte keys and byte values, atomic write batches, range and
prefix iteration in key order, and read snapshots.  Backends:
``MemoryStore`` (tests) and ``RocksStore`` (rocksdict, one column family per
column).  Only whole batches are written, so a crash leaves either all or none
of a batch on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


class StorageError(Exception):
    """The database cannot be opened or used (message is shown to the operator)."""


@dataclass
class WriteBatch:
    """Puts and deletes applied together by ``KVStore.write``; later operations win."""

    operations: list[tuple[str, bytes, bytes | None]] = field(default_factory=list)

    def put(self, column: str, key: bytes, value: bytes) -> None:
        self.operations.append((column, bytes(key), bytes(value)))

    def delete(self, column: str, key: bytes) -> None:
        self.operations.append((column, bytes(key), None))

    def __len__(self) -> int:
        return len(self.operations)


class KVReader(Protocol):
    def get(self, column: str, key: bytes) -> bytes | None: ...

    def iterate(self, column: str, start: bytes = b"", prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]: ...


class KVStore(KVReader, Protocol):
    columns: tuple[str, ...]

    def write(self, batch: WriteBatch, sync: bool = False) -> None: ...

    def snapshot(self) -> KVReader: ...

    def close(self) -> None: ...


def prefix_end(prefix: bytes) -> bytes | None:
    """The first key after every key starting with ``prefix`` (None: no upper bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])
