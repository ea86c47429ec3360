"""Two real fluxd processes on regtest follow one fluxnode through its life: collateral → START → CONFIRM →
paid in the coinbase, and show the same list over RPC at every step, also after a -reindex."""

from __future__ import annotations

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm, build_start_v5
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until

REGTEST = networks.regtest_params()
OWNER = PrivateKey(bytes([5]) * 32)
OPERATOR = PrivateKey(bytes([6]) * 32)
OWNER_ADDRESS = encode_destination(Destination("pubkeyhash", OWNER.key_id), REGTEST.base58)
CHANGE_ADDRESS = encode_destination(Destination("pubkeyhash", OPERATOR.key_id), REGTEST.base58)
WIF = encode_wif(OWNER, REGTEST.base58)
ARGS = ["-nuparams=kamata:1", "-nuparams=pon:5000", f"-regtestbenchmarkpubkey={TEST_BENCHMARK_KEY.pubkey.hex()}",
        f"-mineraddress={OWNER_ADDRESS}", "-listen=1"]  # fmt: skip
START_TIME = 1_600_000_000
COLLATERAL = 1_000  # FLUX: a Cumulus node


class Clock:
    def __init__(self, nodes):
        self.nodes, self.now = nodes, START_TIME

    def mine(self, count: int = 1) -> list[str]:
        hashes = []
        for _ in range(count):
            self.now += 600
            for node in self.nodes:
                node.rpc("setmocktime", self.now)
            hashes += self.nodes[0].rpc("generate", 1)
        sync_blocks(self.nodes)
        return hashes


def _fund_collateral(node, clock: Clock, hashes: list[str]) -> OutPoint:
    inputs, total = [], 0.0
    for block_hash in hashes:
        txid = node.rpc("getblock", block_hash)["tx"][0]
        total += float(node.rpc("gettxout", txid, 0)["value"])
        inputs.append({"txid": txid, "vout": 0})
        if total > COLLATERAL + 1:
            break
    outputs = {OWNER_ADDRESS: COLLATERAL, CHANGE_ADDRESS: round(total - COLLATERAL - 0.001, 8)}
    signed = node.rpc("signrawtransaction", node.rpc("createrawtransaction", inputs, outputs), None, [WIF])
    txid = node.rpc("sendrawtransaction", signed["hex"])
    clock.mine()
    vout = next(out["n"] for out in node.rpc("getrawtransaction", txid, 1)["vout"] if float(out["value"]) == COLLATERAL)
    return OutPoint(bytes.fromhex(txid)[::-1], vout)


def _lists(nodes) -> list:
    return [(node.rpc("viewdeterministicfluxnodelist"), node.rpc("getfluxnodecount"), node.rpc("getstartlist")) for node in nodes]


def test_one_fluxnode_through_start_confirm_and_payment_on_two_nodes(tmp_path):
    nodes = [NodeProcess(tmp_path / name, ARGS + ["-txindex=1"]).start() for name in ("a", "b")]
    try:
        clock = Clock(nodes)
        connect_nodes(nodes[1], nodes[0])
        mined = clock.mine(101)
        collateral = _fund_collateral(nodes[0], clock, mined[:20])
        clock.mine(100)

        early = build_confirm(collateral, OPERATOR, TEST_BENCHMARK_KEY, 0, "127.0.0.1:16125", clock.now, 1, clock.now)
        with pytest.raises(RPCFailure, match="fluxnode-tx-confirm-data-not-found"):
            nodes[0].rpc("sendrawtransaction", early.to_bytes().hex())  # a CONFIRM for a node nobody knows
        start = build_start_v5(collateral, OWNER, OPERATOR.pubkey, clock.now)
        nodes[0].rpc("sendrawtransaction", start.to_bytes().hex())
        clock.mine()
        again = build_start_v5(collateral, OWNER, OPERATOR.pubkey, clock.now + 1)
        with pytest.raises(RPCFailure, match="fluxnode-tx-already-in-chain-or-waiting-for-dos-unban"):
            nodes[1].rpc("sendrawtransaction", again.to_bytes().hex())
        a, b = _lists(nodes)
        assert a == b and a[0] == [] and [entry["added_height"] for entry in a[2]] == [nodes[0].rpc("getblockcount")]

        confirm = build_confirm(collateral, OPERATOR, TEST_BENCHMARK_KEY, 0, "127.0.0.1:16125", clock.now, 1, clock.now)
        nodes[0].rpc("sendrawtransaction", confirm.to_bytes().hex())
        confirmed_at = nodes[0].rpc("getblockcount") + 1
        clock.mine()
        a, b = _lists(nodes)
        assert a == b and a[1]["total"] == 1 and a[2] == []
        assert [(entry["txhash"], entry["confirmed_height"], entry["tier"], entry["payment_address"]) for entry in a[0]] == [
            (collateral.txid_hum, confirmed_at, "CUMULUS", OWNER_ADDRESS)]

        winner = nodes[0].rpc("fluxnodecurrentwinner")
        assert list(winner) == ["CUMULUS Winner"]
        template = nodes[0].rpc("getblocktemplate")
        fields = [key for key in template if "node_" in key]
        assert fields == ["cumulus_fluxnode_address", "cumulus_fluxnode_payout", "basic_zelnode_address",
                          "basic_zelnode_payout", "cumulus_zelnode_address", "cumulus_zelnode_payout"]  # fmt: skip
        assert template["cumulus_fluxnode_address"] == OWNER_ADDRESS
        paid_hash = clock.mine()[0]
        coinbase = nodes[1].rpc("getrawtransaction", nodes[1].rpc("getblock", paid_hash)["tx"][0], 1)
        payee_outputs = [out for out in coinbase["vout"] if out["scriptPubKey"].get("addresses") == [OWNER_ADDRESS]]
        assert len(payee_outputs) == 2  # the miner's share (mineraddress) and the fluxnode payout
        a, b = _lists(nodes)
        assert a == b and a[0][0]["last_paid_height"] == confirmed_at + 1

        nodes[1].stop()
        nodes[1].extra_args.append("-reindex")
        nodes[1].start()
        nodes[1].rpc("setmocktime", clock.now)
        wait_until(lambda: nodes[1].rpc("getblockcount") == nodes[0].rpc("getblockcount"), 120)
        assert _lists(nodes[1:]) == _lists(nodes[:1])
    finally:
        for node in nodes:
            node.stop()
