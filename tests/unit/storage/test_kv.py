"""The KV interface on both backends: ordering, prefixes, atomic batches, snapshots, versions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.storage.format_version import check_format_version
from fluxd.storage.kv import StorageError, WriteBatch, prefix_end
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore

COLUMNS = ("meta", "coins", "index")


@pytest.fixture(params=["memory", "rocks"])
def store(request, tmp_path):
    opened = MemoryStore(COLUMNS) if request.param == "memory" else RocksStore(tmp_path / "db", COLUMNS)
    yield opened
    opened.close()


def _put(store, column, *pairs):
    batch = WriteBatch()
    for key, value in pairs:
        batch.put(column, key, value)
    store.write(batch)


def test_ordered_iteration_and_prefix(store):
    _put(store, "coins", (b"b\x01", b"2"), (b"a\xff", b"1"), (b"b\x00", b"3"), (b"c", b"4"))
    assert [key for key, _ in store.iterate("coins")] == [b"a\xff", b"b\x00", b"b\x01", b"c"]
    assert [key for key, _ in store.iterate("coins", prefix=b"b")] == [b"b\x00", b"b\x01"]
    assert [key for key, _ in store.iterate("coins", start=b"b\x01")] == [b"b\x01", b"c"]
    assert list(store.iterate("index")) == []


def test_batch_is_applied_in_order_and_columns_are_separate(store):
    batch = WriteBatch()
    batch.put("coins", b"k", b"old")
    batch.put("index", b"k", b"other")
    batch.delete("coins", b"k")
    batch.put("coins", b"k", b"new")
    store.write(batch, sync=True)
    assert store.get("coins", b"k") == b"new"
    assert store.get("index", b"k") == b"other"
    assert store.get("meta", b"k") is None


def test_bad_column_writes_nothing(store):
    batch = WriteBatch()
    batch.put("coins", b"k", b"v")
    batch.put("nope", b"k", b"v")
    with pytest.raises(StorageError):
        store.write(batch)
    assert store.get("coins", b"k") is None


def test_snapshot_sees_state_at_creation(store):
    _put(store, "coins", (b"a", b"1"), (b"b", b"2"))
    snapshot = store.snapshot()
    batch = WriteBatch()
    batch.delete("coins", b"a")
    batch.put("coins", b"b", b"22")
    batch.put("coins", b"c", b"3")
    store.write(batch)
    assert list(snapshot.iterate("coins")) == [(b"a", b"1"), (b"b", b"2")]
    assert snapshot.get("coins", b"a") == b"1" and snapshot.get("coins", b"c") is None
    assert list(store.iterate("coins")) == [(b"b", b"22"), (b"c", b"3")]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.binary(max_size=3), st.binary(max_size=3)), max_size=30))
def test_memory_store_matches_a_dict(operations):
    store = MemoryStore(COLUMNS)
    model: dict[bytes, bytes] = {}
    for is_put, key, value in operations:
        batch = WriteBatch()
        if is_put:
            batch.put("coins", key, value)
            model[key] = value
        else:
            batch.delete("coins", key)
            model.pop(key, None)
        store.write(batch)
    assert list(store.iterate("coins")) == sorted(model.items())


def test_prefix_end():
    assert prefix_end(b"ab") == b"ac"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None


def test_format_version(store):
    check_format_version(store, 3, "chainstate")
    check_format_version(store, 3, "chainstate")
    with pytest.raises(StorageError, match="-reindex"):
        check_format_version(store, 4, "chainstate")


def test_unversioned_data_is_refused(store):
    _put(store, "coins", (b"a", b"1"))
    with pytest.raises(StorageError, match="-reindex"):
        check_format_version(store, 1, "chainstate")


def test_rocks_reopen_keeps_data(tmp_path):
    first = RocksStore(tmp_path / "db", COLUMNS)
    _put(first, "coins", (b"a", b"1"))
    first.close()
    second = RocksStore(tmp_path / "db", COLUMNS)
    assert second.get("coins", b"a") == b"1"
    second.close()
    with pytest.raises(StorageError):
        second.get("coins", b"a")


def test_get_many_is_get_for_each_key_in_order(store):
    _put(store, "coins", (b"a", b"1"), (b"c", b"3"))
    assert store.get_many("coins", [b"c", b"b", b"a", b"c"]) == [b"3", None, b"1", b"3"]
    assert store.get_many("coins", []) == []
    with pytest.raises(StorageError):
        store.get_many("nope", [b"a"])
