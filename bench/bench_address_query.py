"""getaddressdeltas / getaddressutxos latency on one busy address whose index records are in RocksDB.

A synthetic chain is connected through the real address index module
(``AddressIndex.connect_block`` on blocks with their spent coins, as
tests/unit/rpc/insight_chain.py does; blocks are not solved, the module reads
transactions and spent coins only), flushed block range by block range into a
RocksStore under a temp directory, and the store reopened so the queries read
the database's files.  Each block has one transaction that spends ``--spends``
earlier outputs of the address A and the previous coinbase, and pays A
``--outputs`` new ones plus a change output to another address (the coinbase
pays a third), so A gets ``outputs + spends`` deltas a block; the defaults give
A ~100,000 deltas (60,000 outputs, 39,980 spends) and ~20,000 unspent outputs.

Records are checked before timing: a sample of A's deltas and unspent outputs
against what the bench itself paid and spent, and the counts.  Then the RPC
handlers (``rpc_getaddressdeltas`` / ``rpc_getaddressutxos`` with a node-like
object, as tests/unit/rpc/test_address_rpcs.py calls them) are timed alone and
followed by the server's JSON writer (``univalue.dumps``): median and p90 over
``--repeats``, next to the target (< 50 ms).

    .venv/bin/python bench/bench_address_query.py [--blocks 2000] [--outputs 30] [--spends 20] [--repeats 15] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/

from fluxd.chainstate.address_index import AddressIndex, address_deltas, address_unspent, script_address_key  # noqa: E402
from fluxd.chainstate.chainstate import COLUMNS  # noqa: E402
from fluxd.chainstate.coins import Coin  # noqa: E402
from fluxd.chainstate.locked_reader import LockedStateReader  # noqa: E402
from fluxd.chainstate.modules import BlockContext  # noqa: E402
from fluxd.chainstate.state_columns import StateReader, StateWriter  # noqa: E402
from fluxd.chainstate.undo import BlockUndo  # noqa: E402
from fluxd.core.address import Destination, encode_destination  # noqa: E402
from fluxd.core.block import Block, BlockHeader  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.core.tx_parts import OutPoint  # noqa: E402
from fluxd.rpc.methods.address_rpcs import rpc_getaddressdeltas, rpc_getaddressutxos  # noqa: E402
from fluxd.storage.kv import WriteBatch  # noqa: E402
from fluxd.storage.rocks import RocksStore  # noqa: E402
from fluxd.util.univalue import dumps  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402
from fluxd.core.tx_parts import TxIn, TxOut  # noqa: E402
from tests.unit.rpc.insight_chain import PARAMS, Entry, View, spend  # noqa: E402

TARGET_MS = 50.0
HASH_A, HASH_CHANGE, HASH_MINER = bytes([0xA1]) * 20, bytes([0xC4]) * 20, bytes([0x3E]) * 20
SCRIPT_A, SCRIPT_CHANGE, SCRIPT_MINER = p2pkh_script(HASH_A), p2pkh_script(HASH_CHANGE), p2pkh_script(HASH_MINER)
ADDR_A = encode_destination(Destination("pubkeyhash", HASH_A), PARAMS.base58)
FLUSH_BLOCKS = 200


def coinbase(height: int, outputs) -> Transaction:
    script_sig = bytes([4]) + height.to_bytes(4, "little")
    return Transaction(version=1, vin=(TxIn(OutPoint.null(), script_sig, 0xFFFFFFFF),), vout=tuple(TxOut(v, s) for v, s in outputs))


def prev_coinbase(view: View):
    return view.blocks[view.tip.hash_rev].transactions[0]


class Chain:
    """Blocks connected through the address index module, flushed into ``store`` every FLUSH_BLOCKS blocks."""

    def __init__(self, store: RocksStore) -> None:
        self.store = store
        self.module = AddressIndex()
        self.view = View([])
        self.view.blocks = {}
        self.layer: dict = {}
        self.coins: dict[OutPoint, Coin] = {}
        self.unspent_a: list[OutPoint] = []  # A's unspent outputs, oldest first
        self.expected_deltas = 0
        self.sample: dict[tuple[bytes, int, bool], tuple[int, int]] = {}  # (txid_rev, index, spending) -> (height, satoshis)

    def add_block(self, outputs: int, spends: int) -> None:
        height = len(self.view.entries)
        prev = self.view.entries[-1] if self.view.entries else None
        txs = [coinbase(height, [(50_000 + height, SCRIPT_MINER)])]
        if height > 0:
            spent, self.unspent_a = self.unspent_a[:spends], self.unspent_a[spends:]
            spent.append(OutPoint(prev_coinbase(self.view).txid_rev, 0))  # the previous block's coinbase too
            paid = [(10_000 + height * 100 + n, SCRIPT_A) for n in range(outputs)] + [(1_000 + height, SCRIPT_CHANGE)]
            txs.append(spend(spent, paid))
        header = BlockHeader(4, prev.hash_rev if prev else bytes(32), height.to_bytes(32, "little"), bytes(32), 1_000_000 + 600 * height, 0x200F0F0F)
        block = Block(header, tuple(txs))
        entry = Entry(height, block.hash_rev, header.time, prev, chainwork=height + 1)
        undo = []
        for position, tx in enumerate(txs[1:], start=1):
            coins = tuple(self.coins.pop(txin.prevout) for txin in tx.vin)
            undo.append(coins)
            for index, (txin, coin) in enumerate(zip(tx.vin, coins)):
                if coin.script_pubkey == SCRIPT_A:
                    self.expected_deltas += 1
                    if index % 97 == 0:
                        self.sample[(tx.txid_rev, index, True)] = (height, -coin.value)
        for tx in txs:
            for n, out in enumerate(tx.vout):
                outpoint = OutPoint(tx.txid_rev, n)
                self.coins[outpoint] = Coin(out.value, out.script_pubkey, height, tx.is_coinbase())
                if out.script_pubkey == SCRIPT_A:
                    self.unspent_a.append(outpoint)
                    self.expected_deltas += 1
                    if n % 97 == 0:
                        self.sample[(tx.txid_rev, n, False)] = (height, out.value)
        self.module.connect_block(BlockContext(block, entry, None, BlockUndo(tuple(undo))), StateWriter(self.layer, [], self.store))
        self.view.entries.append(entry)
        self.view.blocks = {block.hash_rev: block}  # the last one only
        if (height + 1) % FLUSH_BLOCKS == 0:
            self.flush()

    def flush(self) -> None:
        batch = WriteBatch()
        for column, writes in self.layer.items():
            for db_key, value in writes.items():
                if value is None:
                    batch.delete(column.family, db_key)
                else:
                    batch.put(column.family, db_key, value)
        self.store.write(batch)
        self.layer = {}


def check(reader: StateReader, chain: Chain) -> tuple[int, int]:
    """A's records read back through the index queries are the ones the bench made."""
    key_a = script_address_key(SCRIPT_A)
    deltas = address_deltas(reader, key_a)
    assert len(deltas) == chain.expected_deltas, (len(deltas), chain.expected_deltas)
    by_key = {(d.txid_rev, d.index, d.spending): (d.height, d.satoshis) for d in deltas}
    assert all(by_key[key] == value for key, value in chain.sample.items()), "a sampled delta differs"
    assert [(d.height, d.block_position) for d in deltas] == sorted((d.height, d.block_position) for d in deltas)
    unspent = address_unspent(reader, key_a)
    assert sorted((u.txid_rev, u.index) for u in unspent) == sorted((o.txid_rev, o.n) for o in chain.unspent_a)
    for output in unspent[:: max(1, len(unspent) // 200)]:
        coin = chain.coins[OutPoint(output.txid_rev, output.index)]
        assert (output.satoshis, output.height, output.script_pubkey) == (coin.value, coin.height, coin.script_pubkey)
    middle = chain.view.height // 2
    ranged = address_deltas(reader, key_a, middle, middle + 9)
    assert ranged == [d for d in deltas if middle <= d.height <= middle + 9] and ranged
    other = sum(1 for _ in reader.iterate_raw(AddressIndex.columns[0])) - len(deltas)
    return len(deltas), len(unspent), other


def node_over(chain: Chain, store: RocksStore) -> SimpleNamespace:
    modules = {"addressindex": chain.module}
    lock = threading.RLock()  # as Chainstate.state_reader: a LockedStateReader over the tip cache's (empty) layer
    chainstate = SimpleNamespace(module=modules.get, state_reader=lambda: LockedStateReader(StateReader([{}], store), lock),
                                 view=lambda: chain.view, height=chain.view.height)  # fmt: skip
    return SimpleNamespace(params=PARAMS, chainstate=chainstate, mempool=None)


def timed(call, repeats: int) -> tuple[float, float, float, object]:
    """(median ms, p90 ms, min ms, the last result) over ``repeats`` calls after one warm-up call."""
    result = call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    return statistics.median(times), p90, times[0], result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=2000)
    parser.add_argument("--outputs", type=int, default=30, help="outputs paid to A per block")
    parser.add_argument("--spends", type=int, default=20, help="A's outputs spent per block")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", help="build the database in this directory (reused when it holds one; default: a temp dir)")
    args = parser.parse_args()
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fluxd-bench-address-"))
    started = time.perf_counter()
    store = RocksStore(directory / "chainstate", COLUMNS)
    chain = Chain(store)
    for _ in range(args.blocks + 1):
        chain.add_block(args.outputs, args.spends)
    chain.flush()
    store.close()
    store = RocksStore(directory / "chainstate", COLUMNS)  # the records are read from the database's files
    print(f"built {args.blocks} blocks into RocksDB in {time.perf_counter() - started:.1f}s ({directory})")
    deltas, unspent, other = check(StateReader([], store), chain)
    print(f"address {ADDR_A}: {deltas} deltas, {unspent} unspent outputs (checked); {other} deltas of other addresses")
    node = node_over(chain, store)
    calls = {
        "getaddressdeltas": lambda: rpc_getaddressdeltas(node, [{"addresses": [ADDR_A]}]),
        "getaddressdeltas + JSON": lambda: dumps(rpc_getaddressdeltas(node, [{"addresses": [ADDR_A]}])),
        "getaddressdeltas 100-block range": lambda: rpc_getaddressdeltas(node, [{"addresses": [ADDR_A], "start": 1000, "end": 1099}]),
        "getaddressutxos": lambda: rpc_getaddressutxos(node, [{"addresses": [ADDR_A]}]),
        "getaddressutxos + JSON": lambda: dumps(rpc_getaddressutxos(node, [{"addresses": [ADDR_A]}])),
    }
    profiler = cProfile.Profile() if args.profile else None
    for name, call in calls.items():
        if profiler:
            profiler.enable()
        median, p90, fastest, result = timed(call, args.repeats)
        if profiler:
            profiler.disable()
        size = len(result) if isinstance(result, (list, str)) else len(result)
        status = "met" if p90 < TARGET_MS else "NOT met"
        print(f"{name:34s} median {median:7.1f} ms  p90 {p90:7.1f} ms  min {fastest:7.1f} ms  "
              f"(target < {TARGET_MS:.0f} ms: {status}; {size} {'chars' if isinstance(result, str) else 'entries'})")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    store.close()
    if not args.keep:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
