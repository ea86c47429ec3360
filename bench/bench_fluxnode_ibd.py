"""IBD of a regtest chain shaped like mainnet's PoN era: thousands of fluxnodes re-confirming, paid every block.

Prints blocks/s of the whole connect and of its steady-state part, the peak RSS
of the connecting process (and of its script-check workers) and the fluxnode
list at the end, beside the target (>= 300 blocks/s, <= 1.5 GiB).

    .venv/bin/python bench/bench_fluxnode_ibd.py [--blocks 20000] [--nodes 6500] [--spends 1] [--ramp 550]
        [--dbcache 450] [--par 0] [--txindex] [--profile]

The chain (built once, cached under the temp directory keyed by its parameters)
is validated in full on connect; nothing is put into the database beforehand:

- params: ``benchmark_test_params()`` (regtest, the test benchmarking key) with
  KAMATA, FLUX, HALVING and P2SHNODES active from height 1 and PoN from height 2;
- height 1 is the only PoW block (one Equihash 48,5 solution): its coinbase is
  the premine (13,020,000 FLUX) paid to a key of ours.  Every later block is a
  PoN block with the C++ regtest bypass collateral, whose coinbase pays the dev
  fund and, from the payment start height, the fluxnode list's payees;
- height 101 (the premine matured) spends it into one output per 100 nodes, a
  pool of coins for ordinary P2PKH spends, and change; height 102 splits those
  into one collateral per node, to a key per node: Cumulus (1,000 FLUX), with
  1% Nimbus (12,500) and 1% Stratus (40,000) so every tier has payees (the
  premine is the only large coin on regtest, which caps the list near 9,000
  nodes of this mix);
- from height 202 (collaterals 100 blocks deep) the nodes START, spread over
  ``--ramp`` blocks, each CONFIRMed (INITIAL) 2 blocks after its START and then
  re-confirmed (UPDATE, same IP) every 501..600 blocks (PoN era: an update needs
  more than 500 blocks, a node expires after 640), so the list stays whole and
  each block carries ~nodes/550 CONFIRMs; ``--spends`` P2PKH spends per block
  ride along (the mainnet PoN era: ~13 transactions a block, mostly CONFIRMs —
  the default 6,500 nodes and 1 spend give ~12.8);
- the builder connects every block it makes into an in-memory chainstate and
  asks it (``attach.next_block_payees``) whom the next coinbase pays.

The steady state is every block from the first height where each node has been
through one UPDATE (START ramp + 2 + 600).  The connect streams the cached file
into a fresh chainstate on a RocksStore (``process_block(pipelined=True)`` as
IBD does) in a process that did not build the chain (the build, when needed,
runs in a child process), so ru_maxrss is the connect's own.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/

from tests.block_building import build_block  # noqa: E402
from tests.fluxnode_building import TEST_BENCHMARK_KEY, benchmark_test_params, build_confirm, build_start_v5  # noqa: E402
from fluxd.chainstate.chainstate import COLUMNS, Chainstate  # noqa: E402
from fluxd.chainstate.fluxnodes.attach import next_block_payees  # noqa: E402
from fluxd.chainstate.fluxnodes.records import DOS, STARTED  # noqa: E402
from fluxd.chainstate.script_pool import ScriptVerifier  # noqa: E402
from fluxd.chainstate.tip_cache import coins_cache_bytes  # noqa: E402
from fluxd.core.amount import COIN  # noqa: E402
from fluxd.core.block import Block  # noqa: E402
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, CONFIRM_UPDATE  # noqa: E402
from fluxd.core.keys import PrivateKey  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut  # noqa: E402
from fluxd.params.fluxnode_tiers import COLLATERAL_V2, Tier  # noqa: E402
from fluxd.params.upgrades import Upgrade  # noqa: E402
from fluxd.storage.block_files import BlockFiles  # noqa: E402
from fluxd.storage.memory import MemoryStore  # noqa: E402
from fluxd.storage.rocks import RocksStore  # noqa: E402
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature  # noqa: E402

PARAMS = benchmark_test_params().with_activation_heights(
    {Upgrade.KAMATA: 1, Upgrade.FLUX: 1, Upgrade.HALVING: 1, Upgrade.P2SHNODES: 1, Upgrade.PON: 2}
)
START = 1_600_000_000
SPACING = 30  # regtest pon_target_spacing
FEE = 1_000
PREMINE = 13_020_000 * COIN
FAN_OUT_HEIGHT = 101  # the premine (height 1) is spendable
SPLIT_HEIGHT = 102
FIRST_START = SPLIT_HEIGHT + 100  # COLLATERAL_MIN_CONFIRMATIONS
CONFIRM_DELAY = 2
GAP = (501, 600)  # blocks between a node's confirms (PoN era: > 500, expiry after 640)
PER_SPLIT = 100
POOL_COINS = 64
POOL_VALUE = 100 * COIN
CACHE_VERSION = 1
TARGET_BLOCKS_PER_S = 300
TARGET_RSS_MIB = 1536


class Clock:
    def __init__(self) -> None:
        self.time = START + 10**8

    def __call__(self) -> int:
        return self.time


def _key(label: bytes, index: int) -> PrivateKey:
    return PrivateKey(hashlib.sha256(label + index.to_bytes(4, "big")).digest())


def tier_of(index: int) -> Tier:
    return Tier.STRATUS if index % 100 == 99 else Tier.NIMBUS if index % 100 == 49 else Tier.CUMULUS


def steady_from(ramp: int) -> int:
    return FIRST_START + ramp + CONFIRM_DELAY + GAP[1]


def start_rate(nodes: int, ramp: int) -> int:
    return -(-nodes // ramp)


class Node:
    __slots__ = ("index", "owner", "operator", "collateral", "ip")

    def __init__(self, index: int) -> None:
        self.index = index
        self.owner = _key(b"owner", index)
        self.operator = _key(b"operator", index)
        self.collateral: OutPoint | None = None
        self.ip = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}:16125"


class ChainBuilder:
    def __init__(self, nodes: int, spends: int, ramp: int, seed: int = 1) -> None:
        self.nodes = [Node(index) for index in range(nodes)]
        self.spends, self.ramp = spends, ramp
        self.rng = random.Random(seed)
        self.funder = _key(b"funder", 0)
        self.spenders = [_key(b"spender", index) for index in range(16)]
        self.store = KeyStore()
        for key in [self.funder, *self.spenders]:
            self.store.add_key(key)
        self.funder_script = p2pkh_script(self.funder.key_id)
        self.spender_scripts = [p2pkh_script(key.key_id) for key in self.spenders]
        self.pool: list[tuple[OutPoint, int, bytes]] = []
        self.premine: tuple[OutPoint, int, bytes] | None = None
        self.groups: list[tuple[list[Node], tuple[OutPoint, int, bytes]]] = []
        self.confirms: dict[int, list[tuple[Node, int]]] = defaultdict(list)  # height -> (node, update type)
        self.counter = 0
        total = sum(COLLATERAL_V2[tier_of(node.index)] for node in self.nodes)
        needed = total + POOL_COINS * POOL_VALUE + (len(self.nodes) // PER_SPLIT + 3) * 2 * FEE
        if needed > PREMINE:
            raise SystemExit(f"{nodes} nodes need {needed / COIN:,.0f} FLUX of collateral; the premine is {PREMINE / COIN:,.0f}")

    def _sign(self, inputs: list[tuple[OutPoint, int, bytes]], outputs: list[TxOut]) -> Transaction:
        tx = Transaction(version=1, vin=tuple(TxIn(op, b"") for op, _, _ in inputs), vout=tuple(outputs))
        signed = []
        for index, (prevout, value, script) in enumerate(inputs):
            script_sig, complete = produce_signature(self.store, script, SigningInput(tx, index, value, 1, 0))
            assert complete
            signed.append(TxIn(prevout, script_sig))
        return tx.copy_with(vin=tuple(signed))

    def _fan_out(self) -> Transaction:
        groups = [self.nodes[start : start + PER_SPLIT] for start in range(0, len(self.nodes), PER_SPLIT)]
        amounts = [sum(COLLATERAL_V2[tier_of(node.index)] for node in group) + FEE for group in groups]
        outputs = [TxOut(amount, self.funder_script) for amount in amounts]
        outputs += [TxOut(POOL_VALUE, self.spender_scripts[n % 16]) for n in range(POOL_COINS)]
        outputs.append(TxOut(self.premine[1] - sum(out.value for out in outputs) - FEE, self.funder_script))
        tx = self._sign([self.premine], outputs)
        for n, group in enumerate(groups):
            self.groups.append((group, (OutPoint(tx.txid_rev, n), amounts[n], self.funder_script)))
        base = len(groups)
        self.pool = [(OutPoint(tx.txid_rev, base + n), POOL_VALUE, outputs[base + n].script_pubkey) for n in range(POOL_COINS)]
        return tx

    def _splits(self) -> list[Transaction]:
        txs = []
        for group, coin in self.groups:
            outputs = [TxOut(COLLATERAL_V2[tier_of(node.index)], p2pkh_script(node.owner.key_id)) for node in group]
            tx = self._sign([coin], outputs)
            for n, node in enumerate(group):
                node.collateral = OutPoint(tx.txid_rev, n)
            txs.append(tx)
        return txs

    def _spends(self) -> tuple[list[Transaction], list[tuple[OutPoint, int, bytes]]]:
        txs, created = [], []
        chosen, self.pool = self.pool[: self.spends], self.pool[self.spends :]
        for number, spent in enumerate(chosen):
            self.counter += 1
            value = spent[1] - FEE
            scripts = [self.spender_scripts[(self.counter + k) % 16] for k in range(2)]
            outputs = [TxOut(value // 2, scripts[0]), TxOut(value - value // 2, scripts[1])] if number % 2 else [TxOut(value, scripts[0])]
            tx = self._sign([spent], outputs)
            txs.append(tx)
            created += [(OutPoint(tx.txid_rev, n), out.value, out.script_pubkey) for n, out in enumerate(tx.vout) if out.value > 10 * FEE]
        return txs, created

    def _fluxnode_txs(self, height: int, now: int) -> list[Transaction]:
        txs = []
        if height >= FIRST_START:
            rate = start_rate(len(self.nodes), self.ramp)
            first = (height - FIRST_START) * rate
            for node in self.nodes[first : first + rate]:
                txs.append(build_start_v5(node.collateral, node.owner, node.operator.pubkey, now))
                self.confirms[height + CONFIRM_DELAY].append((node, CONFIRM_INITIAL))
        for node, update_type in self.confirms.pop(height, ()):
            tier = int(tier_of(node.index))
            txs.append(build_confirm(node.collateral, node.operator, TEST_BENCHMARK_KEY, update_type, node.ip, now, tier, now))
            self.confirms[height + self.rng.randint(*GAP)].append((node, CONFIRM_UPDATE))
        return txs

    def build(self, count: int, sink) -> None:
        chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(Path(tempfile.mkdtemp(prefix="fluxd-bench-fnbuild-")) / "blocks",
                                PARAMS.message_start), Clock(), ScriptVerifier.for_par(1), txindex=False)  # fmt: skip
        chainstate.load()
        now = START
        started = time.monotonic()
        for height in range(1, count + 1):
            now += SPACING
            txs: list[Transaction] = []
            if height == FAN_OUT_HEIGHT:
                txs.append(self._fan_out())
            if height == SPLIT_HEIGHT:
                txs += self._splits()
            spends, created = self._spends() if self.pool else ([], [])
            txs += spends
            txs += self._fluxnode_txs(height, now)
            payees = next_block_payees(chainstate)
            block = build_block(PARAMS, chainstate.tip, self.funder_script, now, tuple(txs), FEE * len(spends) + FEE * (
                (height == FAN_OUT_HEIGHT) + (len(self.groups) if height == SPLIT_HEIGHT else 0)), fluxnode_payees=payees)  # fmt: skip
            chainstate.process_block(block)
            if chainstate.height != height:
                raise SystemExit(f"built block {height} was refused: {chainstate.invalid_reasons.get(block.hash_rev)}")
            if height == 1:
                coinbase = block.transactions[0]
                self.premine = (OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, coinbase.vout[0].script_pubkey)
                assert self.premine[1] == PREMINE
            self.pool += created
            sink(block.to_bytes())
            if height % 1000 == 0:
                fluxnodes = chainstate.fluxnode_list()
                print(f"  built {height} blocks ({time.monotonic() - started:.0f}s), {fluxnodes.confirmed_count()} confirmed", flush=True)


def cache_path(args) -> Path:
    key = f"v{CACHE_VERSION}-{args.blocks}-{args.nodes}-{args.spends}-{args.ramp}"
    return Path(tempfile.gettempdir()) / f"fluxd-bench-fluxnode-ibd-{key}.blocks"


def build_cached(args) -> None:
    path = cache_path(args)
    partial = path.with_suffix(".partial")
    print(f"building {args.blocks} blocks, {args.nodes} nodes (cached at {path}) ...", flush=True)
    started = time.monotonic()
    with partial.open("wb") as out:
        ChainBuilder(args.nodes, args.spends, args.ramp).build(args.blocks, lambda raw: out.write(struct.pack("<I", len(raw)) + raw))
    partial.rename(path)
    print(f"built in {time.monotonic() - started:.1f}s", flush=True)


def read_blocks(path: Path):
    with path.open("rb") as source:
        while header := source.read(4):
            (size,) = struct.unpack("<I", header)
            yield source.read(size)


def _children_peak_mib() -> float:
    """VmHWM of this process's live children (the script-check workers), in MiB."""
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == os.getpid() and "VmHWM" in fields:
            peak = max(peak, int(fields["VmHWM"].split()[0]))
    return peak / 1024


def connect(args) -> None:
    path = cache_path(args)
    directory = Path(tempfile.mkdtemp(prefix="fluxd-bench-fnibd-"))
    cache_bytes = coins_cache_bytes(args.dbcache, args.txindex) if args.dbcache else 0
    chainstate = Chainstate(PARAMS, RocksStore(directory / "chainstate", COLUMNS), BlockFiles(directory / "blocks", PARAMS.message_start),
                            Clock(), ScriptVerifier.for_par(args.par), txindex=args.txindex, cache_bytes=cache_bytes)  # fmt: skip
    chainstate.load()
    steady = steady_from(args.ramp)
    profiler = cProfile.Profile() if args.profile else None
    txs = steady_txs = 0
    steady_started = None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for height, raw in enumerate(read_blocks(path), 1):
        if height == steady:
            steady_started = time.perf_counter()
        block = Block.from_bytes(raw)
        txs += len(block.transactions) - 1
        steady_txs += len(block.transactions) - 1 if height >= steady else 0
        chainstate.process_block(block, pipelined=True)
    steady_elapsed = time.perf_counter() - steady_started if steady_started else None
    chainstate.flush()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    workers_mib = _children_peak_mib()
    assert chainstate.height == args.blocks, (chainstate.height, chainstate.invalid_reasons)
    fluxnodes = chainstate.fluxnode_list()
    tiers = defaultdict(int)
    for record in fluxnodes.confirmed():
        tiers[record.tier] += 1
    started_count = sum(1 for _ in fluxnodes.with_status(STARTED))
    dos_count = sum(1 for _ in fluxnodes.with_status(DOS))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = chainstate.verifier.workers
    flushes = chainstate.cache.flushes
    chainstate.store.close()
    chainstate.verifier.close()
    if profiler:
        profiler.dump_stats(Path(tempfile.gettempdir()) / "fluxd-bench-fluxnode-ibd.prof")  # for print_callers
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)
    whole_rate = args.blocks / elapsed
    print(f"-dbcache={args.dbcache} ({flushes} flushes), -par={args.par} ({workers.count if workers else 0} script-check workers), "
          f"-txindex={int(args.txindex)}{', profiled' if profiler else ''}")  # fmt: skip
    print(f"fluxnode list at the end: {sum(tiers.values())} confirmed (CUMULUS {tiers[1]}, NIMBUS {tiers[2]}, STRATUS {tiers[3]}), "
          f"{started_count} started, {dos_count} DoS")  # fmt: skip
    print(f"{'':28}{'measured':>14}{'target':>14}")
    print(f"{'IBD, whole chain':28}{whole_rate:>10.0f} b/s{'>= ' + str(TARGET_BLOCKS_PER_S) + ' b/s':>14}   "
          f"{args.blocks} blocks, {txs} txs in {elapsed:.1f}s")  # fmt: skip
    if steady_elapsed:
        steady_blocks = args.blocks - steady + 1
        print(f"{'IBD, steady state':28}{steady_blocks / steady_elapsed:>10.0f} b/s{'>= ' + str(TARGET_BLOCKS_PER_S) + ' b/s':>14}   "
              f"heights {steady}..{args.blocks}: {steady_txs / steady_blocks:.1f} txs/block, {steady_elapsed:.1f}s")  # fmt: skip
    else:
        print(f"(no steady state: it starts at height {steady}; use --blocks above that)")
    print(f"{'peak RSS, connecting proc':28}{rss_mib:>10.0f} MiB{'<= ' + str(TARGET_RSS_MIB) + ' MiB':>14}")
    print(f"{'peak RSS, a worker':28}{workers_mib:>10.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=6_500)
    parser.add_argument("--spends", type=int, default=1, help="P2PKH spends per block beside the fluxnode txs")
    parser.add_argument("--ramp", type=int, default=550, help="blocks the nodes' STARTs are spread over")
    parser.add_argument("--dbcache", type=int, default=450, help="MiB as fluxd -dbcache; 0 flushes every block")
    parser.add_argument("--par", type=int, default=0, help="script-check threads as fluxd -par (0: one per core)")
    parser.add_argument("--txindex", action="store_true", help="connect with -txindex=1 (fluxd's default is 0)")
    parser.add_argument("--profile", action="store_true", help="cProfile the connect (top 25 cumulative and own time)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ramp * start_rate(args.nodes, args.ramp) < args.nodes or args.ramp < 1:
        parser.error("--ramp must be at least 1")
    if args.build_only:
        build_cached(args)
        return
    if not cache_path(args).exists():
        subprocess.run([sys.executable, __file__, "--build-only", "--blocks", str(args.blocks), "--nodes", str(args.nodes),
                        "--spends", str(args.spends), "--ramp", str(args.ramp)], check=True)  # fmt: skip
    connect(args)


if __name__ == "__main__":
    main()
