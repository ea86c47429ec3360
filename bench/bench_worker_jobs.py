"""What moving CheckBlock into a worker process would save the chain writer, and cost the worker.

Uses the chain of ``bench_connect.py`` (built there and cached under the temp
directory).  Prints, per block: the writer's CheckBlock (PoW already checked,
as process_block runs it), the writer's cost of handing the block to a worker
instead (encoding a ``BlockCheck`` job), and the worker's cost of the job (its
own parse of the raw block plus CheckBlock), measured by running the jobs
through one worker process.

    .venv/bin/python bench/bench_worker_jobs.py [--blocks 5000] [--spends 24]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_connect import PARAMS, load_or_build  # noqa: E402

from fluxd.chainstate.block_jobs import BlockCheck, check_raw_block  # noqa: E402
from fluxd.chainstate.worker_jobs import encode  # noqa: E402
from fluxd.chainstate.worker_pool import WorkerPool  # noqa: E402
from fluxd.consensus.block_check import check_block  # noqa: E402
from fluxd.core.block import Block  # noqa: E402

NOW = 2_000_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=5000)
    parser.add_argument("--spends", type=int, default=24)
    args = parser.parse_args()
    raw_blocks = load_or_build(args.blocks, args.spends)
    blocks = [Block.from_bytes(raw) for raw in raw_blocks]
    jobs = [BlockCheck(PARAMS, raw, NOW, height, False) for height, raw in enumerate(raw_blocks)]
    started = time.perf_counter()
    for height, block in enumerate(blocks):
        check_block(PARAMS, block, NOW, height, check_pow=False)
    inline = time.perf_counter() - started
    started = time.perf_counter()
    for job in jobs:
        encode(job)
    handing = time.perf_counter() - started
    started = time.perf_counter()
    for job in jobs[:500]:
        check_raw_block(job)
    in_worker = (time.perf_counter() - started) * len(jobs) / 500
    pool = WorkerPool(1)
    try:
        pool.run(jobs[0]).result()  # started
        started = time.perf_counter()
        pending = [pool.run(job) for job in jobs]
        assert all(job.result().reason is None for job in pending)
        through = time.perf_counter() - started
    finally:
        pool.close()
    per = 1e3 / len(jobs)
    print(f"{len(jobs)} blocks: writer CheckBlock {inline:.2f} s ({inline * per:.3f} ms/block); "
          f"handing it over {handing:.2f} s ({handing * per:.3f} ms/block)")  # fmt: skip
    print(f"the job's work (parse + CheckBlock) {in_worker:.2f} s ({in_worker * per:.3f} ms/block); "
          f"all jobs through one worker {through:.2f} s wall")  # fmt: skip


if __name__ == "__main__":
    main()
