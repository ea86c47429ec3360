"""Note commitment trees: milliseconds per append and per root at about 1,000 leaves.

Run: .venv/bin/python bench/bench_trees.py [--leaves 1000] [--roots 20]

Appends are timed over the whole fill from empty (amortized: about one node
hash each).  Roots are recomputed from scratch (the memo is cleared) at the
final size; the Sapling root is timed both through the native
fluxwallet_sapling path (when installed) and in pure Python.
"""

from __future__ import annotations

import argparse
import os
import time

from fluxd.consensus.trees import sha256_compress
from fluxd.consensus.trees.jubjub import Q
from fluxd.consensus.trees.pedersen_hash import merkle_crh
from fluxd.consensus.trees.sapling_tree import SaplingTree, native_root_available
from fluxd.consensus.trees.sprout_tree import SproutTree


def _leaves(count: int, field: bool) -> list[bytes]:
    out = []
    for _ in range(count):
        raw = os.urandom(32)
        if field:
            raw = (int.from_bytes(raw, "little") % Q).to_bytes(32, "little")
        out.append(raw)
    return out


def _time_appends(tree, leaves: list[bytes]) -> float:
    start = time.perf_counter()
    for leaf in leaves:
        tree.append(leaf)
    return (time.perf_counter() - start) * 1000 / len(leaves)


def _time_roots(tree, repeats: int, compute) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        tree._root = None
        compute(tree)
    return (time.perf_counter() - start) * 1000 / repeats


def _time_calls(call, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - start) * 1e6 / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1000)
    parser.add_argument("--roots", type=int, default=20)
    args = parser.parse_args()

    block = os.urandom(64)
    print(f"SHA256Compress native={sha256_compress.native_available()}: "
          f"{_time_calls(lambda: sha256_compress.sha256_compress(block), 20000):.2f} us/call, "
          f"pure Python {_time_calls(lambda: sha256_compress.sha256_compress_python(block), 2000):.1f} us/call")
    merkle_crh(0, bytes(32), bytes(32))  # build the generator tables before timing
    a, b = _leaves(2, True)
    print(f"MerkleCRH (pure Python): {_time_calls(lambda: merkle_crh(5, a, b), 300) / 1000:.3f} ms/hash")

    sprout = SproutTree()
    per_append = _time_appends(sprout, _leaves(args.leaves, False))
    per_root = _time_roots(sprout, args.roots, SproutTree.root)
    print(f"SproutTree  size {sprout.size()}: {per_append:.4f} ms/append, {per_root:.3f} ms/root")

    sapling = SaplingTree()
    per_append = _time_appends(sapling, _leaves(args.leaves, True))
    python_root = _time_roots(sapling, args.roots, SaplingTree.python_root)
    line = f"SaplingTree size {sapling.size()}: {per_append:.3f} ms/append, {python_root:.2f} ms/root (Python)"
    if native_root_available():
        native_root = _time_roots(sapling, args.roots, SaplingTree.root)
        line += f", {native_root:.2f} ms/root (fluxwallet_sapling)"
    print(line)


if __name__ == "__main__":
    main()
