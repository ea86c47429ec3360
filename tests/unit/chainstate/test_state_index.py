"""The sorted key index of a layer's column writes (prefix iteration without scanning every write) and the tip
cache forgetting deletions of keys the database never held."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.chainstate.chainstate import COLUMNS
from fluxd.chainstate.state_columns import BYTES, Column, ColumnWrites, StateReader, StateWriter, layer_writes
from fluxd.chainstate.tip_cache import TipCache
from fluxd.storage.kv import WriteBatch
from fluxd.storage.memory import MemoryStore

COLUMN = Column("test.sorted", family="ext", prefix=b"ts/", key=BYTES, value=BYTES)


def _reference(layers, store, prefix: bytes, start: bytes) -> list[tuple[bytes, bytes]]:
    """The merged view computed the plain way: every write of every layer, oldest first, over the store."""
    merged = dict(store.iterate("ext", prefix=COLUMN.prefix))
    for layer in reversed(layers):
        merged.update(layer.get(COLUMN, {}))
    low = max(COLUMN.prefix + prefix, COLUMN.prefix + start)
    return sorted((key, value) for key, value in merged.items()
                  if value is not None and key >= low and key.startswith(COLUMN.prefix + prefix))  # fmt: skip


def test_index_follows_inserts_overwrites_and_removals():
    writes = ColumnWrites()
    writes[b"b"], writes[b"a"] = b"1", None
    assert writes.sorted_keys() == [b"a", b"b"]
    writes[b"c"], writes[b"a"] = b"2", b"3"  # a new key and an overwrite
    assert writes.sorted_keys() == [b"a", b"b", b"c"]
    writes.update({b"0": b"", b"bb": None})
    assert writes.sorted_keys() == [b"0", b"a", b"b", b"bb", b"c"]
    del writes[b"b"]
    writes[b"d"] = b""  # same size as before the delete: the index must not be reused
    assert writes.sorted_keys() == [b"0", b"a", b"bb", b"c", b"d"]
    writes.pop(b"0")
    writes.discard([b"a", b"zz"])
    assert writes.sorted_keys() == [b"bb", b"c", b"d"] and sorted(writes) == [b"bb", b"c", b"d"]
    writes.clear()
    assert writes.sorted_keys() == []


def test_an_iteration_under_way_keeps_its_keys_while_the_layer_grows():
    store = MemoryStore(COLUMNS)
    top = StateWriter({}, [], store)
    for key in (b"1", b"3", b"5"):
        top.put(COLUMN, key, key)
    seen = []
    for db_key, _ in top.iterate_raw(COLUMN):
        seen.append(db_key)
        top.put(COLUMN, b"2", b"2")  # written while iterating: not part of this iteration's keys
    assert seen == [b"ts/1", b"ts/3", b"ts/5"]
    assert [key for key, _ in top.iterate_raw(COLUMN)] == [b"ts/1", b"ts/2", b"ts/3", b"ts/5"]


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False))
def test_iteration_equals_the_plain_merge(rng: random.Random):
    store = MemoryStore(COLUMNS)
    batch = WriteBatch()
    for _ in range(rng.randrange(0, 30)):
        batch.put("ext", COLUMN.prefix + bytes([rng.randrange(6), rng.randrange(6)]), b"s")
    store.write(batch)
    layers: list[dict] = []
    for _ in range(rng.randrange(1, 4)):
        layer: dict = {}
        layers.insert(0, layer)
        writer = StateWriter(layer, layers[1:], store)
        for step in range(rng.randrange(0, 40)):
            key = bytes([rng.randrange(6), rng.randrange(6)])
            if rng.random() < 0.4:
                writer.delete(COLUMN, key)
            else:
                writer.put(COLUMN, key, bytes([step]))
            if rng.random() < 0.2:  # read midway: the index is built, then has to follow
                prefix = bytes([rng.randrange(6)])
                assert list(StateReader(layers, store).iterate_raw(COLUMN, prefix)) == _reference(layers, store, prefix, b"")
        if rng.random() < 0.3 and layer_writes(layer, COLUMN):
            layer_writes(layer, COLUMN).discard([rng.choice(list(layer[COLUMN]))])
    for prefix, start in ((b"", b""), (bytes([rng.randrange(6)]), b""), (b"", bytes([rng.randrange(6), rng.randrange(6)]))):
        assert list(StateReader(layers, store).iterate_raw(COLUMN, prefix, start)) == _reference(layers, store, prefix, start)


def test_tip_cache_forgets_deletions_of_keys_the_database_lacks():
    store = MemoryStore(COLUMNS)
    batch = WriteBatch()
    batch.put("ext", b"ts/stored", b"old")
    store.write(batch)
    cache = TipCache(store)
    first: dict = {}
    StateWriter(first, [], store).put(COLUMN, b"fresh", b"new")
    cache.commit_state(first)
    second: dict = {}
    writer = StateWriter(second, [cache.state], store)
    writer.delete(COLUMN, b"fresh")  # written and deleted since the flush: nothing to delete in the database
    writer.delete(COLUMN, b"stored")  # in the database: the deletion has to reach it
    writer.delete(COLUMN, b"never")
    cache.commit_state(second)
    assert dict(cache.state[COLUMN]) == {b"ts/stored": None}
    assert list(cache.state_reader().iterate_raw(COLUMN)) == []
    assert cache.state_reader().get_raw(COLUMN, b"ts/fresh") is None


def test_get_many_raw_reads_layers_first_then_the_database():
    from fluxd.chainstate.state_columns import BYTES, Column, StateReader, StateWriter
    from fluxd.storage.kv import WriteBatch
    from fluxd.storage.memory import MemoryStore

    column = Column("t.many", family="ext", prefix=b"m/", key=BYTES, value=BYTES)
    store = MemoryStore(("ext",))
    batch = WriteBatch()
    batch.put("ext", b"m/a", b"stored-a")
    batch.put("ext", b"m/b", b"stored-b")
    store.write(batch)
    layer: dict = {}
    writer = StateWriter(layer, [], store)
    writer.put(column, b"b", b"layer-b")
    writer.delete(column, b"a")
    keys = [b"m/a", b"m/b", b"m/c"]
    assert StateReader([layer], store).get_many_raw(column, keys) == [None, b"layer-b", None]
    assert StateReader([], store).get_many_raw(column, keys) == [b"stored-a", b"stored-b", None]
    assert StateReader([layer], store).get_many_raw(column, keys) == [StateReader([layer], store).get_raw(column, k) for k in keys]
