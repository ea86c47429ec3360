"""mempool.dat: the pool saved at shutdown and reloaded at start.

C++ Flux keeps no mempool file; this uses the layout Bitcoin Core gave
mempool.dat (version 1): u64 version, u64 count, then per transaction the
transaction, i64 time and i64 fee delta, then the prioritisetransaction fee
deltas as a map of txid -> i64.  A damaged file is reported and ignored.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fluxd.core.transaction import Transaction
from fluxd.mempool.pool import Mempool
from fluxd.util.serialize import DecodeError, Reader, Writer

log = logging.getLogger("fluxd.mempool")
MEMPOOL_DUMP_VERSION = 1


def dump_mempool(pool: Mempool, path: Path) -> int:
    """Write the pool atomically (temp file + rename); the number of transactions written."""
    with pool.lock:
        entries = list(pool.entries.values())
        deltas = dict(pool.deltas)
    writer = Writer()
    writer.u64(MEMPOOL_DUMP_VERSION)
    writer.u64(len(entries))
    for entry in entries:
        writer.write(entry.tx.to_bytes())
        writer.i64(entry.time)
        writer.i64(entry.fee_delta)
    writer.compact_size(len(deltas))
    for txid, (_, fee_delta) in deltas.items():
        writer.write(txid)
        writer.i64(fee_delta)
    temporary = path.with_suffix(".dat.new")
    with open(temporary, "wb") as handle:
        handle.write(writer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return len(entries)


def read_mempool(path: Path) -> tuple[list[tuple[Transaction, int, int]], dict[bytes, int]]:
    """(transactions with time and fee delta, fee deltas); empty when the file is missing or damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], {}
    try:
        return _parse(data)
    except DecodeError as failure:
        log.warning("Failed to deserialize mempool data on disk: %s. Continuing anyway.", failure)
        return [], {}


def _parse(data: bytes) -> tuple[list[tuple[Transaction, int, int]], dict[bytes, int]]:
    if not data:
        return [], {}
    reader = Reader(data)
    version = reader.u64()
    if version != MEMPOOL_DUMP_VERSION:
        raise DecodeError(f"unknown mempool.dat version {version}")
    count = reader.u64()
    if count * 10 > reader.remaining:
        raise DecodeError(f"{count} transactions cannot fit in {reader.remaining} bytes")
    transactions = []
    for _ in range(count):
        tx = Transaction.read(reader)
        transactions.append((tx, reader.i64(), reader.i64()))
    deltas = {}
    for _ in range(reader.count(40)):
        txid = reader.read(32)
        deltas[txid] = reader.i64()
    return transactions, deltas
