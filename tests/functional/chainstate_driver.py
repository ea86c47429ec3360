"""A process that connects prepared regtest blocks into a Chainstate on RocksDB (for the kill -9 test).

    python -m tests.functional.chainstate_driver <datadir> <blocks file> <cache bytes>

At start it loads the chainstate (which connects stored blocks beyond the
flushed tip), checks the top blocks with VerifyDB level 3 (exit 3 on failure),
prints ``LOADED <height>``, then processes every block of the file (known ones
are skipped; pipelined, with a script-check worker process) printing ``H <height>`` after each, flushes and prints
``DONE <tip> <utxo hash> <txouts> <digest of the undo, txindex and state-module columns>``.  Two toy state modules
(a consensus and an index module, ``tests/toy_modules.py``) are registered, so their state is checked too.  ``build_chain`` makes the blocks file:
PoW regtest blocks whose coinbases mature and are spent by P2PKH transactions.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

from tests.block_building import build_block
from fluxd.chainstate.detached_entry import DetachedEntry
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.utxo_stats import utxo_stats
from fluxd.chainstate.verify_db import verify_db
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.genesis import build_genesis_block
from fluxd.params.upgrades import Upgrade
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.rocks import RocksStore
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature
from tests.toy_modules import BlockCounter, SpentValueIndex

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEY = PrivateKey(bytes([3]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)
START = 1_600_000_000
FEE = 1_000


def _spend(keys: KeyStore, prevout: OutPoint, value: int, parts: int) -> Transaction:
    share = (value - FEE) // parts
    tx = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=tuple(TxOut(share, SCRIPT) for _ in range(parts)))
    script_sig, complete = produce_signature(keys, SCRIPT, SigningInput(tx, 0, value, 1, 0))
    assert complete
    return tx.copy_with(vin=(TxIn(prevout, script_sig),))


def build_chain(count: int) -> list[Block]:
    """Blocks 1..count; from 101 each spends the coinbase of h-100 (3 ways) and an output of the previous spend."""
    keys = KeyStore()
    keys.add_key(KEY)
    genesis = build_genesis_block(PARAMS)
    prev = DetachedEntry(genesis.header, 0, 0)
    blocks: list[Block] = []
    previous_split: Transaction | None = None
    for height in range(1, count + 1):
        txs = []
        if height > 100:
            coinbase = blocks[height - 101].transactions[0]
            split = _spend(keys, OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, 3)
            txs.append(split)
            if previous_split is not None:
                txs.append(_spend(keys, OutPoint(previous_split.txid_rev, height % 3), previous_split.vout[0].value, 1))
            previous_split = split
        block = build_block(PARAMS, prev, SCRIPT, START + 600 * height, tuple(txs), FEE * len(txs))
        blocks.append(block)
        prev = DetachedEntry(block.header, height, 0, prev)
    return blocks


def write_blocks(path: Path, blocks: list[Block]) -> None:
    path.write_bytes(b"".join(struct.pack("<I", len(raw)) + raw for raw in (block.to_bytes() for block in blocks)))


def read_blocks(path: Path) -> list[bytes]:
    data, offset, blocks = path.read_bytes(), 0, []
    while offset < len(data):
        (size,) = struct.unpack_from("<I", data, offset)
        blocks.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return blocks


def open_chainstate(datadir: Path, cache_bytes: int) -> Chainstate:
    store = RocksStore(datadir / "chainstate", COLUMNS)
    files = BlockFiles(datadir / "blocks", PARAMS.message_start)
    verifier = ScriptVerifier.with_processes(1)  # pipelined: a kill may come while blocks are pending
    chainstate = Chainstate(PARAMS, store, files, lambda: START + 10**8, verifier, cache_bytes=cache_bytes)
    register_toy_modules(chainstate)
    chainstate.load()
    return chainstate


def register_toy_modules(chainstate: Chainstate) -> None:
    chainstate.register_module(BlockCounter())
    chainstate.register_module(SpentValueIndex())


def final_state(chainstate: Chainstate) -> tuple[str, str, str, str]:
    """Tip, UTXO hash, output count and a digest of the undo and txindex columns, from one snapshot."""
    snapshot = chainstate.store.snapshot()
    stats = utxo_stats(snapshot, chainstate.tip.hash_rev, chainstate.height)
    digest = hashlib.sha256()
    for column in ("undo", "txindex", "ext", "ext_undo"):
        for key, value in snapshot.iterate(column):
            digest.update(key + value)
    return chainstate.tip.hash_hum, stats.hash_serialized_rev.hex(), str(stats.txouts), digest.hexdigest()


def main(datadir: Path, blocks_file: Path, cache_bytes: int) -> int:
    chainstate = open_chainstate(datadir, cache_bytes)
    if not verify_db(chainstate, 3, 50):
        return 3
    print(f"LOADED {chainstate.height}", flush=True)
    for raw in read_blocks(blocks_file):
        entry = chainstate.process_block(Block.from_bytes(raw), pipelined=True)
        print(f"H {entry.height}", flush=True)
    print("DONE " + " ".join(final_state(chainstate)), flush=True)  # the snapshot settles the pending blocks
    chainstate.store.close()
    chainstate.verifier.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
