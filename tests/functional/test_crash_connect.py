"""kill -9 a process connecting 3,000 regtest blocks at 20 seeded random moments: it ends where an uninterrupted run ends.

The driver (``chainstate_driver.py``) runs a Chainstate on RocksDB with a small
-dbcache share, so flushes happen every few dozen blocks and kills land before,
inside and after them, and during the start-up reconnect of stored blocks.
Every restart must pass VerifyDB level 3; the final tip, UTXO hash, undo and
txindex records must equal those of a chainstate (memory store, flushing every
block) that connected the same blocks without a break.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from tests.functional import chainstate_driver as driver

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = 3000
KILLS = 20
CACHE_BYTES = 150_000


def uninterrupted(blocks, directory: Path) -> tuple[str, str, str, str]:
    chainstate = Chainstate(driver.PARAMS, MemoryStore(COLUMNS), BlockFiles(directory, driver.PARAMS.message_start), lambda: driver.START + 10**8)
    driver.register_toy_modules(chainstate)  # the toy modules' state must equal the killed runs' too
    chainstate.load()
    for block in blocks:
        chainstate.process_block(block)
    return driver.final_state(chainstate)


def start_driver(datadir: Path, blocks_file: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}")
    command = [sys.executable, "-m", "tests.functional.chainstate_driver", str(datadir), str(blocks_file), str(CACHE_BYTES)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def run_until_killed(process: subprocess.Popen, rng: random.Random) -> int:
    """Kill after a random number of connected blocks (or, one time in four, a random time after start)."""
    target = rng.randint(1, 280)
    by_time = rng.random() < 0.25
    deadline = time.monotonic() + rng.uniform(0.2, 2.0)
    loaded = None
    for line in process.stdout:
        if line.startswith("LOADED"):
            loaded = int(line.split()[1])
        if line.startswith("H ") and loaded is not None and (by_time and time.monotonic() > deadline or int(line.split()[1]) - loaded >= target):
            time.sleep(rng.uniform(0, 0.01))
            break
        if line.startswith("DONE"):
            break
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert process.returncode in (-signal.SIGKILL, 0), process.stderr.read()
    return loaded if loaded is not None else -1


@pytest.mark.slow
def test_sigkill_at_random_moments_ends_like_an_uninterrupted_run(tmp_path):
    blocks = driver.build_chain(BLOCKS)
    blocks_file = tmp_path / "chain.blocks"
    driver.write_blocks(blocks_file, blocks)
    expected = uninterrupted(blocks, tmp_path / "reference")
    rng = random.Random(20261201)
    datadir = tmp_path / "node"
    loads = [run_until_killed(start_driver(datadir, blocks_file), rng) for _ in range(KILLS)]
    assert loads[-1] > 0 and loads == sorted(loads)  # progress survives every kill (stored blocks are reconnected)
    final = start_driver(datadir, blocks_file)
    out, err = final.communicate(timeout=600)
    assert final.returncode == 0, err
    done = [line.split() for line in out.splitlines() if line.startswith("DONE")]
    assert done and tuple(done[0][1:]) == expected
