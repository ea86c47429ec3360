"""python-bitcoinrpc's AuthServiceProxy, the client many tools use, against a real node: calls, exact Decimal
amounts, C++ error codes (python-bitcoinrpc 1.0 has no batch call; batches are tested in test_daemon_rpc.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from bitcoinrpc.authproxy import AuthServiceProxy, JSONRPCException

from tests.functional.framework import NodeProcess

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


@pytest.fixture
def node(tmp_path):
    process = NodeProcess(tmp_path / "n", ["-nuparams=pon:1000", f"-mineraddress={MINER}"], conf="rpcuser=alice\nrpcpassword=s3cret\n")
    process.auth = "alice:s3cret"
    process.start()
    yield process
    process.stop()


def test_auth_service_proxy_calls_amounts_errors_and_batches(node):
    proxy = AuthServiceProxy(f"http://alice:s3cret@127.0.0.1:{node.rpc_port}", timeout=60)  # flux.conf rpcuser/rpcpassword
    assert proxy.getblockcount() == 0
    proxy.setmocktime(1_700_000_000)
    hashes = proxy.generate(2)
    assert proxy.getbestblockhash() == hashes[-1] and proxy.getblockchaininfo()["blocks"] == 2

    coinbase = proxy.getblock(hashes[0])["tx"][0]
    value = proxy.gettxout(coinbase, 0)["value"]
    _, body, _ = node.raw_request(json.dumps({"method": "gettxout", "params": [coinbase, 0], "id": 1}).encode())
    literal = body.decode().split('"value":')[1].split(",")[0]
    assert isinstance(value, Decimal) and value == Decimal(literal) and "." in literal  # exact, from the wire text

    with pytest.raises(JSONRPCException) as out_of_range:
        proxy.getblockhash(99)
    assert out_of_range.value.error == {"code": -8, "message": "Block height out of range"}
    with pytest.raises(JSONRPCException) as unknown:
        proxy.nosuchmethod()
    assert unknown.value.error["code"] == -32601
