"""Signature verifications per second: through the script interpreter vs raw coincurve verify.

Run: .venv/bin/python bench/bench_script.py [inputs]
"""

from __future__ import annotations

import sys
import time

import coincurve

from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch
from fluxd.consensus.script_errors import BLOCK_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.consensus.sighash import PrecomputedHashes, signature_hash
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.upgrades import FLUX_BRANCH_ID
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature


def build(inputs: int) -> tuple[Transaction, list[SpentOutput]]:
    keys = [PrivateKey(index.to_bytes(32, "big")) for index in range(1, inputs + 1)]
    store = KeyStore()
    for key in keys:
        store.add_key(key)
    spent = [SpentOutput(p2pkh_script(key.key_id), 10_000) for key in keys]
    tx = Transaction(
        version=4, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID,
        vin=tuple(TxIn(OutPoint(index.to_bytes(32, "little"), 0), b"") for index in range(inputs)),
        vout=(TxOut(1, p2pkh_script(keys[0].key_id)),),
    )  # fmt: skip
    vin = list(tx.vin)
    for index, output in enumerate(spent):
        script_sig, _ = produce_signature(store, output.script_pubkey, SigningInput(tx, index, 10_000, 1, FLUX_BRANCH_ID))
        vin[index] = TxIn(vin[index].prevout, script_sig)
    return tx.copy_with(vin=tuple(vin)), spent


def main() -> None:
    inputs = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    tx, spent = build(inputs)
    cache = PrecomputedHashes(tx)
    raw = []
    for index, txin in enumerate(tx.vin):
        sig = txin.script_sig[1 : 1 + txin.script_sig[0]]
        pubkey = txin.script_sig[2 + txin.script_sig[0] :]
        digest = signature_hash(spent[index].script_pubkey, tx, index, 1, 10_000, FLUX_BRANCH_ID, cache)
        raw.append((coincurve.PublicKey(pubkey), sig[:-1], digest))

    start = time.perf_counter()
    for public_key, der, digest in raw:
        assert public_key.verify(der, digest, hasher=None)
    raw_rate = inputs / (time.perf_counter() - start)

    start = time.perf_counter()
    for index, txin in enumerate(tx.vin):
        checker = SignatureChecker(tx, index, 10_000, cache)
        assert verify_script(txin.script_sig, spent[index].script_pubkey, BLOCK_SCRIPT_VERIFY_FLAGS, checker, FLUX_BRANCH_ID) is ScriptError.OK
    interp_rate = inputs / (time.perf_counter() - start)

    small_tx, small_spent = build(10)
    batches = [TxScriptBatch(small_tx, tuple(small_spent), BLOCK_SCRIPT_VERIFY_FLAGS, FLUX_BRANCH_ID)] * (inputs // 10)
    for name, verifier in (("threads", ScriptVerifier.with_threads()), ("processes", ScriptVerifier.with_processes())):
        verifier.first_failure(batches[:2])
        start = time.perf_counter()
        assert verifier.first_failure(batches) is None
        rate = inputs / (time.perf_counter() - start)
        verifier.close()
        print(f"pool ({name:9s}):            {rate:10.0f} inputs/s (batches of 10 inputs, repeated keys)")
    print(f"raw coincurve verify:         {raw_rate:10.0f} sig/s")
    print(f"interpreter (P2PKH, ZIP-243): {interp_rate:10.0f} sig/s")
    print(f"ratio interpreter/raw:        {interp_rate / raw_rate:10.2f}")


if __name__ == "__main__":
    main()
