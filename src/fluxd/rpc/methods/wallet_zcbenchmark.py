"""zcbenchmark (C++ wallet/rpcwallet.cpp zc_benchmark over zcbenchmarks.cpp): runs one benchmark
``samplecount`` times and answers the running time of each sample in seconds.

The transparent benchmarks run as C++ does: sleep, verifyequihash (the mainnet genesis header's solution),
validatelargetx (an 11,130-input v4 transaction whose signatures are all verified), listunspent,
sendtoaddress (regtest only), loadwallet (regtest only: the wallet file opened and loaded again).  The
shielded benchmarks need the Sprout/Sapling prover and note decryption, which this node does not have
yet; they, solveequihash (200,9 is out of reach of the Python solver) and connectblockslow (C++ reads a
benchmark block file it does not ship) answer a clear error instead of a time.
"""

from __future__ import annotations

import time

from fluxd.consensus.equihash import check_equihash_solution
from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import STANDARD_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.consensus.sighash import PrecomputedHashes
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.genesis import build_genesis_block
from fluxd.params.networks import main_params
from fluxd.params.upgrades import UPGRADE_INFO, Upgrade
from fluxd.rpc.errors import RPC_MISC_ERROR, RPC_TYPE_ERROR, RPCError
from fluxd.rpc.methods.rawtransactions import amount_param
from fluxd.rpc.params import get_int, get_str
from fluxd.rpc.wallet_common import node_wallet
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature
from fluxd.wallet.wallet import Wallet
from fluxd.wallet.wallet_file import WalletFile

HELP = (
    "zcbenchmark benchmarktype samplecount\n"
    "\n"
    "Runs a benchmark of the selected type samplecount times,\n"
    "returning the running times of each sample.\n"
    "\n"
    "Output: [\n"
    "  {\n"
    '    "runningtime": runningtime\n'
    "  },\n"
    "  {\n"
    '    "runningtime": runningtime\n'
    "  }\n"
    "  ...\n"
    "]\n"
)
LARGE_TX_INPUTS = 11130
REGTEST_ONLY = ("connectblockslow", "sendtoaddress", "loadwallet")
SHIELDED = ("createjoinsplit", "verifyjoinsplit", "trydecryptnotes", "trydecryptsaplingnotes", "incnotewitnesses",
            "incsaplingnotewitnesses", "createsaplingspend", "createsaplingoutput", "verifysaplingspend",
            "verifysaplingoutput")  # fmt: skip


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bench_sleep() -> float:
    return _timed(lambda: time.sleep(1))


def bench_verify_equihash() -> float:
    header = build_genesis_block(main_params()).header
    prefix = header.prefix_bytes() + header.nonce_rev
    return _timed(lambda: check_equihash_solution(prefix, header.solution))


def large_tx(inputs: int) -> tuple[Transaction, bytes]:
    """The spending transaction of benchmark_large_tx: ``inputs`` inputs of one P2PKH output, each signed."""
    key = PrivateKey.generate(compressed=False)
    store = KeyStore()
    store.add_key(key)
    script = p2pkh_script(key.key_id)
    funding = Transaction(vout=(TxOut(1_000_000, script),))
    prevout = OutPoint(funding.txid_rev, 0)
    unsigned = Transaction(version=4, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID,
                           vin=tuple(TxIn(prevout, b"") for _ in range(inputs)))  # fmt: skip
    branch_id = UPGRADE_INFO[Upgrade.ACADIA].branch_id
    signed_vin = []
    for index in range(inputs):
        script_sig, _ = produce_signature(store, script, SigningInput(unsigned, index, 1_000_000, 1, branch_id))
        signed_vin.append(TxIn(prevout, script_sig))
    return unsigned.copy_with(vin=tuple(signed_vin)), script


def bench_large_tx(inputs: int) -> float:
    tx, script = large_tx(inputs)
    branch_id = UPGRADE_INFO[Upgrade.ACADIA].branch_id

    def verify() -> None:
        cache = PrecomputedHashes(tx)
        for index, txin in enumerate(tx.vin):
            checker = SignatureChecker(tx, index, 1_000_000, cache)
            error = verify_script(txin.script_sig, script, STANDARD_SCRIPT_VERIFY_FLAGS, checker, branch_id)
            if error is not ScriptError.OK:
                raise RPCError(RPC_MISC_ERROR, f"validatelargetx: input {index} did not verify ({error.message})")

    return _timed(verify)


def load_wallet_again(wallet: Wallet) -> None:
    """benchmark_loadwallet: the wallet file opened and every record loaded into a second wallet object."""
    copy = WalletFile(wallet.file.path, wallet.params.network_id)
    try:
        Wallet(copy, wallet.params, wallet.chain, wallet.keypool_size)
    finally:
        copy.close()


def _call(node, name: str, params: list):
    return node.rpc_table.methods[name].handler(node, params)


def _regtest_only(node) -> None:
    if node.params.network_id != "regtest":
        raise RPCError(RPC_TYPE_ERROR, "Benchmark must be run in regtest mode")


def _one_sample(node, kind: str, params: list) -> float:
    if kind == "sleep":
        return bench_sleep()
    if kind == "parameterloading":
        raise RPCError(RPC_TYPE_ERROR, "Pre-Sapling Sprout parameters have been removed")
    if kind == "verifyequihash":
        return bench_verify_equihash()
    if kind == "validatelargetx":
        return bench_large_tx(get_int(params[2]) if len(params) >= 3 else LARGE_TX_INPUTS)
    if kind == "listunspent":
        return _timed(lambda: _call(node, "listunspent", []))
    if kind in REGTEST_ONLY:
        _regtest_only(node)
    if kind == "sendtoaddress":
        amount_param(params[2] if len(params) >= 3 else None)  # AmountFromValue's errors first
        address = _call(node, "getnewaddress", [])
        return _timed(lambda: _call(node, "sendtoaddress", [address, params[2]]))
    if kind == "loadwallet":
        return _timed(lambda: load_wallet_again(node.wallet))
    if kind in SHIELDED:
        raise RPCError(RPC_MISC_ERROR, f"Benchmark {kind} needs the shielded prover and notes, which this node does not build yet")
    if kind == "solveequihash":
        raise RPCError(RPC_MISC_ERROR, "Benchmark solveequihash is not available: this node has no Equihash 200,9 miner")
    if kind == "connectblockslow":
        raise RPCError(RPC_MISC_ERROR, "Benchmark connectblockslow is not available: its benchmark block file is not shipped")
    raise RPCError(RPC_TYPE_ERROR, "Invalid benchmarktype")


def rpc_zcbenchmark(node, params):
    node_wallet(node)
    if len(params) < 2:
        raise RPCError(RPC_MISC_ERROR, HELP)
    kind, count = get_str(params[0]), get_int(params[1])
    if count <= 0:
        raise RPCError(RPC_TYPE_ERROR, "Invalid samplecount")
    return [{"runningtime": _one_sample(node, kind, params)} for _ in range(count)]


def register(table) -> None:
    table.register("zcbenchmark", "wallet", rpc_zcbenchmark, HELP)
