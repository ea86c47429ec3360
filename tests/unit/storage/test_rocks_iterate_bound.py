"""RocksDB prefix iteration must not lose keys when Python frees memory while an iterator is open.

RocksDB reads a ReadOptions upper bound through a pointer; when the options
object was freed on return from the store's iterate, its memory could be reused
and iteration stopped early at random (a module state lost a record on restart).
"""

from __future__ import annotations

import gc

from fluxd.storage.kv import WriteBatch
from fluxd.storage.rocks import RocksStore


def test_prefix_iteration_survives_allocation_and_gc_while_open(tmp_path):
    store = RocksStore(tmp_path / "db", ("default", "ext"))
    batch = WriteBatch()
    for height in range(1, 4):
        batch.put("ext", b"counter/h" + height.to_bytes(4, "big"), b"x" * 32)
    batch.put("ext", b"counter/t", b"3")
    batch.put("ext", b"spent/" + bytes(32), b"1")
    store.write(batch)
    for trial in range(1500):
        found = []
        for key, _ in store.iterate("ext", prefix=b"counter/h"):
            if trial % 50 == 0:
                gc.collect()
            _churn = [bytes(64) for _ in range(200)]
            found.append(key)
        assert len(found) == 3, (trial, found)
    store.close()
