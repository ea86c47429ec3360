"""A real fluxd on regtest: generate blocks, read them back over RPC, restart, invalidate/reconsider, submitblock."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, RPCFailure

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


@pytest.fixture
def pow_node(tmp_path):
    node = NodeProcess(tmp_path / "pow", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    yield node
    node.stop()


def test_generate_and_read_blocks(pow_node):
    assert pow_node.rpc("getblockcount") == 0
    pow_node.rpc("setmocktime", 1_600_000_000)
    hashes = pow_node.rpc("generate", 12)
    assert len(hashes) == 12 and pow_node.rpc("getblockcount") == 12
    assert pow_node.rpc("getbestblockhash") == hashes[-1]
    assert pow_node.rpc("getblockhash", 12) == hashes[-1]
    header = pow_node.rpc("getblockheader", hashes[0])
    assert list(header)[:8] == ["hash", "confirmations", "height", "version", "merkleroot", "finalsaplingroot", "time", "type"]
    assert header["type"] == "POW" and header["confirmations"] == 12 and header["nextblockhash"] == hashes[1]
    block = pow_node.rpc("getblock", "12")
    assert block["hash"] == hashes[-1] and "nextblockhash" not in block and len(block["tx"]) == 1
    assert pow_node.rpc("getblock", hashes[9])["tx"] and len(pow_node.rpc("getblock", hashes[9], 2)["tx"][0]["vout"]) == 4
    raw = pow_node.rpc("getblock", hashes[3], 0)
    assert pow_node.rpc("submitblock", raw) == "duplicate"
    coinbase_txid = pow_node.rpc("getblock", hashes[0])["tx"][0]
    txout = pow_node.rpc("gettxout", coinbase_txid, 0)
    assert list(txout) == ["bestblock", "confirmations", "value", "scriptPubKey", "version", "coinbase"]
    assert txout["confirmations"] == 12 and txout["coinbase"] is True and txout["value"] == "13020000.00000000"
    assert txout["scriptPubKey"]["addresses"] == [MINER]
    assert pow_node.rpc("gettxout", coinbase_txid, 5) is None
    raw = pow_node.rpc("getrawtransaction", coinbase_txid)
    verbose = pow_node.rpc("getrawtransaction", coinbase_txid, 1)
    assert verbose["hex"] == raw and verbose["txid"] == coinbase_txid and verbose["confirmations"] == 12
    assert list(verbose)[-6:] == ["vJoinSplit", "blockhash", "height", "confirmations", "time", "blocktime"]
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("getrawtransaction", "11" * 32)
    assert (failure.value.code, failure.value.message) == (-5, "No information available about transaction")
    stats = pow_node.rpc("gettxoutsetinfo")
    assert list(stats) == ["height", "bestblock", "transactions", "txouts", "bytes_serialized", "hash_serialized", "total_amount"]
    assert stats["height"] == 12 and stats["transactions"] == 12 and stats["txouts"] == 15
    getinfo = pow_node.rpc("getinfo")
    fixture_keys = ["version", "protocolversion", "walletversion", "balance", "blocks", "timeoffset", "connections", "proxy",
                    "difficulty", "testnet", "keypoololdest", "keypoolsize", "paytxfee", "relayfee", "errors"]
    assert list(getinfo) == fixture_keys and getinfo["blocks"] == 12 and getinfo["relayfee"] == "0.00000100"
    info = pow_node.rpc("getblockchaininfo")
    assert info["chain"] == "regtest" and info["blocks"] == 12 and info["bestblockhash"] == hashes[-1]


def test_rpc_errors(pow_node):
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("getblockhash", 5)
    assert (failure.value.code, failure.value.message) == (-8, "Block height out of range")
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("getblockheader", "00" * 32)
    assert (failure.value.code, failure.value.message) == (-5, "Block not found")
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("getblock", "abc")
    assert failure.value.message == "Invalid block height parameter"
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("getblockhash", "x")
    assert (failure.value.code, failure.value.message) == (-1, "JSON value is not an integer as expected")  # C++ get_int -> -1
    with pytest.raises(RPCFailure) as failure:
        pow_node.rpc("submitblock", "zz")
    assert (failure.value.code, failure.value.message) == (-22, "Block decode failed")


def test_restart_keeps_chain_and_invalidate_reconsider(pow_node):
    pow_node.rpc("setmocktime", 1_600_000_000)
    hashes = pow_node.rpc("generate", 6)
    assert pow_node.stop() == 0
    pow_node.start()
    assert pow_node.rpc("getblockcount") == 6 and pow_node.rpc("getbestblockhash") == hashes[-1]
    assert pow_node.rpc("verifychain", 3, 6) is True
    pow_node.rpc("invalidateblock", hashes[3])
    assert pow_node.rpc("getblockcount") == 3
    tips = pow_node.rpc("getchaintips")
    assert tips[0] == {"height": 6, "hash": hashes[-1], "branchlen": 3, "status": "invalid"}
    assert tips[1] == {"height": 3, "hash": hashes[2], "branchlen": 0, "status": "active"}
    assert pow_node.rpc("estimatefee", 2) == -1
    pow_node.rpc("reconsiderblock", hashes[3])
    assert pow_node.rpc("getbestblockhash") == hashes[-1]


def test_default_regtest_mines_pon_blocks_like_cpp(tmp_path):
    node = NodeProcess(tmp_path / "pon", [f"-mineraddress={MINER}"]).start()
    try:
        hashes = node.rpc("generate", 3)
        header = node.rpc("getblockheader", hashes[-1])
        assert header["type"] == "PON" and header["version"] == 100
        assert header["collateral"] == "COutPoint(544553544e, 0)"
    finally:
        node.stop()


def test_generate_needs_an_address(tmp_path):
    node = NodeProcess(tmp_path / "noaddr", ["-disablewallet"]).start()  # with a wallet a pool key is paid
    try:
        with pytest.raises(RPCFailure) as failure:
            node.rpc("generate", 1)
        assert failure.value.code == -32603
    finally:
        node.stop()


def test_create_and_sign_raw_transaction(tmp_path):
    from fluxd.core.address import Destination, encode_destination
    from fluxd.core.keys import PrivateKey, encode_wif
    from fluxd.params import networks

    regtest = networks.regtest_params()
    key = PrivateKey(bytes([3]) * 32)
    address = encode_destination(Destination("pubkeyhash", key.key_id), regtest.base58)
    node = NodeProcess(tmp_path / "sign", ["-nuparams=pon:1000", f"-mineraddress={address}"]).start()
    try:
        node.rpc("setmocktime", 1_600_000_000)
        hashes = node.rpc("generate", 3)
        coinbase = node.rpc("getblock", hashes[1])["tx"][0]
        raw = node.rpc("createrawtransaction", [{"txid": coinbase, "vout": 0}], {MINER: 1.5})
        decoded = node.rpc("decoderawtransaction", raw)
        assert decoded["vout"][0]["value"] == "1.50000000" and decoded["vin"][0]["txid"] == coinbase
        signed = node.rpc("signrawtransaction", raw, None, [encode_wif(key, regtest.base58)])
        assert signed["complete"] is True and list(signed) == ["hex", "complete"]
        wrong = node.rpc("signrawtransaction", raw, None, [encode_wif(PrivateKey(bytes([4]) * 32), regtest.base58)])
        assert wrong["complete"] is False and wrong["errors"][0]["txid"] == coinbase
        missing = node.rpc("signrawtransaction", node.rpc("createrawtransaction", [{"txid": "22" * 32, "vout": 1}], {}))
        assert missing["errors"][0]["error"] == "Input not found or already spent"
        with pytest.raises(RPCFailure) as failure:
            node.rpc("createrawtransaction", [], {"notanaddress": 1})
        assert (failure.value.code, failure.value.message) == (-5, "Invalid Flux address: notanaddress")
        with pytest.raises(RPCFailure) as failure:
            node.rpc("signrawtransaction", raw, None, ["bad"])
        assert (failure.value.code, failure.value.message) == (-5, "Invalid private key")
    finally:
        node.stop()


def test_daemon_endpoints(pow_node):
    import json as _json

    pow_node.rpc("setmocktime", 1_600_000_000)
    hashes = pow_node.rpc("generate", 2)
    status, body, _ = pow_node.raw_request(b"", method="GET", path="/daemon/getblockhash?height=2")
    assert status == 200 and _json.loads(body) == {"result": hashes[1], "error": None, "id": None}
    status, body, _ = pow_node.raw_request(b'{"params":["2", 0]}', path="/daemon/getblock")
    assert status == 200 and _json.loads(body)["result"].startswith("04000000")
    status, body, _ = pow_node.raw_request(b"", method="GET", path="/daemon/getblockhash?params=%5B9%5D")
    assert _json.loads(body)["error"] == {"code": -8, "message": "Block height out of range"}
    status, _, _ = pow_node.raw_request(b"", method="GET", path="/daemon/getblockcount", auth="x:y")
    assert status == 401


def test_rest_interface(tmp_path):
    node = NodeProcess(tmp_path / "rest", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-rest"]).start()
    try:
        node.rpc("setmocktime", 1_600_000_000)
        hashes = node.rpc("generate", 3)
        coinbase = node.rpc("getblock", hashes[0])["tx"][0]
        status, body, _ = node.raw_request(b"", method="GET", path=f"/rest/tx/{coinbase}.hex", auth="")
        assert status == 200 and body.decode().strip() == node.rpc("getrawtransaction", coinbase)
        status, body, _ = node.raw_request(b"", method="GET", path=f"/rest/block/{hashes[1]}.json", auth="")
        assert status == 200 and b'"hash":"' + hashes[1].encode() in body
        status, body, _ = node.raw_request(b"", method="GET", path=f"/rest/block/notxdetails/{hashes[1]}.bin", auth="")
        assert status == 200 and body.hex() == node.rpc("getblock", hashes[1], 0)
        status, body, _ = node.raw_request(b"", method="GET", path=f"/rest/headers/2/{hashes[0]}.json", auth="")
        assert status == 200 and len(__import__("json").loads(body)) == 2
        status, body, _ = node.raw_request(b"", method="GET", path="/rest/chaininfo.json", auth="")
        assert status == 200 and b'"blocks":3' in body
        status, body, _ = node.raw_request(b"", method="GET", path="/rest/tx/xyz.json", auth="")
        assert status == 400 and body == b"Invalid hash: xyz\r\n"
        status, body, _ = node.raw_request(b"", method="GET", path=f"/rest/block/{hashes[1]}.txt", auth="")
        assert status == 404 and body.startswith(b"output format not found")
    finally:
        node.stop()
