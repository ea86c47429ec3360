"""Parse + txid throughput over the real mainnet transactions and blocks in the shared vectors."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fluxd.core.block import Block  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402

VECTORS = ROOT.parent / "shared" / "vectors"


def _measure(label: str, payloads: list[bytes], parse, min_seconds: float = 2.0) -> None:
    total_bytes = sum(len(p) for p in payloads)
    rounds = 0
    start = time.perf_counter()
    while True:
        for payload in payloads:
            parse(payload)
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
    items = rounds * len(payloads)
    print(f"{label:42s} {items / elapsed:12,.0f} items/s {rounds * total_bytes / elapsed / 1e6:8.2f} MB/s")


def main() -> None:
    txs = json.loads((VECTORS / "flux_mainnet/transactions.json").read_text())["transactions"]
    tx_bytes = [bytes.fromhex(t["hex"]) for t in txs]
    blocks = json.loads((VECTORS / "flux_mainnet/blocks.json").read_text())["blocks"]
    block_bytes = [bytes.fromhex(b["block_hex"]) for b in blocks if b.get("block_hex")]
    print(f"{len(tx_bytes)} real transactions ({sum(map(len, tx_bytes))} bytes), {len(block_bytes)} real blocks")
    _measure("tx parse", tx_bytes, Transaction.from_bytes)
    _measure("tx parse + txid", tx_bytes, lambda b: Transaction.from_bytes(b).txid_rev)
    _measure("tx parse + txid + re-serialise", tx_bytes, lambda b: Transaction.from_bytes(b).to_bytes())
    _measure("block parse + hash + merkle", block_bytes, lambda b: Block.from_bytes(b).compute_merkle_root())


if __name__ == "__main__":
    main()
