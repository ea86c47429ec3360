"""RPC throughput and getblock latency.

1. getblockcount requests/s against a real regtest fluxd vs a bare aiohttp handler in this process
   (same aiohttp client, keep-alive, same concurrency).
2. getblock verbosity 2 latency on a regtest block of ~1,000 signed transactions, built and connected
   in-process on a chainstate (block builder + real signatures), served by the real rpc_getblock + UniValue dumps.

    .venv/bin/python bench/bench_rpc.py [--requests 3000] [--concurrency 4] [--pairs 3] [--bare-process] [--txs 1000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.block_building import MemoryChain  # noqa: E402
from fluxd.consensus.tx_contextual import COINBASE_MATURITY  # noqa: E402
from fluxd.core.keys import PrivateKey  # noqa: E402
from fluxd.core.script import p2pkh_script  # noqa: E402
from fluxd.core.transaction import Transaction  # noqa: E402
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut  # noqa: E402
from fluxd.params import networks  # noqa: E402
from fluxd.params.upgrades import Upgrade  # noqa: E402
from fluxd.rpc.methods.blockchain import rpc_getblock  # noqa: E402
from fluxd.util.univalue import dumps  # noqa: E402
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature  # noqa: E402
from tests.functional.framework import NodeProcess, free_port  # noqa: E402

PARAMS = networks.regtest_params({Upgrade.PON: 100_000})
KEY = PrivateKey(bytes([7]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)
BODY = json.dumps({"method": "getblockcount", "params": [], "id": 1}).encode()


async def hammer(url: str, auth: str | None, total: int, concurrency: int) -> float:
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        async def worker(count: int) -> None:
            for _ in range(count):
                async with session.post(url, data=BODY) as response:
                    assert response.status == 200
                    await response.read()

        await asyncio.gather(*(worker(20) for _ in range(concurrency)))  # warm the connections
        start = time.perf_counter()
        await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))
        return (total // concurrency * concurrency) / (time.perf_counter() - start)


def serve_bare(port: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text='{"result":0,"error":null,"id":1}\n', content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()

    asyncio.run(main())


def bench_throughput(requests: int, concurrency: int, pairs: int, bare_process: bool) -> None:
    """``pairs`` alternating runs (fluxd, then bare) so both see the same host load; one line per pair.

    The bare server runs in a thread of this process (sharing the client's GIL), or with
    ``bare_process`` in a process of its own as fluxd does."""
    ratios = []
    bare_child = None
    with tempfile.TemporaryDirectory() as tmp:
        node = NodeProcess(Path(tmp) / "n").start()
        try:
            bare_port = free_port()
            if bare_process:
                code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import bench_rpc; bench_rpc.serve_bare({bare_port})"
                bare_child = subprocess.Popen([sys.executable, "-c", code])
                time.sleep(1.5)
            else:
                threading.Thread(target=serve_bare, args=(bare_port,), daemon=True).start()
                time.sleep(0.5)
            for _ in range(pairs):
                ours = asyncio.run(hammer(f"http://127.0.0.1:{node.rpc_port}/", node.credentials(), requests, concurrency))
                bare = asyncio.run(hammer(f"http://127.0.0.1:{bare_port}/", None, requests, concurrency))
                ratios.append(ours / bare)
                print(f"getblockcount  fluxd RPC: {ours:8.0f} req/s   bare aiohttp: {bare:8.0f} req/s   ratio {ours / bare:.2f}"
                      f"   ({requests} requests, {concurrency} keep-alive connections{', bare in its own process' if bare_process else ''})")
        finally:
            node.stop()
            if bare_child is not None:
                bare_child.kill()
                bare_child.wait()
    if pairs > 1:
        print(f"getblockcount  ratio median {statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f} over {pairs} pairs)")


def _signed(prevouts: list[tuple[OutPoint, int]], outputs: list[int], store: KeyStore) -> Transaction:
    tx = Transaction(version=1, vin=tuple(TxIn(outpoint, b"") for outpoint, _ in prevouts), vout=tuple(TxOut(v, SCRIPT) for v in outputs))
    script_sigs = []
    for index, (_, value) in enumerate(prevouts):
        script_sig, complete = produce_signature(store, SCRIPT, SigningInput(tx, index, value, 1, 0))
        assert complete
        script_sigs.append(script_sig)
    return tx.copy_with(vin=tuple(TxIn(outpoint, sig) for (outpoint, _), sig in zip(prevouts, script_sigs)))


def build_big_block_chain(tmp: Path, tx_count: int):
    memory_chain = MemoryChain(PARAMS, SCRIPT, tmp / "blocks")
    chainstate, mine = memory_chain.chainstate, memory_chain.mine
    store = KeyStore()
    store.add_key(KEY)

    first = mine()
    for _ in range(COINBASE_MATURITY):
        mine()
    coinbase = first.transactions[0]
    value = coinbase.vout[0].value
    piece = (value - 10_000) // tx_count
    split = _signed([(OutPoint(coinbase.txid_rev, 0), value)], [piece] * tx_count, store)
    mine((split,))
    spends = [_signed([(OutPoint(split.txid_rev, n), piece)], [piece], store) for n in range(tx_count)]
    big = mine(spends)
    return chainstate, big


def bench_getblock(tx_count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        chainstate, big = build_big_block_chain(Path(tmp), tx_count)
        built = time.perf_counter() - start
        node = SimpleNamespace(chainstate=chainstate, params=PARAMS)
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            text = dumps(rpc_getblock(node, [big.hash_hum, 2]))
            timings.append(time.perf_counter() - start)
    print(f"getblock verbosity 2, block of {len(big.transactions)} txs ({len(big.to_bytes())} bytes, {len(text)} JSON bytes): "
          f"median {statistics.median(timings) * 1000:.1f} ms, min {min(timings) * 1000:.1f} ms over {rounds} calls"
          f"   (chain built and connected in {built:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--txs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=3, help="alternating fluxd/bare throughput runs")
    parser.add_argument("--bare-process", action="store_true", help="the bare server in its own process, not a thread of the client's")
    args = parser.parse_args()
    bench_throughput(args.requests, args.concurrency, args.pairs, args.bare_process)
    bench_getblock(args.txs, args.rounds)


if __name__ == "__main__":
    main()
