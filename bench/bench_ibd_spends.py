"""IBD of the connect bench's chain (5,000 PoW blocks, 117,566 P2PKH inputs) into a fresh fluxd over P2P.

The source node is fed the blocks with -loadblock (the chain cached by
bench_connect.py, built first if missing); a fresh node then syncs from it with
the default -par (script checks in a worker process, pipelined while blocks
queue) and once with -par=1 (inline).  Prints blocks/s and inputs/s.

    .venv/bin/python bench/bench_ibd_spends.py [--blocks 5000] [--spends 24]
"""

from __future__ import annotations

import argparse
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from bench_connect import PARAMS, START, load_or_build  # noqa: E402
from tests.functional.framework import NodeProcess, wait_until  # noqa: E402

NUPARAMS = "-nuparams=pon:10000"


def _blocks_file(path: Path, raw_blocks: list[bytes]) -> None:
    magic = PARAMS.message_start
    path.write_bytes(b"".join(magic + struct.pack("<I", len(raw)) + raw for raw in raw_blocks))


def _inputs(raw_blocks: list[bytes]) -> int:
    from fluxd.core.block import Block

    return sum(len(tx.vin) for raw in raw_blocks for tx in Block.from_bytes(raw).transactions[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=5000)
    parser.add_argument("--spends", type=int, default=24)
    args = parser.parse_args()
    raw_blocks = load_or_build(args.blocks, args.spends)
    inputs = _inputs(raw_blocks)
    last_time = START + 600 * len(raw_blocks)
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        _blocks_file(base / "chain.dat", raw_blocks)
        source = NodeProcess(base / "source", [NUPARAMS, "-listen=1", f"-loadblock={base / 'chain.dat'}"]).start()
        nodes = [source]
        try:
            source.rpc("setmocktime", last_time)
            wait_until(lambda: source.rpc("getblockcount") == len(raw_blocks), 900, 0.5, "the source's -loadblock")
            for par in ("0", "1"):
                fresh = NodeProcess(base / f"fresh{par}", [NUPARAMS, "-listen=1", f"-par={par}"]).start()
                nodes.append(fresh)
                fresh.rpc("setmocktime", last_time)
                started = time.monotonic()
                fresh.rpc("addnode", f"127.0.0.1:{source.p2p_port}", "onetry")
                wait_until(lambda node=fresh: node.rpc("getblockcount") >= len(raw_blocks), 1800, 0.2, "initial block download")
                seconds = time.monotonic() - started
                assert fresh.rpc("getbestblockhash") == source.rpc("getbestblockhash")
                print(f"IBD {len(raw_blocks)} blocks, {inputs} P2PKH inputs, -par={par}: {seconds:.1f} s, "
                      f"{len(raw_blocks) / seconds:,.0f} blocks/s, {inputs / seconds:,.0f} inputs/s", flush=True)
        finally:
            for node in nodes:
                node.stop()


if __name__ == "__main__":
    main()
