"""Header verification per second (PoW 200,9 / 125,4 and PoN) against the floor of the hashing alone.

Run: .venv/bin/python bench/bench_headers.py
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from fluxd.consensus.block_check import check_block_header
from fluxd.consensus.pon import check_proof_of_node, pon_hash, pon_slot
from fluxd.core.block import BlockHeader
from fluxd.params.networks import main_params

BLOCKS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "flux_mainnet" / "blocks.json"
MAIN = main_params()


def rate(action, seconds: float = 1.0) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        action()
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    blocks = {entry["height"]: entry for entry in json.loads(BLOCKS.read_text())["blocks"] if entry["network"] == "main"}
    for label, height in (("200,9", 100000), ("125,4", 2019999)):
        header = BlockHeader.from_bytes(bytes.fromhex(blocks[height]["header_hex"]))
        full = rate(lambda: check_block_header(MAIN, header, 4_000_000_000, 3_000_000))
        groups = 256 if label == "200,9" else 16 * 8
        state = hashlib.blake2b(digest_size=50 if label == "200,9" else 64, person=b"ZcashPoW" + bytes(8))
        floor = rate(lambda: [state.copy().digest() for _ in range(groups)])
        print(f"PoW {label}: {full:8.0f} headers/s   floor (BLAKE2b only): {floor:8.0f}/s   ratio {full / floor:.2f}")
    pon = BlockHeader.from_bytes(bytes.fromhex(blocks[2020000]["header_hex"]))

    def pon_check():
        check_block_header(MAIN, pon, 4_000_000_000, 3_000_000)
        check_proof_of_node(MAIN, pon_hash(pon.collateral, pon.prev_block_rev, pon_slot(MAIN, pon.time)), pon.bits, 2020000)

    full = rate(pon_check)
    floor = rate(lambda: hashlib.sha256(hashlib.sha256(pon.prefix_bytes()).digest()).digest())
    print(f"PoN      : {full:8.0f} headers/s   floor (sha256d only):  {floor:8.0f}/s   ratio {full / floor:.2f}")


if __name__ == "__main__":
    main()
