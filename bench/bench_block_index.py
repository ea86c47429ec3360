"""Load a mainnet-sized block index (3,000,000 entries) from a real RocksStore into the compact index.

The synthetic chain has the shape of mainnet: a main chain with about 1% stale
side blocks (some two blocks long), the full headers in their ``h`` records
with the era's size (Equihash 200,9 solutions of 1,344 bytes, then 144,5 of
100, ZelHash 125,4 of 52, PoN from 2,020,000 with a 72-byte signature), the
fixed-size ``i`` records written by height as the chainstate writes them.

Prints the bare iteration of the ``i`` records (the floor any load pays),
the load into ``CompactBlockIndex`` (decode, parent links, skip list, sorted
lookup), the memory the index holds per entry (tracemalloc: the numpy columns
with their spare capacity and the lookup arrays, measured in a second load),
and a few per-call costs; the last two lines are ``bytes_per_entry=N`` and
``load_entries_per_s=N``.

    .venv/bin/python bench/bench_block_index.py [--entries 3000000] [--dir DIR]

``--dir`` keeps the database there and reuses it on the next run (building it
takes about a minute).  Figures on the shared 2-core host (busy: three runs), 3,000,000 entries:

    iterate_floor_entries_per_s  727,000 - 1,058,000  (bare RocksStore.iterate of the i records)
    load_entries_per_s           324,000 - 396,000    (7.6 - 9.3 s; requirement >= 200,000)
    bytes_per_entry              127                  (requirement <= 160; the old dataclass
                                                       entries held 898 B to 2,190 B each)
    get present / absent         1.8 - 3.8 / 1.3 - 6.0 us
    ancestor from the tip        27 - 83 us   (on 100,000 entries: 19 us, the old dataclass walk 23 us)
    median_time_past             5.5 - 25 us  (on 100,000 entries: 6.2 us, the old dataclasses 1.6 us)
    chain_rows / chain_to        2.0 s / 3.2 - 6.7 s  (the active chain as rows / as 2,970,000 handles)
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import timeit
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fluxd.chainstate.block_index import (  # noqa: E402
    BLOCK_HAVE_DATA,
    BLOCK_HAVE_UNDO,
    BLOCK_VALID_SCRIPTS,
    BLOCK_VALID_TREE,
    HEADER_PREFIX,
    INDEX_COLUMN,
    INDEX_FORMAT_VERSION,
    RECORD,
    RECORD_PREFIX,
)
from fluxd.chainstate.chainstate import COLUMNS  # noqa: E402
from fluxd.chainstate.compact_index import KEY_DTYPE, RECORD_DTYPE, CompactBlockIndex  # noqa: E402
from fluxd.storage.kv import WriteBatch  # noqa: E402
from fluxd.storage.rocks import RocksStore  # noqa: E402

ERAS = ((125_000, 1344), (372_500, 100), (2_020_000, 52))  # (first height after the era, solution bytes)
PON_HEIGHT, PON_SIG = 2_020_000, 72
STALE_SHARE = 0.01
WRITE_BATCH = 50_000


def _shape(entries: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(heights, parent index, main chain length) of a main chain plus stale side blocks; parents come first."""
    side = int(entries * STALE_SHARE)
    main = entries - side
    heights = np.empty(entries, np.int64)
    parents = np.empty(entries, np.int64)
    heights[:main] = np.arange(main)
    parents[:main] = np.arange(main) - 1
    stale_heights = np.sort(rng.integers(1, main - 1, side))
    heights[main:] = stale_heights
    parents[main:] = stale_heights - 1  # on the main chain ...
    for offset in np.flatnonzero(rng.random(side) < 0.2)[1:].tolist():  # ... or on the previous stale block
        if heights[main + offset - 1] < heights[main + offset]:
            heights[main + offset] = heights[main + offset - 1] + 1
            parents[main + offset] = main + offset - 1
    return heights, parents, main


def _records(entries: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    heights, parents, main = _shape(entries, rng)
    hashes = np.frombuffer(rng.bytes(32 * entries), "V32")
    work_step = rng.integers(1 << 30, 1 << 40, entries)
    work = np.zeros(entries, np.uint64)
    work[:main] = np.cumsum(work_step[:main])
    for row in range(main, entries):  # side blocks: a few tens of thousands
        work[row] = work[parents[row]] + work_step[row]
    keys = np.zeros(entries, KEY_DTYPE)
    keys["prefix"], keys["height"], keys["hash"] = RECORD_PREFIX[0], heights, hashes
    records = np.zeros(entries, RECORD_DTYPE)
    records["format"] = INDEX_FORMAT_VERSION
    records["prev"] = np.where(parents >= 0, hashes[np.maximum(parents, 0)], np.zeros(1, "V32"))
    work_bytes = np.zeros((entries, 4), ">u8")
    work_bytes[:, 3] = work
    records["work"] = work_bytes.reshape(-1).view("V32")
    is_main = np.arange(entries) < main
    records["status"] = np.where(is_main, BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO, BLOCK_VALID_TREE)
    records["tx_count"] = rng.integers(1, 40, entries)
    records["chain_tx_count"] = np.cumsum(records["tx_count"])
    records["file_no"] = np.where(is_main, heights // 6000, -1)
    records["data_pos"] = rng.integers(8, 1 << 27, entries)
    records["version"] = np.where(heights >= PON_HEIGHT, 100, 4)
    records["time"] = 1_516_000_000 + heights * 120
    records["bits"] = rng.integers(0x1D000000, 0x1F0FFFFF, entries)
    return keys, records


def _header_size(height: int) -> int:
    if height >= PON_HEIGHT:
        return 108 + 36 + 1 + PON_SIG
    solution = next(size for end, size in ERAS if height < end)
    return 108 + 32 + (3 if solution > 252 else 1) + solution


def build(path: Path, entries: int) -> RocksStore:
    store = RocksStore(path, COLUMNS)
    if next(store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX), None) is not None:
        return store
    rng = np.random.default_rng(20_260_000)
    started = time.perf_counter()
    keys, records = _records(entries, rng)
    key_bytes, record_bytes = keys.tobytes(), records.tobytes()
    filler = rng.bytes(4096)
    batch = WriteBatch()
    for row in range(entries):
        key = key_bytes[37 * row : 37 * row + 37]
        batch.put(INDEX_COLUMN, key, record_bytes[RECORD.size * row : RECORD.size * (row + 1)])
        size = _header_size(int(keys["height"][row]))
        batch.put(INDEX_COLUMN, HEADER_PREFIX + key[5:], filler[row % 2048 : row % 2048 + size])
        if len(batch) >= WRITE_BATCH:
            store.write(batch)
            batch = WriteBatch()
    store.write(batch, sync=True)
    print(f"built {entries} entries in {time.perf_counter() - started:.0f} s", flush=True)
    return store


def _floor(store: RocksStore) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    for _key, _value in store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX):
        count += 1
    return count, time.perf_counter() - started


def _load(store: RocksStore) -> tuple[CompactBlockIndex, float]:
    index = CompactBlockIndex()
    started = time.perf_counter()
    index.load(store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX))
    return index, time.perf_counter() - started


def _memory(store: RocksStore) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index, _ = _load(store)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del index
    return held


def _per_call(index: CompactBlockIndex) -> None:
    count = len(index)
    rng = np.random.default_rng(1)
    rows = rng.integers(0, count, 1000).tolist()
    hashes = [index.columns.hash_rev(row) for row in rows]
    absent = [bytes(rng.bytes(32)) for _ in range(1000)]
    tip = index.entry(int(np.argmax(index.columns.arrays["height"][:count])))
    calls = {
        "get (present)": lambda: [index.get(hash_rev) for hash_rev in hashes],
        "get (absent)": lambda: [index.get(hash_rev) for hash_rev in absent],
        "ancestor from the tip": lambda: [tip.ancestor(row) for row in rows],
        "entry.height + .time + .bits": lambda: [(entry.height, entry.time, entry.bits) for entry in map(index.entry, rows)],
        "entry.chainwork": lambda: [entry.chainwork for entry in map(index.entry, rows)],
        "median_time_past": lambda: [index.entry(row).median_time_past() for row in rows],
    }
    for name, call in calls.items():
        seconds = min(timeit.repeat(call, number=1, repeat=3)) / 1000
        print(f"  {name:30s} {seconds * 1e6:7.2f} us/call")
    started = time.perf_counter()
    rows = index.chain_rows(tip)
    middle = time.perf_counter()
    chain = index.chain_to(tip)
    print(f"  main chain of {len(rows)} rows (chain_rows) {middle - started:.2f} s, as handles (chain_to) {time.perf_counter() - middle:.2f} s")
    del chain
    started = time.perf_counter()
    best, most_work = index.best_entry(), index.best_entry(include_failed=True)
    candidates, leaves = index.candidates(tip.chainwork), index.leaves()
    print(f"  the rest of Chainstate.load (best headers, {len(candidates)} candidates, {len(leaves)} leaves): {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        store = build(args.dir or Path(scratch) / "index", args.entries)
        count, floor_seconds = _floor(store)
        index, load_seconds = _load(store)
        assert len(index) == count
        print(f"entries={count}")
        print(f"iterate_floor_entries_per_s={count / floor_seconds:.0f} ({floor_seconds:.2f} s)")
        print(f"load_seconds={load_seconds:.2f}")
        _per_call(index)
        print(f"index.memory_bytes()={index.memory_bytes()} ({index.memory_bytes() / count:.1f} B/entry, capacity {index.columns.capacity})")
        del index
        held = _memory(store)
        store.close()
    print(f"bytes_per_entry={held / count:.0f}")
    print(f"load_entries_per_s={count / load_seconds:.0f}")


if __name__ == "__main__":
    main()
