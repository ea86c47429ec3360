"""Initial block download speed: a fresh regtest node syncs a 5,000-block chain from one peer and from three.

Run: .venv/bin/python bench/bench_ibd.py [blocks]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.functional.ibd import build_sources, timed_sync  # noqa: E402


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        sources = build_sources(base, blocks, 3)
        started = []
        try:
            for peers in (1, 3):
                seconds, node = timed_sync(base, sources[:peers], f"fresh{peers}")
                started.append(node)
                print(f"IBD {blocks} blocks from {peers} peer(s): {seconds:.1f} s, {blocks / seconds:,.0f} blocks/s")
        finally:
            for node in sources + started:
                node.stop()


if __name__ == "__main__":
    main()
