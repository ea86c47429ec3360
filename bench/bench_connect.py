"""Connect a synthetic PoW regtest chain full of P2PKH spends into a fresh chainstate.

Prints blocks/s, inputs/s and the ratio of the whole connect time to the time
of the bare script checks of the same inputs (run inline, in the same process),
and to the bare ECDSA verifications alone.  The chain is built once (Equihash
48,5, signed with ``wallet/signing.py``) and cached under the temp directory,
so a run measures connecting only.

    .venv/bin/python bench/bench_connect.py [--blocks 5000] [--spends 24] [--dbcache 450] [--par 0] [--profile] [--modules] [--indexes]

``--par`` is fluxd's -par: 0 (default) one script-check thread per core, the
chain writer being one of them and the others worker processes, which check a
block's scripts while the writer goes on with the next block; 1 checks inline.
``--modules`` connects the chain twice, without and with two toy state modules
registered (a consensus module and an index module from ``tests/toy_modules.py``),
and prints the connect/script ratio of both runs and the modules' overhead.
``--indexes`` connects the chain twice as an explorer node does (-txindex both
times): without, then with the address, spent and timestamp indexes
(-insightexplorer), and prints both times and the ratio next to the target
(<= 1.3x); then it builds the three indexes later on the chain connected without
them (``index_build.build_step``, as a node does when an index is switched on)
and prints blocks/s, and checks that the built records equal the connected ones
(a digest of every record of the three indexes is printed: it must not change
when the modules get faster).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/toy_modules.py

from tests.block_building import build_block  # noqa: E402
from fluxd.chainstate.block_index import BlockIndexEntry  # noqa: E402
from fluxd.chainstate.detached_entry import DetachedEntry  # noqa: E402
from fluxd.chainstate.chainstate import COLUMNS, Chainstate  # noqa: E402
from fluxd.chainstate.script_pool import ScriptVerifier  # noqa: E402
from fluxd.chainstate.tip_cache import coins_cache_bytes  # noqa: E402
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch, check_batch  # noqa: E402
from fluxd.consensus.script_errors import BLOCK_SCRIPT_VERIFY_FLAGS  # noqa: E402
from fluxd.consensus.sighash import signature_hash  # noqa: E402
from fluxd.core.block import Block  # noqa: E402
from fluxd.core.ecdsa import verify_der  # noqa: E402
from fluxd.core.keys import PrivateKey  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut  # noqa: E402
from fluxd.params import networks  # noqa: E402
from fluxd.params.upgrades import Upgrade  # noqa: E402
from fluxd.storage.block_files import BlockFiles  # noqa: E402
from fluxd.storage.rocks import RocksStore  # noqa: E402
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature  # noqa: E402

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEYS = [PrivateKey(bytes([index + 1]) * 32) for index in range(16)]
START = 1_600_000_000
FEE = 1_000
SPLIT = 12  # a mature coinbase becomes this many outputs
CACHE_VERSION = 1


class Clock:
    def __init__(self) -> None:
        self.time = START + 10**8

    def __call__(self) -> int:
        return self.time


class ChainBuilder:
    """Builds blocks on an in-memory chain of index entries, spending earlier outputs."""

    def __init__(self, spends_per_block: int) -> None:
        self.spends = spends_per_block
        self.store = KeyStore()
        for key in KEYS:
            self.store.add_key(key)
        self.scripts = [p2pkh_script(key.key_id) for key in KEYS]
        self.pool: list[tuple[OutPoint, int, bytes]] = []  # spendable (outpoint, value, script)
        self.coinbases: dict[int, tuple[OutPoint, int, bytes]] = {}
        self.counter = 0

    def _script(self) -> bytes:
        self.counter += 1
        return self.scripts[self.counter % len(self.scripts)]

    def _sign(self, inputs: list[tuple[OutPoint, int, bytes]], outputs: list[TxOut]) -> Transaction:
        tx = Transaction(version=1, vin=tuple(TxIn(op, b"") for op, _, _ in inputs), vout=tuple(outputs))
        signed = []
        for index, (prevout, value, script) in enumerate(inputs):
            script_sig, complete = produce_signature(self.store, script, SigningInput(tx, index, value, 1, 0))
            assert complete
            signed.append(TxIn(prevout, script_sig))
        return tx.copy_with(vin=tuple(signed))

    def _transactions(self, height: int) -> tuple[list[Transaction], list[tuple[OutPoint, int, bytes]]]:
        txs, created = [], []
        matured = self.coinbases.pop(height - 100, None)
        if matured is not None:
            part = (matured[1] - FEE) // SPLIT
            outputs = [TxOut(part, self._script()) for _ in range(SPLIT)]
            txs.append(self._sign([matured], outputs))
        spendable, self.pool = self.pool[: self.spends - len(txs)], self.pool[self.spends - len(txs) :]
        for number, spent in enumerate(spendable):
            value = spent[1] - FEE
            outputs = [TxOut(value // 2, self._script()), TxOut(value - value // 2, self._script())] if number % 2 else [TxOut(value, self._script())]
            txs.append(self._sign([spent], outputs))
        for tx in txs:
            created.extend((OutPoint(tx.txid_rev, n), out.value, out.script_pubkey) for n, out in enumerate(tx.vout) if out.value > 10 * FEE)
        return txs, created

    def build(self, count: int) -> list[bytes]:
        genesis_cs = _fresh_chainstate(Path(tempfile.mkdtemp()), memory=True)
        prev: BlockIndexEntry | DetachedEntry = genesis_cs.tip
        now = START
        raw_blocks = []
        for height in range(1, count + 1):
            now += 600
            txs, created = self._transactions(height)
            block = build_block(PARAMS, prev, self._script(), now, tuple(txs), FEE * len(txs))
            coinbase = block.transactions[0]
            self.coinbases[height] = (OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, coinbase.vout[0].script_pubkey)
            self.pool.extend(created)
            prev = DetachedEntry(block.header, height, 0, prev)
            raw_blocks.append(block.to_bytes())
            if height % 500 == 0:
                print(f"  built {height} blocks", flush=True)
        return raw_blocks


INDEX_TARGET = 1.3  # connect with the insight indexes / without, at most


def insight_indexes(progress: tuple[int, bytes] | None = None) -> list:
    """The address, spent and timestamp indexes wrapped as a node registers them (chain_service._optional_indexes)."""
    from fluxd.chainstate.address_index import AddressIndex
    from fluxd.chainstate.index_build import BuildableIndex
    from fluxd.chainstate.spent_index import SpentIndex
    from fluxd.chainstate.timestamp_index import TimestampIndex

    return [BuildableIndex(module, progress) for module in (AddressIndex(), SpentIndex(), TimestampIndex())]


def index_digest(store) -> tuple[int, str]:
    """(records, sha256) of every record of the address, spent and timestamp indexes in the database."""
    digest, count = hashlib.sha256(), 0
    for index in insight_indexes():
        for column in index.module.columns:
            for key, value in store.iterate(column.family, prefix=column.prefix):
                digest.update(len(key).to_bytes(4, "little") + key + len(value).to_bytes(4, "little") + value)
                count += 1
    return count, digest.hexdigest()[:16]


def _fresh_chainstate(directory: Path, memory: bool = False, cache_bytes: int = 0, par: int = 1, modules: bool = False,
                      indexes: bool = False) -> Chainstate:  # fmt: skip
    from fluxd.storage.memory import MemoryStore

    store = MemoryStore(COLUMNS) if memory else RocksStore(directory / "chainstate", COLUMNS)
    files = BlockFiles(directory / "blocks", PARAMS.message_start)
    verifier = ScriptVerifier.for_par(par)
    chainstate = Chainstate(PARAMS, store, files, Clock(), verifier, cache_bytes=cache_bytes)
    if modules:
        from tests.toy_modules import BlockCounter, SpentValueIndex

        chainstate.register_module(BlockCounter())
        chainstate.register_module(SpentValueIndex())
    if indexes:
        for index in insight_indexes():
            chainstate.register_module(index)
    chainstate.load()
    return chainstate


def load_or_build(count: int, spends: int) -> list[bytes]:
    path = Path(tempfile.gettempdir()) / f"fluxd-bench-connect-v{CACHE_VERSION}-{count}-{spends}.blocks"
    if path.exists():
        data, blocks, offset = path.read_bytes(), [], 0
        while offset < len(data):
            (size,) = struct.unpack_from("<I", data, offset)
            blocks.append(data[offset + 4 : offset + 4 + size])
            offset += 4 + size
        return blocks
    print(f"building {count} blocks (cached at {path}) ...", flush=True)
    started = time.monotonic()
    blocks = ChainBuilder(spends).build(count)
    partial = path.with_suffix(".partial")
    partial.write_bytes(b"".join(struct.pack("<I", len(raw)) + raw for raw in blocks))
    partial.rename(path)
    print(f"built in {time.monotonic() - started:.1f}s", flush=True)
    return blocks


def script_batches(blocks: list[Block]) -> list[TxScriptBatch]:
    outputs: dict[OutPoint, TxOut] = {}
    batches = []
    for block in blocks:
        for tx in block.transactions:
            if not tx.is_coinbase():
                spent = tuple(SpentOutput(outputs[i.prevout].script_pubkey, outputs[i.prevout].value) for i in tx.vin)
                batches.append(TxScriptBatch(tx, spent, BLOCK_SCRIPT_VERIFY_FLAGS, 0))
            for n, out in enumerate(tx.vout):
                outputs[OutPoint(tx.txid_rev, n)] = out
    return batches


def _two_pushes(script_sig: bytes) -> tuple[bytes, bytes]:
    """The signature and public key of a P2PKH scriptSig (both direct pushes under 76 bytes)."""
    first = script_sig[1 : 1 + script_sig[0]]
    rest = script_sig[1 + script_sig[0] :]
    return first, rest[1 : 1 + rest[0]]


def bare_ecdsa(batches: list[TxScriptBatch]) -> float:
    """Only the secp256k1 verifications (sighash and script parsing done beforehand)."""
    work = []
    for batch in batches:
        for index, (txin, spent) in enumerate(zip(batch.tx.vin, batch.spent)):
            signature, pubkey = _two_pushes(txin.script_sig)
            digest = signature_hash(spent.script_pubkey, batch.tx, index, signature[-1], spent.amount, batch.branch_id)
            work.append((pubkey, digest, signature[:-1]))
    started = time.perf_counter()
    for pubkey, digest, signature in work:
        assert verify_der(pubkey, digest, signature)
    return time.perf_counter() - started


def _time_index_modules(chainstate: Chainstate) -> dict[str, float]:
    """Wall time the writer spends in the index modules (Chainstate._run_index_modules: -txindex, the insight
    indexes and the commit of their writes into the tip cache), accumulated into the returned dict."""
    timers = {"index modules": 0.0}
    run = chainstate._run_index_modules

    def timed(context, connected):
        started = time.perf_counter()
        run(context, connected)
        timers["index modules"] += time.perf_counter() - started

    chainstate._run_index_modules = timed
    return timers


def connect(raw_blocks: list[bytes], profile: bool, cache_bytes: int, par: int, modules: bool = False,
            indexes: bool = False) -> tuple[float, Chainstate]:  # fmt: skip
    directory = Path(tempfile.mkdtemp(prefix="fluxd-bench-connect-"))
    chainstate = _fresh_chainstate(directory, cache_bytes=cache_bytes, par=par, modules=modules, indexes=indexes)
    profiler = cProfile.Profile() if profile else None
    timers = _time_index_modules(chainstate)
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for raw in raw_blocks:
        chainstate.process_block(Block.from_bytes(raw), pipelined=True)
    chainstate.flush()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    chainstate.bench_times = {"writer cpu": time.process_time() - cpu_started, **timers}
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    assert chainstate.height == len(raw_blocks), chainstate.height
    return elapsed, chainstate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=5000)
    parser.add_argument("--spends", type=int, default=24, help="1-input spends per block")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dbcache", type=int, default=450, help="MiB as fluxd -dbcache; 0 flushes every block")
    parser.add_argument("--par", type=int, default=0, help="script-check threads as fluxd -par (0: one per core; 1: inline)")
    parser.add_argument("--modules", action="store_true", help="also connect with a toy consensus and a toy index module")
    parser.add_argument("--indexes", action="store_true", help="connect without and with the address, spent and timestamp indexes")
    parser.add_argument("--pairs", type=int, default=1, help="with --indexes: off/on connects to run (alternating)")
    args = parser.parse_args()
    raw_blocks = load_or_build(args.blocks, args.spends)
    cache_bytes = coins_cache_bytes(args.dbcache) if args.dbcache else 0
    if args.indexes:
        bench_indexes(raw_blocks, args, cache_bytes)
        return
    with_modules = None
    if args.modules:
        modules_elapsed, modules_chainstate = connect(raw_blocks, args.profile, cache_bytes, args.par, modules=True)
        pending_ok = modules_chainstate.verifier.pipelined
        modules_chainstate.store.close()
        modules_chainstate.verifier.close()
        with_modules = (modules_elapsed, pending_ok)
    elapsed, chainstate = connect(raw_blocks, args.profile, cache_bytes, args.par)
    blocks = [Block.from_bytes(raw) for raw in raw_blocks]
    batches = script_batches(blocks)
    inputs = sum(len(batch.spent) for batch in batches)
    started = time.perf_counter()
    assert all(check_batch(batch) is None for batch in batches)
    script_time = time.perf_counter() - started
    ecdsa_time = bare_ecdsa(batches)
    chainstate.store.close()
    workers = chainstate.verifier.workers
    chainstate.verifier.close()
    print(f"-dbcache={args.dbcache} ({chainstate.cache.flushes} flushes), -par={args.par} "
          f"({workers.count if workers else 0} script-check worker processes, "
          f"{workers.inline_share if workers else 1:.2f} of the checks kept by the writer at the end)")
    print(f"connect {len(blocks)} blocks, {inputs} P2PKH inputs: {elapsed:.2f}s "
          f"({len(blocks) / elapsed:.0f} blocks/s, {inputs / elapsed:.0f} inputs/s)")
    print(f"bare script checks of the same inputs: {script_time:.2f}s -> connect/script = {elapsed / script_time:.2f}x")
    print(f"bare ECDSA verifications alone:        {ecdsa_time:.2f}s -> connect/ecdsa  = {elapsed / ecdsa_time:.2f}x")
    if with_modules is not None:
        modules_elapsed, pipelined = with_modules
        print(f"with a toy consensus + a toy index module ({'pipelined' if pipelined else 'inline'}): {modules_elapsed:.2f}s "
              f"-> connect/script = {modules_elapsed / script_time:.2f}x (without: {elapsed / script_time:.2f}x), "
              f"modules overhead {100 * (modules_elapsed / elapsed - 1):+.1f}%")


def _close(chainstate: Chainstate) -> None:
    chainstate.store.close()
    chainstate.verifier.close()


def build_indexes(chainstate: Chainstate) -> tuple[float, int]:
    """Build the three indexes on a chain connected without them, as a node does with -insightexplorer switched on
    (one index after the other, ``build_step`` commands of STEP_SECONDS, then a flush); (seconds, blocks built)."""
    from fluxd.chainstate.index_build import build_step

    indexes = insight_indexes((0, chainstate.entry_at(0).hash_rev))
    started = time.perf_counter()
    built = 0
    for index in indexes:
        while index.progress is not None:
            built += build_step(chainstate, index)
    chainstate.flush()
    return time.perf_counter() - started, built


def bench_indexes(raw_blocks: list[bytes], args, cache_bytes: int) -> None:
    off_times, on_times, digests = [], [], set()
    build = None
    off_parts, on_parts = [], []
    for pair in range(args.pairs):
        for indexes in ((False, True) if pair % 2 == 0 else (True, False)):  # off/on, then on/off: no side always first
            elapsed, chainstate = connect(raw_blocks, args.profile and indexes and pair == 0, cache_bytes, args.par, indexes=indexes)
            (on_times if indexes else off_times).append(elapsed)
            (on_parts if indexes else off_parts).append(chainstate.bench_times)
            if indexes or build is None:
                if not indexes:  # the first chain connected without the indexes: build them later
                    build = build_indexes(chainstate)
                digests.add(index_digest(chainstate.cache.store))
            _close(chainstate)
        print(f"  pair {pair + 1}: indexes off {off_times[-1]:.2f}s (writer cpu {off_parts[-1]['writer cpu']:.2f}s, "
              f"index modules {off_parts[-1]['index modules']:.2f}s), on {on_times[-1]:.2f}s (writer cpu "
              f"{on_parts[-1]['writer cpu']:.2f}s, index modules {on_parts[-1]['index modules']:.2f}s) "
              f"-> {on_times[-1] / off_times[-1]:.2f}x", flush=True)
    blocks = len(raw_blocks)
    inputs = sum(len(tx.vin) for raw in raw_blocks for tx in Block.from_bytes(raw).transactions[1:])
    off, on = sorted(off_times)[len(off_times) // 2], sorted(on_times)[len(on_times) // 2]
    print(f"-dbcache={args.dbcache}, -par={args.par}, -txindex=1 both runs; {blocks} blocks, {inputs} P2PKH inputs"
          f"{f', medians of {args.pairs} pairs' if args.pairs > 1 else ''}")
    print(f"connect, indexes off:                        {off:.2f}s ({blocks / off:.0f} blocks/s)")
    print(f"connect, address + spent + timestamp indexes: {on:.2f}s ({blocks / on:.0f} blocks/s)")
    ratio = on / off

    def median(parts, name):
        return sorted(part[name] for part in parts)[len(parts) // 2]

    off_cpu, on_cpu = median(off_parts, "writer cpu"), median(on_parts, "writer cpu")
    off_modules, on_modules = median(off_parts, "index modules"), median(on_parts, "index modules")
    print(f"writer CPU (the chain writer's process; script checks run in the worker): off {off_cpu:.2f}s, on {on_cpu:.2f}s "
          f"-> {on_cpu / off_cpu:.2f}x")
    print(f"in the index modules (-txindex off / + the three insight indexes): {off_modules:.2f}s / {on_modules:.2f}s "
          f"-> the insight indexes cost {1000 * (on_modules - off_modules) / blocks:.2f} ms/block")
    print(f"on/off = {ratio:.2f}x (target <= {INDEX_TARGET}x: {'met' if ratio <= INDEX_TARGET else 'NOT met'}); "
          f"pair ratios {', '.join(f'{b / a:.2f}' for a, b in zip(off_times, on_times))}")
    seconds, built = build
    print(f"building the three indexes later (build_step, one after the other): {seconds:.2f}s for {built} block-indexings "
          f"({built / seconds:.0f} blocks/s, {blocks / seconds:.0f} chain blocks/s for all three)")
    (records, digest), *others = sorted(digests)
    print(f"index records: {records}, digest {digest}; built == connected: {'yes' if not others else 'NO ' + str(others)}")
    assert not others


if __name__ == "__main__":
    main()
