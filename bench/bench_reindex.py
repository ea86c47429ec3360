"""Time -reindex of a regtest chain (default 5,000 PoN blocks; --pow for Equihash blocks): prints blocks/s for the import alone and end to end."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.functional.framework import NodeProcess, wait_until  # noqa: E402

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


def main(blocks: int, pow_blocks: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        node = NodeProcess(Path(tmp) / "n", [f"-mineraddress={MINER}", *(["-nuparams=pon:1000000"] if pow_blocks else [])]).start()
        node.rpc("setmocktime", 1_700_000_000)
        started = time.monotonic()
        for _ in range(blocks // 500):
            node.rpc("generate", 500)
        node.rpc("generate", blocks % 500) if blocks % 500 else None
        print(f"generate {blocks}: {time.monotonic() - started:.1f}s")
        node.stop()
        node.extra_args.append("-reindex")
        kind = "PoW (Equihash 48,5)" if pow_blocks else "PoN"
        started = time.monotonic()
        node.start()
        wait_until(lambda: node.rpc("getblockcount") == blocks, 1800, 0.2, "reindex")
        total = time.monotonic() - started
        node.stop()
        log = (node.net_dir / "debug.log").read_text(errors="replace")
        finished = re.findall(r"Reindexing finished: .*", log)
        print(f"reindex {blocks} {kind} blocks: {total:.1f}s end to end ({blocks / total:.0f} blocks/s); {finished[-1] if finished else ''}")


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    main(int(numbers[0]) if numbers else 5000, "--pow" in sys.argv)
