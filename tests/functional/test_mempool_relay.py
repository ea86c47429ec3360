"""Three real fluxd processes: a transaction sent to one reaches every mempool (relayed through the middle node),
sendrawtransaction answers with the C++ error codes, mempool.dat survives a restart, the next block empties the pools."""

from __future__ import annotations

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.params import networks
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until

REGTEST = networks.regtest_params()
KEY = PrivateKey(bytes([3]) * 32)
ADDRESS = encode_destination(Destination("pubkeyhash", KEY.key_id), REGTEST.base58)
OTHER = encode_destination(Destination("pubkeyhash", PrivateKey(bytes([4]) * 32).key_id), REGTEST.base58)
START_TIME = 1_600_000_000


def _node(path, name):
    return NodeProcess(path / name, ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}", "-listen=1"])


@pytest.fixture
def three_nodes(tmp_path):
    nodes = [_node(tmp_path, name).start() for name in ("a", "b", "c")]
    for node in nodes:
        node.rpc("setmocktime", START_TIME)
    yield nodes
    for node in nodes:
        node.stop()


def _signed_spend(node, coinbase_txid: str, amount: float) -> str:
    raw = node.rpc("createrawtransaction", [{"txid": coinbase_txid, "vout": 0}], {OTHER: amount})
    signed = node.rpc("signrawtransaction", raw, None, [encode_wif(KEY, REGTEST.base58)])
    assert signed["complete"] is True
    return signed["hex"]


def _rpc_error(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failure:
        node.rpc(method, *params)
    return failure.value.code, failure.value.message


def test_transaction_relay_errors_persistence_and_mining(three_nodes):
    node_a, node_b, node_c = three_nodes
    hashes = node_a.rpc("generate", 103)
    connect_nodes(node_a, node_b)
    sync_blocks([node_a, node_b])  # as C++, b announces each new tip by headers while it syncs: a c still far
    connect_nodes(node_b, node_c)  # behind would get headers with unknown parents (bad-prevblk, DoS 10 each)
    sync_blocks(three_nodes)
    first_coinbase = node_a.rpc("getblock", hashes[0])["tx"][0]
    subsidy = float(node_a.rpc("gettxout", first_coinbase, 0)["value"])
    spend_hex = _signed_spend(node_a, first_coinbase, round(subsidy - 0.0001, 8))
    txid = node_a.rpc("sendrawtransaction", spend_hex, True)
    for node in three_nodes:
        wait_until(lambda node=node: txid in node.rpc("getrawmempool"), 60, 0.2, "relay to every mempool")
    assert node_a.rpc("sendrawtransaction", spend_hex, True) == txid  # already in the pool: C++ answers the hash again
    verbose = node_c.rpc("getrawmempool", True)[txid]
    assert list(verbose) == ["size", "fee", "time", "height", "startingpriority", "currentpriority", "depends"]
    assert verbose["fee"] == "0.00010000" and verbose["height"] == 103 and verbose["depends"] == []
    assert node_b.rpc("getmempoolinfo")["size"] == 1 and node_b.rpc("getmempoolinfo")["fullyNotified"] is True
    assert node_b.rpc("gettxout", first_coinbase, 0) is None  # spent in the mempool
    assert node_b.rpc("gettxout", first_coinbase, 0, False) is not None
    assert node_b.rpc("gettxout", txid, 0)["confirmations"] == 0
    assert node_c.rpc("getrawtransaction", txid) == spend_hex

    second_coinbase = node_a.rpc("getblock", hashes[1])["tx"][0]
    absurd = _signed_spend(node_a, second_coinbase, 1.0)
    code, message = _rpc_error(node_a, "sendrawtransaction", absurd)
    assert code == -25 and message.startswith("AcceptToMemoryPool: absurdly high fees")
    assert _rpc_error(node_a, "sendrawtransaction", _signed_spend(node_a, first_coinbase, 1.0), True) == (-25, "")  # conflict
    immature_coinbase = node_a.rpc("getblock", hashes[-1])["tx"][0]
    code, message = _rpc_error(node_a, "sendrawtransaction", _signed_spend(node_a, immature_coinbase, 1.0), True)
    assert (code, message) == (-26, "16: bad-txns-premature-spend-of-coinbase")
    orphan = node_a.rpc("createrawtransaction", [{"txid": "ab" * 32, "vout": 0}], {OTHER: 1})
    assert _rpc_error(node_a, "sendrawtransaction", orphan) == (-25, "Missing inputs")
    assert _rpc_error(node_a, "sendrawtransaction", "zz") == (-22, "TX decode failed")

    node_b.stop()
    node_b.start()
    assert node_b.rpc("getrawmempool") == [txid]  # mempool.dat
    assert (node_b.net_dir / "mempool.dat").stat().st_size > 0

    node_b.rpc("setmocktime", START_TIME)
    mined = node_b.rpc("generate", 1)[0]
    connect_nodes(node_a, node_b)
    connect_nodes(node_b, node_c)
    sync_blocks(three_nodes)
    assert txid in node_a.rpc("getblock", mined)["tx"]
    for node in three_nodes:
        wait_until(lambda node=node: node.rpc("getrawmempool") == [], 30, 0.2, "mempool emptied by the block")
    assert _rpc_error(node_a, "sendrawtransaction", spend_hex) == (-27, "transaction already in block chain")


def test_rest_getutxos_sees_the_mempool_as_cpp(tmp_path):
    """Outputs a pool tx spends are gone with or without checkmempool; its own outputs only with it."""
    import json

    node = NodeProcess(tmp_path / "rest", ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}", "-rest"]).start()
    try:
        node.rpc("setmocktime", START_TIME)
        hashes = node.rpc("generate", 101)
        coinbase = node.rpc("getblock", hashes[0])["tx"][0]
        subsidy = float(node.rpc("gettxout", coinbase, 0)["value"])
        spend = node.rpc("sendrawtransaction", _signed_spend(node, coinbase, round(subsidy - 0.0001, 8)))

        def utxos(path: str) -> dict:
            status, payload, _ = node.raw_request(b"", auth="", method="GET", path=path)
            assert status == 200, payload
            return json.loads(payload)

        assert utxos(f"/rest/getutxos/{coinbase}-0/{spend}-0.json")["bitmap"] == "00"
        seen = utxos(f"/rest/getutxos/checkmempool/{coinbase}-0/{spend}-0.json")
        assert seen["bitmap"] == "01" and seen["utxos"][0]["height"] == 2147483647
        assert seen["utxos"][0]["scriptPubKey"]["addresses"] == [OTHER]
        node.rpc("generate", 1)
        mined = utxos(f"/rest/getutxos/{coinbase}-0/{spend}-0.json")
        assert mined["bitmap"] == "01" and mined["utxos"][0]["height"] == 102
    finally:
        node.stop()
