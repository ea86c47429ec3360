"""Equihash: verifications/s per parameter set (real headers) and the 48,5 / 96,5 solver speed.

Run: .venv/bin/python bench/bench_equihash.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from fluxd.consensus.equihash import is_valid_solution
from fluxd.consensus.equihash_solver import solve
from fluxd.params.chainparams import EH48_5, EH96_5, EquihashParams

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "equihash_vectors.json"


def bench_verify() -> None:
    headers = json.loads(VECTORS.read_text())["real_headers"]
    for label, height in (("200,9", 100000), ("125,4", 2019999), ("48,5", 0)):
        case = next(h for h in headers if h["height"] == height and (height or h["network"] == "regtest"))
        params = EquihashParams(case["n"], case["k"])
        header_input, solution = bytes.fromhex(case["input_140_hex"]), bytes.fromhex(case["solution_hex"])
        rounds, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0:
            assert is_valid_solution(params, header_input, solution)
            rounds += 1
        print(f"verify {label:6s}: {rounds / (time.perf_counter() - start):8.0f} headers/s")


def bench_solver(params: EquihashParams, nonces: int) -> None:
    found, start = 0, time.perf_counter()
    for nonce in range(nonces):
        found += len(solve(params, bytes(108) + nonce.to_bytes(32, "little")))
    elapsed = time.perf_counter() - start
    print(f"solve  {params.n},{params.k}: {elapsed / nonces * 1000:8.2f} ms/nonce, {elapsed / max(found, 1) * 1000:8.2f} ms/solution ({found} solutions, {nonces} nonces)")


if __name__ == "__main__":
    bench_verify()
    bench_solver(EH48_5, 300)
    bench_solver(EH96_5, 3)
