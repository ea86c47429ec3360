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
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
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
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.name, self.family, self.prefix, self.key, self.value)))

    def __hash__(self) -> int:  # columns key every layer lookup: hashed once, not field by field each time
        return self._hash

    def __reduce__(self):  # rebuilt through __init__: the hash of this process, not the pickling one's
        return (Column, (self.name, self.family, self.prefix, self.key, self.value))

    def db_key(self, key: Any) -> bytes:
        return self.prefix + self.key.encode(key)


StateLayer = dict  # dict[Column, ColumnWrites]: encoded key -> encoded value, None = deleted


class ColumnWrites(dict):
    """One column's writes in a layer (encoded key -> encoded value, None = deleted) with a sorted index of its
    keys, brought up to date when a range is read, so prefix iteration bisects instead of scanning every write.

    Writes stay plain dict stores.  Keys are added only by inserting, which leaves them last in the dict's
    insertion order, so the keys after the indexed count are the new ones; the removal methods drop the index
    (``discard`` keeps it).  The index list is replaced, never changed in place, so an iteration under way
    keeps the keys it started with.
    """

    __slots__ = ("_sorted", "_indexed")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sorted: list[bytes] | None = None
        self._indexed = 0

    def sorted_keys(self) -> list[bytes]:
        size = len(self)
        keys = self._sorted
        if keys is None or size < self._indexed:
            keys = sorted(self)
        elif size > self._indexed:
            new = list(islice(reversed(self), size - self._indexed))
            if len(new) * 8 > len(keys):
                keys = sorted(keys + new)
            else:
                keys = list(keys)
                for key in new:
                    insort(keys, key)
        self._sorted, self._indexed = keys, size
        return keys

    def discard(self, keys: Iterable[bytes]) -> None:
        """Forget the writes of ``keys`` (those present), keeping the index."""
        present = [key for key in keys if key in self]
        if not present:
            return
        index = self.sorted_keys() if self._sorted is not None else None
        for key in present:
            dict.__delitem__(self, key)
        if index is not None:
            index = list(index)
            for key in present:
                del index[bisect_left(index, key)]
            self._sorted, self._indexed = index, len(self)

    def keys_from(self, low: bytes, prefix: bytes) -> Iterator[bytes]:
        """Written keys >= ``low`` that start with ``prefix``, in order (deletions included)."""
        keys = self.sorted_keys()
        for position in range(bisect_left(keys, low), len(keys)):
            key = keys[position]
            if not key.startswith(prefix):
                return
            yield key

    def _drop_index(self) -> None:
        self._sorted, self._indexed = None, 0

    def __delitem__(self, key) -> None:
        self._drop_index()
        super().__delitem__(key)

    def pop(self, *args):
        self._drop_index()
        return super().pop(*args)

    def popitem(self):
        self._drop_index()
        return super().popitem()

    def clear(self) -> None:
        self._drop_index()
        super().clear()

    def __reduce__(self):
        return (ColumnWrites, (dict(self),))


def layer_writes(layer: StateLayer, column: Column) -> ColumnWrites:
    writes = layer.get(column)
    if writes is None:
        writes = layer[column] = ColumnWrites()
    return writes


def absorb_layer(target: StateLayer, source: StateLayer) -> None:
    """Take every write of ``source`` into ``target`` (source is newer)."""
    for column, writes in source.items():
        layer_writes(target, column).update(writes)


def layer_size(layer: StateLayer) -> int:
    return sum(len(writes) for writes in layer.values())


def _written_keys(writes: dict, low: bytes, prefix: bytes) -> Iterator[bytes]:
    if isinstance(writes, ColumnWrites):
        return writes.keys_from(low, prefix)
    return iter(sorted(key for key in writes if key >= low and key.startswith(prefix)))


def _ranked(keys: Iterator[bytes], rank: int) -> Iterator[tuple[bytes, int, None]]:
    for key in keys:
        yield key, rank, None


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

    def get_many_raw(self, column: Column, db_keys: list[bytes]) -> list[bytes | None]:
        """``get_raw`` of each key; the keys no layer holds are read from the database at once (MultiGet)."""
        found: list[bytes | None] = [None] * len(db_keys)
        missing: list[int] = []
        for index, db_key in enumerate(db_keys):
            for layer in self._layers:
                writes = layer.get(column)
                if writes is not None and db_key in writes:
                    found[index] = writes[db_key]
                    break
            else:
                missing.append(index)
        if missing:
            get_many = getattr(self._store, "get_many", None)
            keys = [db_keys[index] for index in missing]
            values = get_many(column.family, keys) if get_many is not None else [self._store.get(column.family, key) for key in keys]
            for index, value in zip(missing, values):
                found[index] = value
        return found

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
        written = [writes for layer in self._layers if (writes := layer.get(column))]  # newest first
        stored = self._store.iterate(column.family, start=low, prefix=full_prefix)
        if not written:
            yield from stored
            return
        # (key, rank, value): rank 0 is the newest layer, the database ranks last; the first of equal keys wins
        streams = [_ranked(_written_keys(writes, low, full_prefix), rank) for rank, writes in enumerate(written)]
        store_rank = len(written)
        streams.append((key, store_rank, raw) for key, raw in stored)
        last = None
        for db_key, rank, raw in heapq.merge(*streams):
            if db_key == last:
                continue
            last = db_key
            if rank != store_rank:
                raw = written[rank].get(db_key)
            if raw is not None:
                yield db_key, raw


class StateWriter(StateReader):
    """A reader whose writes go into ``top`` (the first layer it reads)."""

    def __init__(self, top: StateLayer, below: list[StateLayer], store: KVReader) -> None:
        super().__init__([top, *below], store)
        self.top = top

    def put(self, column: Column, key: Any, value: Any) -> None:
        layer_writes(self.top, column)[column.prefix + column.key.encode(key)] = column.value.encode(value)

    def put_many(self, column: Column, items) -> None:
        """``put`` for every (key, value) of ``items`` (one lookup of the column's writes)."""
        writes = layer_writes(self.top, column)
        prefix, encode_key, encode_value = column.prefix, column.key.encode, column.value.encode
        for key, value in items:
            writes[prefix + encode_key(key)] = encode_value(value)

    def delete(self, column: Column, key: Any) -> None:
        layer_writes(self.top, column)[column.db_key(key)] = None
