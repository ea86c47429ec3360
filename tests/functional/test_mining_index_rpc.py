"""getmininginfo / getnetworksolps, getblockhashes over -timestampindex, getdbinfo and REST getutxos on a real regtest fluxd."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.functional.framework import NodeProcess, RPCFailure, wait_until
from tests.vectors import load_json

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
MOCKTIME = 1_600_000_000


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    process = NodeProcess(tmp_path_factory.mktemp("mining") / "n", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-timestampindex=1", "-rest"])
    process.start()
    process.rpc("setmocktime", MOCKTIME)
    yield process
    process.stop()


def expected_solps(node, lookup: int, height: int) -> int:
    """GetNetworkHashPS recomputed from getblockheader figures."""
    tip = node.rpc("getblockcount")
    last = height if 0 <= height < tip else tip
    lookup = min(lookup if lookup > 0 else 17, last)
    headers = [node.rpc("getblockheader", node.rpc("getblockhash", h)) for h in range(last - lookup, last + 1)]
    times = [header["time"] for header in headers]
    if min(times) == max(times):
        return 0
    work = int(headers[-1]["chainwork"], 16) - int(headers[0]["chainwork"], 16)
    return int(float(work) / (max(times) - min(times)))


def test_getmininginfo_before_and_after_generate(node):
    fixture = load_json("flux_atlas_fixtures/flux/daemon_getmininginfo.json")["data"]
    info = node.rpc("getmininginfo")
    assert list(info) == list(fixture)
    assert (info["blocks"], info["currentblocksize"], info["currentblocktx"], info["pooledtx"]) == (0, 0, 0, 0)
    assert info["networksolps"] == 0 and info["localsolps"] == 0 and info["chain"] == "regtest"
    assert info["generate"] is False and info["ponminter"] is False and info["genproclimit"] == -1
    for step in range(1, 6):
        node.rpc("setmocktime", MOCKTIME + step)  # regtest work per block is ~17: 1 s apart to see it
        node.rpc("generate", 1)
    info = node.rpc("getmininginfo")
    assert (info["blocks"], info["currentblocksize"], info["currentblocktx"]) == (5, 1000, 0)
    assert info["networksolps"] == info["networkhashps"] == expected_solps(node, 120, -1)
    assert node.rpc("getnetworksolps", 3) == expected_solps(node, 3, -1) > 0
    assert node.rpc("getnetworksolps", 2, 3) == expected_solps(node, 2, 3)
    assert node.rpc("getnetworkhashps", -1) == expected_solps(node, -1, -1)
    assert node.rpc("getnetworksolps", 5, 0) == 0
    with pytest.raises(RPCFailure) as failure:
        node.rpc("getnetworksolps", "x")
    assert failure.value.code == -1  # UniValue get_int runtime_error -> RPC_MISC_ERROR
    with pytest.raises(RPCFailure) as failure:
        node.rpc("getmininginfo", 1)
    assert failure.value.code == -1 and failure.value.message.startswith("getmininginfo\n")


def test_getblockhashes_logical_times_and_orphans(node):
    node.rpc("setmocktime", MOCKTIME + 10_000)
    hashes = node.rpc("generate", 4)  # same clock: times rise by the median-time-past rule or logically
    start = node.rpc("getblockheader", hashes[0])["time"]
    found = node.rpc("getblockhashes", 2**31 - 1, start, {"logicalTimes": True})
    assert [item["blockhash"] for item in found] == hashes
    logical = [item["logicalts"] for item in found]
    assert logical == sorted(set(logical)) and logical[0] == start
    assert node.rpc("getblockhashes", logical[2], logical[1]) == [hashes[1]]
    node.rpc("invalidateblock", hashes[2])
    try:
        assert node.rpc("getblockhashes", 2**31 - 1, start) == hashes
        assert node.rpc("getblockhashes", 2**31 - 1, start, {"noOrphans": True}) == hashes[:2]
    finally:
        node.rpc("reconsiderblock", hashes[2])
    with pytest.raises(RPCFailure) as failure:
        node.rpc("getblockhashes", 1, 0, {"noOrphans": 1})
    assert failure.value.code == -1
    with pytest.raises(RPCFailure) as failure:
        node.rpc("getblockhashes", 1, 0, "x")
    assert (failure.value.code, failure.value.message) == (-1, "JSON value is not an object as expected")
    with pytest.raises(RPCFailure) as failure:
        node.rpc("getblockhashes", 1)
    assert failure.value.code == -1 and failure.value.message.startswith("getblockhashes high low")


def test_getdbinfo_reports_real_sizes(node):
    info = node.rpc("getdbinfo")
    assert list(info) == ["backend", "paths", "chain", "supply", "sizes", "flatfiles_fs", "db_partitions"]
    blocks = sorted((node.net_dir / "blocks").glob("blk*.dat"))
    assert info["flatfiles_fs"]["data_files"] == len(blocks) >= 1
    assert info["flatfiles_fs"]["data_bytes"] == sum(path.stat().st_size for path in blocks)
    assert info["chain"]["best_block_height"] == node.rpc("getblockcount")
    assert info["backend"] == "rocksdb" and info["paths"]["data_dir"] == str(node.net_dir)
    assert "timestamp" in [item["column"] for item in info["db_partitions"]]
    assert info["sizes"]["db_dir_bytes"] > 0


def rest(node, path: str, body: bytes = b"", method: str = "GET"):
    status, payload, headers = node.raw_request(body, auth="", method=method, path=path)
    return status, payload, headers.get("Content-Type", "")


def test_rest_getutxos(node):
    coinbase = node.rpc("getblock", node.rpc("getblockhash", 1))["tx"][0]
    tip_height, tip_hash = node.rpc("getblockcount"), node.rpc("getbestblockhash")
    status, payload, kind = rest(node, f"/rest/getutxos/checkmempool/{coinbase}-0/{coinbase}-9.json")
    assert status == 200 and kind == "application/json"  # exactly, as C++ (python-bitcoinrpc, ElectrumX check it)
    reply = json.loads(payload)
    assert list(reply) == ["chainHeight", "chaintipHash", "bitmap", "utxos"]
    assert (reply["chainHeight"], reply["chaintipHash"], reply["bitmap"]) == (tip_height, tip_hash, "10")
    assert list(reply["utxos"][0]) == ["txvers", "height", "value", "scriptPubKey"]
    assert reply["utxos"][0]["height"] == 1 and reply["utxos"][0]["scriptPubKey"]["addresses"] == [MINER]
    status, raw, kind = rest(node, f"/rest/getutxos/{coinbase}-0.bin")
    assert status == 200 and kind == "application/octet-stream"
    assert int.from_bytes(raw[:4], "little") == tip_height and raw[4:36][::-1].hex() == tip_hash
    assert raw[36:38] == b"\x01\x01" and raw[38] == 1  # bitmap vector [0b1], then one coin
    status, text, kind = rest(node, f"/rest/getutxos/{coinbase}-0.hex")
    assert status == 200 and text.decode().strip() == raw.hex() and kind == "text/plain"
    _, _, rpc_headers = node.raw_request(b'{"method":"getblockcount","params":[],"id":1}')
    assert rpc_headers.get("Content-Type") == "application/json"
    body = b"\x00\x01" + bytes.fromhex(coinbase)[::-1] + (0).to_bytes(4, "little")
    status, raw_post, _ = rest(node, "/rest/getutxos.bin", body, "POST")
    assert status == 200 and raw_post[:36] == raw[:36]  # C++ reads the body behind a length prefix


@pytest.mark.parametrize(
    "path, body, status, message",
    [
        ("/rest/getutxos.json", b"", 500, "Error: empty request"),
        ("/rest/getutxos/checkmempool.json", b"", 500, "Error: empty request"),
        ("/rest/getutxos/abc-0.json", b"", 500, "Parse error"),
        ("/rest/getutxos/" + "11" * 32 + "-x.json", b"", 500, "Parse error"),
        ("/rest/getutxos/" + "11" * 32 + "-4294967296.json", b"", 500, "Parse error"),
        ("/rest/getutxos/" + "11" * 32 + "-0", b"", 404, "output format not found (available: .bin, .hex, .json)"),
        ("/rest/getutxos/" + "11" * 32 + "-0.bin", b"\x00", 500, "Combination of URI scheme inputs and raw post data is not allowed"),
        ("/rest/getutxos.bin", b"\x05", 500, "Parse error"),  # count 5 read from the body, no outpoints follow
        ("/rest/getutxos.json", b"\x00\x00", 500, "Error: empty request"),
        ("/rest/getutxos/" + "/".join(["11" * 32 + f"-{n}" for n in range(16)]) + ".json", b"", 500,
         "Error: max outpoints exceeded (max: 15, tried: 16)"),
    ],
)
def test_rest_getutxos_errors(node, path, body, status, message):
    got_status, payload, kind = rest(node, path, body, "POST" if body else "GET")
    assert (got_status, payload.decode()) == (status, message + "\r\n") and kind.startswith("text/plain")


def test_getblockhashes_disabled_then_built_when_switched_on(tmp_path):
    """Disabled without the index (C++ texts); switched on for an existing chain it is built, not refused (ours)."""
    plain = NodeProcess(tmp_path / "plain", [f"-mineraddress={MINER}"]).start()
    try:
        with pytest.raises(RPCFailure) as failure:
            plain.rpc("getblockhashes", 10, 0)
        assert failure.value.code == -1
        assert failure.value.message == (
            "Error: getblockhashes is disabled. Run './flux-cli help getblockhashes' for instructions on how to enable this feature."
        )
        with pytest.raises(RPCFailure) as failure:
            plain.rpc("getblockhashes")
        assert "WARNING: getblockhashes is disabled." in failure.value.message
        mined = plain.rpc("generate", 4)
    finally:
        plain.stop()
    plain.extra_args.append("-timestampindex=1")
    plain.start()
    try:
        wait_until(lambda: _built(plain), 60, 0.1, "the timestamp index build")
        times = [plain.rpc("getblockheader", block)["time"] for block in mined]
        assert plain.rpc("getblockhashes", times[-1] + 1, times[0]) == mined
    finally:
        plain.stop()


def _built(node) -> bool:
    try:
        node.rpc("getblockhashes", 1, 0)
    except RPCFailure as failure:
        assert "still being built" in failure.value.message, failure.value.message
        return False
    return True


def test_txindex_is_off_by_default_and_fixed_until_reindex(tmp_path):
    """C++: -txindex defaults to 0; a changed -txindex needs -reindex; -insightexplorer needs -txindex."""
    plain = NodeProcess(tmp_path / "txindex", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    try:
        plain.rpc("setmocktime", MOCKTIME)
        coinbase = plain.rpc("getblock", plain.rpc("generate", 1)[0])["tx"][0]
        assert plain.rpc("getrawtransaction", coinbase, 1)["height"] == 1  # unspent: found through the coins
    finally:
        plain.stop()
    for extra, message in (
        (["-txindex=1"], "You need to rebuild the database using -reindex to change -txindex"),
        (["-insightexplorer=1"], "Insight explorer requires -experimentalfeatures."),
        (["-experimentalfeatures", "-insightexplorer=1"], "-insightexplorer requires -txindex."),
    ):
        result = subprocess.run(plain.command() + extra, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    plain.extra_args += ["-txindex=1", "-reindex"]
    plain.start()
    try:
        wait_until(lambda: plain.rpc("getblockcount") == 1, 60, 0.1, "the reindex")
        assert plain.rpc("getrawtransaction", coinbase, 1)["txid"] == coinbase
    finally:
        plain.stop()
    plain.extra_args.remove("-reindex")
    plain.start()  # the reindexed database keeps -txindex=1
    plain.stop()
