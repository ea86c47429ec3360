"""200+ malformed requests against one running regtest fluxd: each gets the C++ HTTP status and JSON-RPC error code.

C++ httprpc.cpp: non-POST 405 (checked before auth), no/wrong Authorization
401, then -32600 -> 400, -32601 -> 404, every other error 500, success 200;
batches are always 200 with one reply per member.  UniValue get_int/get_bool/
get_str throw runtime_error, which CRPCTable::execute turns into -1.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.functional.framework import NodeProcess

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
TIP = "%TIP%"  # replaced with the regtest tip hash at run time
COINBASE = "%COINBASE%"


def call(method, *params, **extra) -> bytes:
    return json.dumps({"method": method, "params": list(params), "id": 1, **extra}).encode()


PARSE_ERRORS = [
    "", " ", "{", "}", "[", "]", "{not json", "nul", "tru", "fals", "{'method':'getblockcount'}",
    '{"method":"getblockcount",}', "[1,]", '{"a" 1}', '{"a":}', "NaN", "Infinity", "-Infinity", '{"method": NaN}',
    '{"method":"getblockcount"} x', '{"method":"getblockcount"}{"id":1}', "true false", "0x10", '"unterminated',
    '{"method":"getblockcount"', "[[[", "01", "1.", ".5", "+1", "-", '{"method":"a\nb"}', '{"method":"\\x41"}',
    '{"method":"\\u12"}', "\x00", "{,}", '[,"a"]', '{"id":1,,"method":"getblockcount"}', "{}}", "[]]", "//",
]
TOP_LEVEL_SCALARS = ["5", "true", "false", "null", '"getblockcount"', "1.5", "-3", "0", "1e5", "7"]
INVALID_REQUESTS = [
    ({}, "Missing method"), ({"params": []}, "Missing method"), ({"id": 1}, "Missing method"),
    ({"method": None}, "Missing method"), ({"method": 1}, "Method must be a string"),
    ({"method": True}, "Method must be a string"), ({"method": []}, "Method must be a string"),
    ({"method": {}}, "Method must be a string"), ({"method": 1.5}, "Method must be a string"),
    ({"method": ["getblockcount"]}, "Method must be a string"),
    ({"method": "getblockcount", "params": {}}, "Params must be an array"),
    ({"method": "getblockcount", "params": "x"}, "Params must be an array"),
    ({"method": "getblockcount", "params": 1}, "Params must be an array"),
    ({"method": "getblockcount", "params": True}, "Params must be an array"),
    ({"method": "getblockhash", "params": {"index": 1}}, "Params must be an array"),
]
UNKNOWN_METHODS = [
    "", "nosuchmethod", "GETBLOCKCOUNT", "getBlockCount", " getblockcount", "getblockcount ", "get_block_count",
    "getblockcount\n", "a" * 1000, "../getblockcount", "rpc.getblockcount", "getblockcounté", "getinfo2", "help ",
    "stop!", "eval", "__init__", "execute", "getblock\x00count", "getblockcount;getinfo", "z_getbalancex",
    "getblocktemplatex", "\u2603", "0", "null", "getblock count", "GetInfo", "uptime\t", "sendtoaddressx", "x" * 64,
]
WRONG_COUNTS = [
    ("getblockcount", [1]), ("getbestblockhash", [1]), ("getdifficulty", [1]), ("getblockhash", []),
    ("getblockhash", [1, 2]), ("getblockheader", []), ("getblockheader", [TIP, True, 1]), ("getblock", []),
    ("getblock", ["1", 1, 2]), ("gettxout", []), ("gettxout", [TIP]), ("gettxout", [TIP, 0, True, 1]),
    ("getmininginfo", [1]), ("getinfo", [1]), ("getblockchaininfo", [1]), ("gettxoutsetinfo", [1]),
    ("getchaintips", [1, 2]), ("getblocksubsidy", [1, 2]), ("getnetworkinfo", [1]), ("decoderawtransaction", []),
    ("decoderawtransaction", ["00", 1]), ("getrawtransaction", []), ("getrawtransaction", [TIP, 1, 2]),
    ("uptime", [1]), ("getnetworksolps", [1, 2, 3]), ("getblockhashes", [1]), ("getdbinfo", [1]),
    ("submitblock", []), ("submitblock", ["00", "x", 1]), ("generate", []), ("generate", [1, 2]), ("stop", [1, 2]),
]
NOT_INT = "JSON value is not an integer as expected"
OUT_OF_RANGE = "JSON integer out of range"
NOT_BOOL = "JSON value is not a boolean as expected"
NOT_STR = "JSON value is not a string as expected"
TYPE_ERRORS = [
    *[("getblockhash", [bad], NOT_INT) for bad in ("x", True, False, None, [], {}, "1", [1])],
    *[("getblockhash", [bad], OUT_OF_RANGE) for bad in (1.5, 2**31, 2**63, 2**64, 10**30, -(2**31) - 1, 10**400, 1e3, -0.5)],
    *[("getblockheader", [TIP, bad], NOT_BOOL) for bad in (1, 0, "true", None, [], {})],
    *[("getblockheader", [bad], NOT_STR) for bad in (1, True, None, [], {}, 1.5)],
    *[("getblock", [bad], NOT_STR) for bad in (1, True, None, [], {})],
    *[("getblock", ["1", bad], NOT_BOOL) for bad in ("1", None, [], {})],
    *[("getblock", ["1", bad], OUT_OF_RANGE) for bad in (1.5, 2**40)],
    *[("gettxout", [COINBASE, bad], NOT_INT) for bad in ("0", None, True, [])],
    *[("gettxout", [COINBASE, 0, bad], NOT_BOOL) for bad in (1, "true", [])],
    *[("gettxout", [bad, 0], NOT_STR) for bad in (1, None, {})],
    *[("getblocksubsidy", [bad], NOT_INT) for bad in ("1", None, [])],
    *[("getchaintips", [bad], NOT_INT) for bad in ("1", True)],
    *[("getnetworksolps", [bad], NOT_INT) for bad in ("120", True)],
    *[("generate", [bad], NOT_INT) for bad in ("1", None)],
]
SEMANTIC_ERRORS = [
    ("getblockhash", [-1], -8), ("getblockhash", [10**6], -8), ("getblockhash", [2**31 - 1], -8),
    ("getblockheader", ["00" * 32], -5), ("getblockheader", ["zz"], -5), ("getblockheader", [""], -5),
    ("getblock", ["zz"], -8), ("getblock", ["-1"], -8), ("getblock", ["99999"], -8), ("getblock", ["9" * 20], -8),
    ("getblock", ["00" * 32], -5), ("getblock", ["1", 3], -8), ("getblock", ["1", -1], -8),
    ("getrawtransaction", ["11" * 32], -5), ("getrawtransaction", ["zz"], -8), ("getrawtransaction", ["11"], -8),
    ("decoderawtransaction", ["zz"], -22), ("decoderawtransaction", ["00"], -22), ("decoderawtransaction", [""], -22),
    ("decoderawtransaction", [1], -3), ("submitblock", ["zz"], -22), ("submitblock", ["00"], -22),
    ("getblockhashes", [10, 0], -1), ("invalidateblock", ["11" * 32], -5), ("reconsiderblock", ["22" * 32], -5),
]
SUCCESS_ODDITIES = [  # accepted by C++ as well: 200 with a result
    call("getblockcount", id=None), call("getblockcount", id=[1, 2]), call("getblockcount", id={"a": 1}),
    call("getblockcount", jsonrpc="2.0"), json.dumps({"method": "getblockcount", "params": None}).encode(),
    json.dumps({"method": "getblockcount"}).encode(), call("getblockcount", extra="ignored"),
    call("gettxout", "zz", 0), call("gettxout", COINBASE, -1), call("gettxout", COINBASE, 2**31 - 1),
    call("getblock", "1", True), call("getblock", "1", False), call("getblockhash", 0), call("getblockhash", -0),
    b'  {"method":"getblockcount"}  \n', b'{"method":"getblockcount","method2":1}',
]


def _cases():
    cases = []
    for index, body in enumerate(PARSE_ERRORS):
        cases.append(pytest.param({"body": body.encode()}, 500, -32700, id=f"parse-{index}"))
    for index, body in enumerate(TOP_LEVEL_SCALARS):
        cases.append(pytest.param({"body": body.encode()}, 500, -32700, id=f"scalar-{index}"))
    for index, (request, _) in enumerate(INVALID_REQUESTS):
        cases.append(pytest.param({"body": json.dumps(request).encode()}, 400, -32600, id=f"invalid-{index}"))
    for index, name in enumerate(UNKNOWN_METHODS):
        cases.append(pytest.param({"body": call(name)}, 404, -32601, id=f"unknown-{index}"))
    for method, params in WRONG_COUNTS:
        cases.append(pytest.param({"body": call(method, *params)}, 500, -1, id=f"count-{method}-{len(params)}"))
    for index, (method, params, message) in enumerate(TYPE_ERRORS):
        cases.append(pytest.param({"body": call(method, *params), "message": message}, 500, -1, id=f"type-{index}-{method}"))
    for index, (method, params, code) in enumerate(SEMANTIC_ERRORS):
        cases.append(pytest.param({"body": call(method, *params)}, 500, code, id=f"semantic-{index}-{method}"))
    for index, body in enumerate(SUCCESS_ODDITIES):
        cases.append(pytest.param({"body": body}, 200, None, id=f"ok-{index}"))
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        cases.append(pytest.param({"body": call("getblockcount"), "method": method}, 405, None, id=f"http-{method}"))
        cases.append(pytest.param({"body": b"", "method": method, "auth": "bad:bad"}, 405, None, id=f"http-{method}-noauth"))
    for index, auth in enumerate(["", "__cookie__:wrong", "nobody:x", ":", "x" * 5000, "__cookie__"]):
        cases.append(pytest.param({"body": call("getblockcount"), "auth": auth}, 401, None, id=f"auth-{index}"))
    for index, header in enumerate(["Bearer abc", "Basic", "Basic !!!!", "basic " + base64.b64encode(b"a:b").decode(), "Digest x"]):
        cases.append(pytest.param({"body": call("getblockcount"), "header": header}, 401, None, id=f"authheader-{index}"))
    cases.append(pytest.param({"body": b"[" + b" " * (33 * 1024 * 1024) + b"]"}, 413, None, id="oversized"))
    for path in ("/nosuch", "/rest/tx/x", "/daemonx"):
        cases.append(pytest.param({"body": call("getblockcount"), "path": path}, 404, None, id=f"path-{path}"))
    return cases


BATCHES = [
    (b"[]", []),
    (b"[1]", [-32600]),
    (b"[{}]", [-32600]),
    (b'[null, "x", []]', [-32600, -32600, -32600]),
    (b'[{"method":"getblockcount"},{"method":"nosuch"},{"method":1},{"method":"getblockhash","params":["x"]}]', [None, -32601, -32600, -1]),
    (b'[{"method":"getblockcount","params":{}}]', [-32600]),
    (b'[[{"method":"getblockcount"}]]', [-32600]),
    (json.dumps([{"method": "getblockcount", "id": n} for n in range(100)]).encode(), [None] * 100),
    (json.dumps([{"method": "getblockhash", "params": [n], "id": n} for n in range(-2, 4)]).encode(), [-8, -8, None, None, None, None]),
    (json.dumps([{"method": "getblock", "params": [str(n)]} for n in (0, 1, 10**6)]).encode(), [None, None, -8]),
]


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    process = NodeProcess(tmp_path_factory.mktemp("bad") / "n", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    process.rpc("setmocktime", 1_600_000_000)
    process.rpc("generate", 3)
    process.tip = process.rpc("getbestblockhash")
    process.coinbase = process.rpc("getblock", process.tip)["tx"][0]
    yield process
    assert process.rpc("getblockcount") == 3  # still answering after every bad request
    process.stop()


def send(node, request: dict) -> tuple[int, bytes]:
    body = request["body"].replace(TIP.encode(), node.tip.encode()).replace(COINBASE.encode(), node.coinbase.encode())
    if "header" in request:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        try:
            connection.request("POST", "/", body, {"Authorization": request["header"]})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()
    status, reply, _ = node.raw_request(body, auth=request.get("auth"), method=request.get("method", "POST"), path=request.get("path", "/"))
    return status, reply


@pytest.mark.parametrize("request_, status, code", _cases())
def test_bad_request(node, request_, status, code):
    got_status, reply = send(node, request_)
    assert got_status == status, reply[:300]
    if status in (400, 404, 500) and request_.get("path", "/") == "/":
        error = json.loads(reply)["error"]
        assert error["code"] == code, error
        assert "Traceback" not in error["message"]
        if "message" in request_:
            assert error["message"] == request_["message"]
    if status == 200:
        assert json.loads(reply)["error"] is None


@pytest.mark.parametrize("body, codes", BATCHES, ids=[f"batch-{n}" for n in range(len(BATCHES))])
def test_bad_batch(node, body, codes):
    status, reply = send(node, {"body": body})
    assert status == 200
    replies = json.loads(reply)
    assert [item["error"]["code"] if item["error"] else None for item in replies] == codes


def test_case_count():
    assert len(_cases()) + len(BATCHES) >= 200
