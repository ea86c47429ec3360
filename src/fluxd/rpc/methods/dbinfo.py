"""getdbinfo: disk usage of the data directory (no C++ fluxd counterpart; the shape follows fluxd-rust).

fluxd-rust answers with backend, paths, chain heights, supply, sizes, flat-file
figures and per-partition sizes.  We give the same top-level groups for what
this node has: RocksDB column families instead of fjall partitions, block files
only (undo data lives in the database, so there are no rev files), and
"supply" unavailable because no UTXO statistics are cached (as fluxd-rust
reports it when it has none).  Every figure is read from disk when called.
"""

from __future__ import annotations

import os
from pathlib import Path

from fluxd.rpc.params import check_count
from fluxd.rpc.registry import RPCTable

GETDBINFO_HELP = """getdbinfo

Returns disk usage of the node's databases and block files.

Result:
{
  "backend": "rocksdb",          (string) the key-value store in use
  "paths": { ... },              (object) data, database and block directories
  "chain": { ... },              (object) best header and best block heights
  "supply": { ... },             (object) "available": false (no cached UTXO statistics)
  "sizes": { ... },              (object) bytes used by the data dir, the database and the block files
  "flatfiles_fs": { ... },       (object) block (blk*.dat), undo (rev*.dat) and other files in blocks/
  "db_partitions": [ ... ]       (array) per column family: column, size_bytes, estimate_num_keys
}

Examples:
> flux-cli getdbinfo 
"""


def _tree_bytes(path: Path) -> int:
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue  # a file removed while walking (RocksDB compaction)
    return total


def _flatfiles(blocks_dir: Path) -> dict:
    counts = {"data": [0, 0], "undo": [0, 0], "other": [0, 0]}
    for path in sorted(blocks_dir.iterdir()) if blocks_dir.is_dir() else []:
        if not path.is_file():
            continue
        kind = "data" if path.name.startswith("blk") else "undo" if path.name.startswith("rev") else "other"
        counts[kind][0] += 1
        counts[kind][1] += path.stat().st_size
    result = {}
    for kind, (files, size) in counts.items():
        result[f"{kind}_files"], result[f"{kind}_bytes"] = files, size
    return result


def _partitions(store) -> list[dict]:
    reader = getattr(store, "column_property_int", None)
    partitions = []
    for column in store.columns:
        size = keys = None
        if reader is not None:
            size = (reader(column, "rocksdb.total-sst-files-size") or 0) + (reader(column, "rocksdb.size-all-mem-tables") or 0)
            keys = reader(column, "rocksdb.estimate-num-keys")
        partitions.append({"column": column, "size_bytes": size, "estimate_num_keys": keys})
    return partitions


def rpc_getdbinfo(node, params):
    check_count(params, 0, 0, GETDBINFO_HELP)
    return db_info(node.chainstate, node.net_dir)


def db_info(chainstate, net_dir: Path) -> dict:
    """getdbinfo's result for a loaded chainstate under the network datadir (the RPC and ``fluxd -db-info``)."""
    db_dir, blocks_dir = net_dir / "chainstate", net_dir / "blocks"
    best_header = chainstate.best_header or chainstate.tip
    partitions = _partitions(chainstate.store)
    return {
        "backend": "rocksdb" if hasattr(chainstate.store, "column_property_int") else "memory",
        "paths": {"data_dir": str(net_dir), "db_dir": str(db_dir), "blocks_dir": str(blocks_dir)},
        "chain": {"best_header_height": best_header.height, "best_block_height": chainstate.height},
        "supply": {"available": False, "utxo_stats_present": False, "value_pools_present": False},
        "sizes": {
            "approx_data_dir_bytes": _tree_bytes(net_dir),
            "db_dir_bytes": _tree_bytes(db_dir),
            "db_partitions_bytes": sum(item["size_bytes"] or 0 for item in partitions),
            "blocks_dir_bytes": _tree_bytes(blocks_dir),
        },
        "flatfiles_fs": _flatfiles(blocks_dir),
        "db_partitions": partitions,
    }


def register(table: RPCTable) -> None:
    table.register("getdbinfo", "blockchain", rpc_getdbinfo, GETDBINFO_HELP)
