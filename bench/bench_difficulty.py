"""Next-work computations per second: LWMA3 (mainnet PoW era) and PoN, over a synthetic chain.

Run: .venv/bin/python bench/bench_difficulty.py
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fluxd.consensus.difficulty import median_time_past, next_work_required
from fluxd.params import networks

CHAIN_LENGTH = 2_000
SEED_LENGTH = 61  # blocks below the measured range, so every window is complete


@dataclass(eq=False, slots=True)
class SyntheticEntry:
    height: int
    time: int
    bits: int
    prev: "SyntheticEntry | None"

    def ancestor(self, height: int) -> "SyntheticEntry | None":
        walker: SyntheticEntry | None = self
        while walker is not None and walker.height > height:
            walker = walker.prev
        return walker


def synthetic_chain(params, first_height: int, spacing: int) -> list[SyntheticEntry]:
    """A 61-block seed below ``first_height``, then CHAIN_LENGTH blocks with jittered spacing,
    each carrying the bits next_work_required demands."""
    chain: list[SyntheticEntry] = []
    for index in range(-SEED_LENGTH, CHAIN_LENGTH):
        block_time = 1_700_000_000 + index * spacing + (index * 37) % (spacing + 1) - spacing // 2
        prev = chain[-1] if chain else None
        bits = 0x1D2EE03B if index < 0 else next_work_required(params, prev, block_time)
        chain.append(SyntheticEntry(first_height + index, block_time, bits, prev))
    return chain


def measure(label: str, params, chain: list[SyntheticEntry], skip: int) -> None:
    tips = chain[skip:]
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        for tip in tips:
            next_work_required(params, tip, tip.time + 60)
        calls += len(tips)
    elapsed = time.perf_counter() - start
    print(f"{label:28s}: {calls / elapsed:10.0f} next-work/s ({elapsed / calls * 1e6:6.1f} us each)")


def main() -> None:
    mainnet = networks.main_params()
    lwma3_chain = synthetic_chain(mainnet, 1_000_000, mainnet.pow_target_spacing)
    measure("LWMA3 (mainnet, N=60)", mainnet, lwma3_chain, skip=SEED_LENGTH)
    pon_chain = synthetic_chain(mainnet, 2_020_000, mainnet.pon_target_spacing)
    measure("PoN (mainnet, window 30)", mainnet, pon_chain, skip=SEED_LENGTH)
    regtest = networks.regtest_params()
    regtest_pon = synthetic_chain(regtest, SEED_LENGTH, regtest.pon_target_spacing)
    measure("PoN (regtest, window 60)", regtest, regtest_pon, skip=SEED_LENGTH)
    tips = lwma3_chain[SEED_LENGTH:]
    start = time.perf_counter()
    for tip in tips:
        median_time_past(tip)
    print(f"{'median time past':28s}: {len(tips) / (time.perf_counter() - start):10.0f} /s")


if __name__ == "__main__":
    main()
