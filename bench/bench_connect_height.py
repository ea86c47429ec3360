"""Per-block connect overhead at a low and at a mainnet height: the chain writer has no O(height) term.

Two chainstates (regtest, PoN from genesis, memory store) get a synthetic active
chain of ``--low`` (default 1,000) and ``--high`` (default 2,000,000) blocks:
index rows marked connected, each with a real PoN header, linked by height as the
chainstate's own load would link them.  On each, the same number of real
coinbase-only PoN blocks is then built and connected through ``process_block``
(header checks, difficulty, PoN checks, coins, undo, the tip cache, the
published view), followed by a reorganisation of the last blocks (disconnect and
connect a longer branch).  Printed: milliseconds per connected block and per
reorganised block at each height, and their ratio (1.0 = no height term).  Before
the chainstate v2 work the writer copied the whole active chain on every connect
and disconnect: 5.9-6.8 ms a block at height 2,000,000.

    .venv/bin/python bench/bench_connect_height.py [--low 1000] [--high 2000000] [--blocks 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/block_building.py

from tests.block_building import build_block  # noqa: E402
from fluxd.chainstate.block_index import BLOCK_HAVE_DATA, BLOCK_HAVE_UNDO, BLOCK_VALID_SCRIPTS  # noqa: E402
from fluxd.chainstate.chainstate import COLUMNS, Chainstate  # noqa: E402
from fluxd.consensus.arith import block_work  # noqa: E402
from fluxd.consensus.pon import TEST_BYPASS_COLLATERAL  # noqa: E402
from fluxd.core.block import PON_VERSION, BlockHeader  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.params import networks  # noqa: E402
from fluxd.storage.block_files import BlockFiles  # noqa: E402
from fluxd.storage.memory import MemoryStore  # noqa: E402

PARAMS = networks.regtest_params()  # PoN from genesis: blocks need no Equihash solution
SCRIPT = p2pkh_script(bytes(20))
SPACING = 30
CONNECTED = BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO


class Clock:
    def __init__(self, time_now: int) -> None:
        self.time = time_now

    def __call__(self) -> int:
        return self.time


def synthetic_chainstate(height: int) -> tuple[Chainstate, Clock]:
    """A chainstate whose active chain is ``height`` blocks of index rows over a real genesis."""
    directory = Path(tempfile.mkdtemp(prefix="fluxd-bench-height-"))
    clock = Clock(0)
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(directory, PARAMS.message_start), clock)
    chainstate.load()
    tip = chainstate.tip
    bits, started = tip.bits, time.perf_counter()
    for number in range(1, height + 1):
        header = BlockHeader(PON_VERSION, tip.hash_rev, number.to_bytes(32, "little"), bytes(32),
                             tip.time + SPACING, bits, collateral=TEST_BYPASS_COLLATERAL)  # fmt: skip
        entry = chainstate.index.add(header, tip.chainwork + block_work(bits, PON_VERSION), tip, CONNECTED)
        entry.tx_count, entry.chain_tx_count = 1, number + 1
        chainstate.index.take_unsaved_header(entry.row)  # rows only: nothing below reads these headers
        chainstate._chain.append(entry)
        tip = entry
        if number % 500_000 == 0:
            print(f"  synthetic chain: {number} rows ({time.perf_counter() - started:.0f}s)", flush=True)
    chainstate.most_work_header = chainstate.best_header = tip
    chainstate._publish()
    chainstate._rebuild_candidates()
    clock.time = tip.time + 10**6
    return chainstate, clock


def connect_blocks(chainstate: Chainstate, clock: Clock, count: int, parent=None, offset: int = 0) -> float:
    """Seconds spent in process_block for ``count`` new blocks (building them is not counted)."""
    spent = 0.0
    for _ in range(count):
        tip = parent or chainstate.tip
        block = build_block(PARAMS, tip, SCRIPT, tip.time + SPACING + offset)
        started = time.perf_counter()
        parent = chainstate.process_block(block)
        spent += time.perf_counter() - started
    return spent


def measure(height: int, blocks: int, depth: int) -> tuple[float, float]:
    chainstate, clock = synthetic_chainstate(height)
    connect_blocks(chainstate, clock, 20)  # warm-up: caches, the first flush
    per_block = connect_blocks(chainstate, clock, blocks) / blocks
    fork = chainstate.entry_at(chainstate.height - depth)
    started = time.perf_counter()
    connect_blocks(chainstate, clock, depth + 1, parent=fork, offset=7)  # the last one makes it the longer branch
    reorg = (time.perf_counter() - started) / (2 * depth + 1)  # depth disconnects + depth + 1 connects
    assert chainstate.height == height + 20 + blocks + 1
    return per_block, reorg


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--low", type=int, default=1000)
    parser.add_argument("--high", type=int, default=2_000_000)
    parser.add_argument("--blocks", type=int, default=300)
    parser.add_argument("--depth", type=int, default=10, help="blocks disconnected by the reorganisation")
    args = parser.parse_args()
    measure(args.low, args.blocks, args.depth)  # a first run warms the process (imports, allocator, caches)
    low = measure(args.low, args.blocks, args.depth)
    high = measure(args.high, args.blocks, args.depth)
    for name, (connect, reorg) in (("low", low), ("high", high)):
        height = args.low if name == "low" else args.high
        print(f"height ~{height:>9,}: connect {connect * 1000:.3f} ms/block, reorganisation {reorg * 1000:.3f} ms/block step")
    print(f"connect_ms_per_block_low={low[0] * 1000:.3f} connect_ms_per_block_high={high[0] * 1000:.3f} "
          f"ratio_high_over_low={high[0] / low[0]:.2f}")
    print(f"reorg_ms_per_step_low={low[1] * 1000:.3f} reorg_ms_per_step_high={high[1] * 1000:.3f} "
          f"ratio_high_over_low={high[1] / low[1]:.2f}")


if __name__ == "__main__":
    main()
