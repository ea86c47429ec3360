"""A real fluxd: a fee-paying transaction confirmed after one block reaches the estimator, fee_estimates.dat is
written at stop, a C++-written file is loaded at start (estimatefee / estimatepriority answer from it) and
written back unchanged, a damaged file is refused and replaced by an empty estimator's."""

from __future__ import annotations

import struct

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.mempool.fee_estimates_file import fee_estimates_bytes, load_fee_estimates_bytes
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.params import networks
from fluxd.util.version import CLIENT_VERSION
from tests.functional.framework import NodeProcess
from tests.unit.mempool.test_fee_estimates_file import cpp_file

REGTEST = networks.regtest_params()
KEY = PrivateKey(bytes([7]) * 32)
WIF = encode_wif(KEY, REGTEST.base58)
ADDRESS = encode_destination(Destination("pubkeyhash", KEY.key_id), REGTEST.base58)
OTHER = encode_destination(Destination("pubkeyhash", PrivateKey(bytes([8]) * 32).key_id), REGTEST.base58)


def _send(node, txid: str, vout: int, outputs: dict) -> str:
    raw = node.rpc("createrawtransaction", [{"txid": txid, "vout": vout}], outputs)
    signed = node.rpc("signrawtransaction", raw, None, [WIF])
    assert signed["complete"] is True
    return node.rpc("sendrawtransaction", signed["hex"])


def _fee_paying_spend_of_a_fresh_output(node) -> tuple[str, int]:
    """A 10 FLUX output confirmed in the tip block, spent with a 0.0001 fee: priority 0 at entry, a fee data point."""
    hashes = node.rpc("generate", 101)
    coinbase = node.rpc("getblock", hashes[0])["tx"][0]
    subsidy = float(node.rpc("gettxout", coinbase, 0)["value"])
    split = _send(node, coinbase, 0, {ADDRESS: 10, OTHER: round(subsidy - 10.0001, 8)})
    node.rpc("generate", 1)
    spend = _send(node, split, 0, {OTHER: 9.9999})
    pool_entry = node.rpc("getrawmempool", True)[spend]
    assert pool_entry["fee"] == "0.00010000" and pool_entry["startingpriority"] == 0
    return spend, 10_000 * 1000 // pool_entry["size"]


def test_fee_estimates_written_loaded_and_refused(tmp_path):
    node = NodeProcess(tmp_path / "node", ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}"])
    estimates = node.net_dir / "fee_estimates.dat"
    node.start()
    try:
        assert node.rpc("estimatefee", 1) == -1 and node.rpc("estimatepriority", 1) == -1
        spend, rate = _fee_paying_spend_of_a_fresh_output(node)
        node.rpc("generate", 1)
        assert node.rpc("getrawmempool") == [] and node.rpc("getblockcount") == 103
        assert node.rpc("estimatefee", 1) == -1  # one transaction is far from enough data
    finally:
        node.stop()

    written = estimates.read_bytes()
    assert written[:8] == struct.pack("<ii", 109_900, CLIENT_VERSION)
    estimator = BlockPolicyEstimator()
    load_fee_estimates_bytes(estimator, written)
    bucket = estimator.fee_stats.find_bucket_index(float(rate))
    assert estimator.best_seen_height == 103
    assert sum(estimator.fee_stats.tx_count_avg) == 1.0 and estimator.fee_stats.tx_count_avg[bucket] == 1.0
    assert estimator.fee_stats.conf_avg[0][bucket] == 1.0  # confirmed in the first block after entering
    assert estimator.fee_stats.avg[bucket] == float(rate)

    cpp_written = cpp_file(best_height=1_000_000)  # above the chain: blocks at start change nothing
    estimates.write_bytes(cpp_written)
    node.start()
    try:
        assert node.rpc("estimatefee", 2) == "0.00001500" and node.rpc("estimatefee", 1) == -1
        assert node.rpc("estimatepriority", 1) == 300_000_000
    finally:
        node.stop()
    rewritten = estimates.read_bytes()
    assert rewritten[:4] == cpp_written[:4] and rewritten[8:] == cpp_written[8:]
    assert rewritten[4:8] == struct.pack("<i", CLIENT_VERSION)

    estimates.write_bytes(cpp_written[:100])  # truncated in the fee stats
    node.start()
    try:
        assert node.rpc("estimatefee", 2) == -1 and node.rpc("estimatepriority", 1) == -1
    finally:
        node.stop()
    assert "unable to read policy estimator data" in (node.output() + _debug_log(node))
    assert estimates.read_bytes() == fee_estimates_bytes(BlockPolicyEstimator())


def _debug_log(node) -> str:
    path = node.net_dir / "debug.log"
    return path.read_text(errors="replace") if path.exists() else ""
