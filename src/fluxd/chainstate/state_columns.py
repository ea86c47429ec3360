"""Typed columns of chain state and the layered key/value overlays they are read and written through.

A ``Column`` names a key range of the database (a column family and a key
prefix) together with the codecs of its keys and values, declared once.
State that moves with blocks lives in ``StateLayer`` overlays (one per block,
one in the tip cache for everything since the last flush) stacked over the
database; ``StateReader`` reads and iterates through the stack (the upper
layer wins, a ``None`` value is a deletion), ``StateWriter`` writes into the
top layer.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fluxd.storage.kv import KVReader


@dataclass(frozen=True, slots=True)
class Codec:
    """How one kind of key or value is turned into bytes and back."""

    name: str
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]


def _raw(data: bytes) -> bytes:
    return bytes(data)


BYTES = Codec("bytes", _raw, _raw)


def fixed_bytes(size: int) -> Codec:
    def encode(value: bytes) -> bytes:
        if len(value) != size:
            raise ValueError(f"expected {size} bytes, got {len(value)}")
        return bytes(value)

    return Codec(f"bytes{size}", encode, _raw)


def unsigned(size: int, byteorder: str) -> Codec:
    """A fixed-width unsigned integer (big-endian keys sort by value)."""
    return Codec(
        f"u{size * 8}{'be' if byteorder == 'big' else 'le'}",
        lambda value: int(value).to_bytes(size, byteorder),
        lambda data: int.from_bytes(data, byteorder),
    )


@dataclass(frozen=True, slots=True)
class Column:
    """A typed key range: ``family`` is the database column, ``prefix`` the start of every key in it."""

    name: str
    family: str
    prefix: bytes
    key: Codec = BYTES
    value: Codec = BYTES

    def db_key(self, key: Any) -> bytes:
        return self.prefix + self.key.encode(key)


StateLayer = dict  # dict[Column, dict[bytes, bytes | None]]: encoded key -> encoded value, None = deleted


def layer_writes(layer: StateLayer, column: Column) -> dict[bytes, bytes | None]:
    writes = layer.get(column)
    if writes is None:
        writes = layer[column] = {}
    return writes


def absorb_layer(target: StateLayer, source: StateLayer) -> None:
    """Take every write of ``source`` into ``target`` (source is newer)."""
    for column, writes in source.items():
        layer_writes(target, column).update(writes)


def layer_size(layer: StateLayer) -> int:
    return sum(len(writes) for writes in layer.values())


class StateReader:
    """Reads through ``layers`` (newest first) and then the database."""

    def __init__(self, layers: list[StateLayer], store: KVReader) -> None:
        self._layers = layers
        self._store = store

    def get_raw(self, column: Column, db_key: bytes) -> bytes | None:
        for layer in self._layers:
            writes = layer.get(column)
            if writes is not None and db_key in writes:
                return writes[db_key]
        return self._store.get(column.family, db_key)

    def get(self, column: Column, key: Any) -> Any:
        raw = self.get_raw(column, column.db_key(key))
        return None if raw is None else column.value.decode(raw)

    def iterate(self, column: Column, prefix: bytes = b"", start: bytes = b"") -> Iterator[tuple[Any, Any]]:
        """(key, value) in key order for keys whose encoding starts with ``prefix`` and is >= ``start``."""
        for db_key, raw in self.iterate_raw(column, prefix, start):
            yield column.key.decode(db_key[len(column.prefix) :]), column.value.decode(raw)

    def iterate_raw(self, column: Column, prefix: bytes = b"", start: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        full_prefix = column.prefix + prefix
        low = max(full_prefix, column.prefix + start)
        overlay: dict[bytes, bytes | None] = {}
        for layer in reversed(self._layers):  # oldest first: newer layers overwrite
            for db_key, raw in layer.get(column, {}).items():
                if db_key >= low and db_key.startswith(full_prefix):
                    overlay[db_key] = raw
        stored = ((db_key, raw) for db_key, raw in self._store.iterate(column.family, start=low, prefix=full_prefix)
                  if db_key not in overlay)  # fmt: skip
        merged = heapq.merge(sorted(overlay.items()), stored)
        for db_key, raw in merged:
            if raw is not None:
                yield db_key, raw


class StateWriter(StateReader):
    """A reader whose writes go into ``top`` (the first layer it reads)."""

    def __init__(self, top: StateLayer, below: list[StateLayer], store: KVReader) -> None:
        super().__init__([top, *below], store)
        self.top = top

    def put(self, column: Column, key: Any, value: Any) -> None:
        writes = self.top.get(column)
        if writes is None:
            writes = self.top[column] = {}
        writes[column.prefix + column.key.encode(key)] = column.value.encode(value)

    def put_many(self, column: Column, items) -> None:
        """``put`` for every (key, value) of ``items`` (one lookup of the column's writes)."""
        writes = layer_writes(self.top, column)
        prefix, encode_key, encode_value = column.prefix, column.key.encode, column.value.encode
        for key, value in items:
            writes[prefix + encode_key(key)] = encode_value(value)

    def delete(self, column: Column, key: Any) -> None:
        layer_writes(self.top, column)[column.db_key(key)] = None
