"""UTXO set statistics and its serialized hash (C++ CCoinsViewDB::GetStats, gettxoutsetinfo).

The hash covers the best block hash, then per transaction (in txid byte order)
VARINT(index + 1) || CTxOut for every unspent output and a closing VARINT(0) —
the same preimage C++ builds, so equal UTXO sets give equal hashes.
``bytes_serialized`` counts our own coin records (C++ counts its compressed
CCoins records, so that one figure differs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fluxd.chainstate.coins import Coin, outpoint_from_key
from fluxd.util.serialize import Writer


def varint(value: int) -> bytes:
    """Bitcoin VARINT (MSB-first base 128 with the +1 offset per continuation)."""
    out = bytearray([value & 0x7F])
    value >>= 7
    while value:
        value -= 1
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


@dataclass(frozen=True)
class UtxoStats:
    height: int
    best_block_rev: bytes
    transactions: int
    txouts: int
    bytes_serialized: int
    hash_serialized_rev: bytes
    total_amount: int


def utxo_stats(reader, best_block_rev: bytes, height: int) -> UtxoStats:
    """Walk the 'coins' column of a (snapshot) reader."""
    hasher = hashlib.sha256(best_block_rev)
    transactions = txouts = size = total = 0
    current_txid = None
    for key, value in reader.iterate("coins"):
        outpoint = outpoint_from_key(key)
        if outpoint.txid_rev != current_txid:
            if current_txid is not None:
                hasher.update(varint(0))
            current_txid = outpoint.txid_rev
            transactions += 1
            size += 32
        coin = Coin.from_bytes(value)
        writer = Writer()
        writer.i64(coin.value)
        writer.var_bytes(coin.script_pubkey)
        hasher.update(varint(outpoint.n + 1) + writer.getvalue())
        txouts += 1
        size += len(value)
        total += coin.value
    if current_txid is not None:
        hasher.update(varint(0))
    digest = hashlib.sha256(hasher.digest()).digest()
    return UtxoStats(height, best_block_rev, transactions, txouts, size, digest, total)
