"""Time one RedJubjub verify (pure Python) on the zcash-test-vectors spendAuthSig vectors."""

import json
import time
from pathlib import Path

from fluxd.consensus.shielded.jubjub import SPENDING_KEY_BASE
from fluxd.consensus.shielded.redjubjub import verify

VECTORS = Path(__file__).parent.parent / "tests/data/vectors/zcash_test_vectors/sapling_signatures.json"


def main(rounds: int = 200) -> None:
    rows = [[bytes.fromhex(x) for x in row] for row in json.loads(VECTORS.read_text())[2:]]
    cases = [(row[1], row[1] + row[5], row[6]) for row in rows]
    assert all(verify(vk, m, sig, SPENDING_KEY_BASE) for vk, m, sig in cases)  # warms the table
    start = time.perf_counter()
    for i in range(rounds):
        vk, m, sig = cases[i % len(cases)]
        verify(vk, m, sig, SPENDING_KEY_BASE)
    per = (time.perf_counter() - start) / rounds
    print(f"redjubjub.verify: {per * 1000:.3f} ms per signature ({rounds} rounds)")


if __name__ == "__main__":
    main()
