"""FluxOS contract: replay the requests FluxOS's own daemon client makes against a real regtest node and check
every field FluxOS reads (tests/functional/fluxos_reads.py, with the FluxOS file:line of each read).

The client below copies RunOnFlux/flux ZelBack/src/services/utils/fluxRpc.js (v8.17.0): axios POST / with basic
auth (rpcuser/rpcpassword from flux.conf), Content-Type application/json, one kept-alive connection (Node's
global agent), bodies ``{"jsonrpc": "2.0", "id": n, "method": <lower-case>, "params": [...]}`` with ids cycling
mod 1000, batches as a JSON array with ids 0..n-1 (runBatch). On a non-2xx answer FluxOS reads
``data.error.code`` / ``data.error.message``; on 200 it reads ``result`` (and ``error`` if set). Parameters are
what daemonService/*.js builds from its HTTP query strings: getBlock sends the height as a string
(``ensureString``), the others pass numbers and booleans through ensureNumber/ensureBoolean, and defaults that
FluxOS computes as NaN go out as JSON null (createRawTransaction's expiryheight).

Methods FluxOS calls that fluxd has not built (fluxos_reads.NOT_BUILT_READS, WALLET_METHODS) must answer
-32601 "Method not found" with HTTP 404, as C++ does for a method it lacks.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.ecdsa import sign_message
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.params import networks
from tests.fake_fluxbench import install_fake_fluxbench, wait_until_online
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm, build_start_v5
from tests.functional.fluxos_reads import FLUXOS_CALLS, HIDDEN_CALLS, NOT_BUILT_READS, READS, WALLET_METHODS
from tests.functional.fluxos_wallet_replay import fund_wallet, replay_wallet_calls
from tests.functional.framework import NodeProcess

REGTEST = networks.regtest_params()
OWNER = PrivateKey(bytes([7]) * 32)
OPERATOR = PrivateKey(bytes([8]) * 32)
OWNER_ADDRESS = encode_destination(Destination("pubkeyhash", OWNER.key_id), REGTEST.base58)
CHANGE_ADDRESS = encode_destination(Destination("pubkeyhash", OPERATOR.key_id), REGTEST.base58)
WIF = encode_wif(OWNER, REGTEST.base58)
USER, PASSWORD = "fluxosrpc", "fluxospass"
START_TIME = 1_600_000_000
COLLATERAL = 1_000
FLUXNODE_IP = "127.0.0.1:16125"
APP_HASH = hashlib.sha256(b"fluxos app message").hexdigest()  # app registrations carry a 64-character hash


def decode_message(asm: str) -> str:
    """explorerService.js:258 decodeMessage: the text after 'OP_RETURN ', hex pairs up to a 00."""
    parts = asm.split("OP_RETURN ", 2)
    message, hexx = "", parts[1] if len(parts) > 1 else ""
    for k in range(0, len(hexx), 2):
        if hexx[k : k + 2] == "00":
            break
        message += chr(int(hexx[k : k + 2], 16))
    return message


class FluxRpcReplay:
    """utils/fluxRpc.js run() and runBatch(), byte for byte where it matters."""

    def __init__(self, port: int, user: str, password: str, first_id: int = 0) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=40)  # daemonServiceUtils: 40 s
        self.token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.current_id = first_id
        self.sent_ids: list[int] = []
        self.answered: set[str] = set()  # methods that answered 200 with a result, or a C++ error on purpose

    def post(self, payload, token: str | None = None) -> tuple[int, object, str]:
        headers = {"Accept": "application/json, text/plain, */*", "Content-Type": "application/json",
                   "User-Agent": "axios/1.7.7", "Accept-Encoding": "gzip, compress, deflate, br",
                   "Authorization": "Basic " + (token or self.token)}  # fmt: skip
        self.connection.request("POST", "/", json.dumps(payload, separators=(",", ":")), headers)
        response = self.connection.getresponse()
        body = response.read().decode()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        try:
            return response.status, json.loads(body), response.getheader("Content-Type", "")
        except ValueError:
            return response.status, body, response.getheader("Content-Type", "")

    def payload(self, method: str, params: list) -> dict:
        request_id, self.current_id = self.current_id, (self.current_id + 1) % 1000
        self.sent_ids.append(request_id)
        return {"jsonrpc": "2.0", "id": request_id, "method": method.lower(), "params": params}

    def call(self, method: str, *params) -> tuple[int, dict]:
        body = self.payload(method, list(params))
        status, reply, content_type = self.post(body)
        assert content_type == "application/json", (method, content_type)
        assert isinstance(reply, dict) and reply.get("id") == body["id"], (method, reply)
        return status, reply

    def run(self, method: str, *params):
        """A good call: HTTP 200 (fluxRpc.js throws on any other status), error null, the result."""
        status, reply = self.call(method, *params)
        assert status == 200 and reply.get("error") is None and "result" in reply, (method, params, status, reply)
        self.answered.add(method.lower())
        return reply["result"]

    def fails(self, method: str, *params) -> tuple[int, int, str]:
        """A failing call: non-2xx with a JSON body holding error.code (number) and error.message (string)."""
        status, reply = self.call(method, *params)
        error = reply.get("error")
        assert status >= 300 and isinstance(error, dict), (method, status, reply)
        assert isinstance(error.get("code"), int) and isinstance(error.get("message"), str), (method, reply)
        if status != 404:
            self.answered.add(method.lower())
        return status, error["code"], error["message"]

    def run_batch(self, calls: list[tuple[str, list]]) -> list[dict]:
        payloads = [{"jsonrpc": "2.0", "id": i, "method": method.lower(), "params": params}
                    for i, (method, params) in enumerate(calls)]
        status, reply, _ = self.post(payloads)
        assert status == 200 and isinstance(reply, list) and len(reply) == len(calls), (status, reply)
        return sorted(reply, key=lambda item: item["id"])  # axiosData.sort((a, b) => a.id - b.id)


# ----- checking the reads ---------------------------------------------------------------------------------------


def _kind_ok(kind: str, value) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "hex64":
        return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    if kind == "outpoint":  # generalService.js getCollateralInfo: split(', '), slice(10), Number(...split(')')[0])
        if not isinstance(value, str) or ", " not in value:
            return False
        head, tail = value.split(", ", 1)
        return value.startswith("COutPoint(") and _kind_ok("hex64", head[10:]) and tail.split(")")[0].isdigit()
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise AssertionError(kind)


def _walk(node, segments: list[str], trail: str):
    if not segments:
        yield trail, node
        return
    segment = segments[0]
    optional, each = "?" in segment, segment.replace("?", "").endswith("[]")
    key = segment.replace("?", "").removesuffix("[]")
    if key:
        assert isinstance(node, dict), f"{trail}: not an object"
        if key not in node:
            assert optional, f"{trail}.{key} missing"
            return
        node, trail = node[key], f"{trail}.{key}"
    if each:
        assert isinstance(node, list), f"{trail}: not an array"
        for index, item in enumerate(node):
            yield from _walk(item, segments[1:], f"{trail}[{index}]")
    else:
        yield from _walk(node, segments[1:], trail)


def check_reads(label: str, result) -> int:
    for read in READS[label]:
        found = list(_walk(result, read.path.split(".") if read.path else [], label))
        assert found, f"{label}: {read.path} (read at {read.where}) never found in {result!r:.300}"
        for trail, value in found:
            assert _kind_ok(read.kind, value), f"{trail} = {value!r} is not {read.kind} (read at {read.where})"
    return len(READS[label])


# ----- the node -------------------------------------------------------------------------------------------------


@pytest.fixture
def node(tmp_path):
    args = ["-nuparams=kamata:1", "-nuparams=pon:1000", f"-regtestbenchmarkpubkey={TEST_BENCHMARK_KEY.pubkey.hex()}",
            f"-mineraddress={OWNER_ADDRESS}", "-txindex=1", "-experimentalfeatures=1", "-insightexplorer=1"]  # fmt: skip
    process = NodeProcess(tmp_path / "fluxd", args, conf=f"rpcuser={USER}\nrpcpassword={PASSWORD}\n")
    process.auth = f"{USER}:{PASSWORD}"
    process.start(wait=False)  # the test waits as FluxOS does
    yield process
    process.stop()


class Clock:
    def __init__(self, node) -> None:
        self.node, self.now = node, START_TIME

    def mine(self, count: int = 1) -> list[str]:
        hashes = []
        for _ in range(count):
            self.now += 600
            self.node.rpc("setmocktime", self.now)
            hashes += self.node.rpc("generate", 1)
        return hashes


def restart_as_fluxnode(node, client: FluxRpcReplay, clock: Clock, collateral: OutPoint) -> None:
    """fluxnode.conf naming the collateral and -zelnode with the operator key, as a FluxOS node runs
    (-znconflock=0: the wallet replay below expects no locked coins)."""
    txid, vout = collateral.txid_hum, collateral.n
    operator_wif = encode_wif(OPERATOR, REGTEST.base58)
    (node.net_dir / "fluxnode.conf").write_text(f"zn1 {FLUXNODE_IP.replace('16125', '16126')} {operator_wif} {txid} {vout}\n")
    node.stop()
    # fluxbenchd installed but not running, and not started by fluxd (UNMANAGED_FLUXBENCHD, as on ArcaneOS)
    bench = install_fake_fluxbench(node.datadir / "bench", online=False)
    node.env["UNMANAGED_FLUXBENCHD"] = "1"
    node.extra_args += ["-zelnode=1", f"-zelnodeprivkey={operator_wif}", f"-zelnodeoutpoint={txid}",
                        f"-zelnodeindex={vout}", "-znconflock=0", f"-fluxbenchpath={bench}"]  # fmt: skip
    node.start()
    node.rpc("setmocktime", clock.now)
    client.connection.close()  # FluxOS's kept-alive socket died with the old process


def wait_for_daemon_rpc(client: FluxRpcReplay, node, timeout: float = 60) -> list[tuple[int, int, str]]:
    """daemonServiceMiscRpcs.js:135 waitForDaemonRpc: getBlockCount until it succeeds; while fluxd warms up
    FluxOS logs result.data.message when result.data.code is -28 (RPC_IN_WARMUP)."""
    deadline, warmups = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        assert node.process.poll() is None, node.output()
        try:
            status, reply = client.call("getBlockCount")
        except (ConnectionError, http.client.HTTPException):
            client.connection.close()
            time.sleep(0.02)
            continue
        if status == 200:
            return warmups
        error = reply["error"]
        warmups.append((status, error["code"], error["message"]))
        assert (status, error["code"]) == (500, -28) and isinstance(error["message"], str), reply
        time.sleep(0.02)
    raise TimeoutError(node.output())


def test_fluxos_requests_and_reads(node):
    started = time.monotonic()
    client = FluxRpcReplay(node.rpc_port, USER, PASSWORD, first_id=990)  # ids wrap 999 -> 0 during the test
    warmups = wait_for_daemon_rpc(client, node)
    clock = Clock(node)
    checked = 0

    mined = clock.mine(101)

    # --- a transaction the FluxOS way: createRawTransaction, signRawTransaction, sendRawTransaction ---------------
    inputs, total = [], 0.0
    for block_hash in mined[:20]:
        coinbase_txid = client.run("getBlock", block_hash, 1)["tx"][0]
        total += float(client.run("getTxOut", coinbase_txid, 0, True)["value"])  # getTxOut: [txid, n, includemempool]
        inputs.append({"txid": coinbase_txid, "vout": 0})
        if total > COLLATERAL + 1:
            break
    outputs = {OWNER_ADDRESS: COLLATERAL, CHANGE_ADDRESS: round(total - COLLATERAL - 0.001, 8)}
    # daemonServiceTransactionRpcs.js:31 adds 20 to getBlockCount()'s message object: NaN, sent as null
    unsigned = client.run("createRawTransaction", inputs, outputs, 0, None)
    with_message = Transaction.from_bytes(bytes.fromhex(unsigned))  # plus an app-registration style OP_RETURN
    message_out = TxOut(0, b"\x6a" + bytes([len(APP_HASH)]) + APP_HASH.encode())
    unsigned = with_message.copy_with(vout=(*with_message.vout, message_out)).to_bytes().hex()
    decoded = client.run("decodeRawTransaction", unsigned)
    assert [vin["txid"] for vin in decoded["vin"]] == [item["txid"] for item in inputs]
    signed = client.run("signRawTransaction", unsigned, [], [WIF], "ALL")
    assert signed["complete"] is True
    funding_txid = client.run("sendRawTransaction", signed["hex"], False)
    mempool = client.run("getRawMemPool", False)
    assert mempool == [funding_txid]
    assert client.run("getMempoolInfo")["size"] == 1
    client.run("prioritiseTransaction", funding_txid, 0, 0)
    funding_block = clock.mine()[0]
    funding_height = node.rpc("getblockcount")

    # --- a fluxnode, so the list FluxOS builds its network state from has an entry ---------------------------------
    funding = client.run("getRawTransaction", funding_txid, 1)
    vout = next(out["n"] for out in funding["vout"] if out["value"] == COLLATERAL)
    collateral = OutPoint(bytes.fromhex(funding_txid)[::-1], vout)
    clock.mine(100)
    node.rpc("sendrawtransaction", build_start_v5(collateral, OWNER, OPERATOR.pubkey, clock.now).to_bytes().hex())
    clock.mine()
    assert [entry["collateral"] for entry in client.run("getStartList")] != []
    confirm = build_confirm(collateral, OPERATOR, TEST_BENCHMARK_KEY, 0, FLUXNODE_IP, clock.now, 1, clock.now)
    node.rpc("sendrawtransaction", confirm.to_bytes().hex())
    clock.mine()
    restart_as_fluxnode(node, client, clock, collateral)
    tip = node.rpc("getblockcount")
    mine_time = time.monotonic() - started

    # --- daemonServiceBlockchainRpcs.js ------------------------------------------------------------------------
    info = client.run("getBlockchainInfo")
    checked += check_reads("getblockchaininfo", info)
    assert info["blocks"] == info["headers"] == tip
    count = client.run("getBlockCount")
    checked += check_reads("getblockcount", count)
    assert count == tip
    assert client.run("getBestBlockHash") == info["bestblockhash"]

    block = client.run("getBlock", str(funding_height), 2)  # ensureString(height): "103"
    checked += check_reads("getblock:height-string,2", block)
    assert block["hash"] == funding_block and block["height"] == funding_height
    funding_json = next(tx for tx in block["tx"] if tx["txid"] == funding_txid)
    message_json = funding_json["vout"][-1]["scriptPubKey"]
    assert "addresses" not in message_json and decode_message(message_json["asm"]) == APP_HASH  # explorerService.js:507
    best = client.run("getBlock", info["bestblockhash"], 1)
    checked += check_reads("getblock:hash,1", best)
    assert best["time"] == clock.now
    assert client.run("getBlock", "0", 2)["height"] == 0
    assert isinstance(client.run("getBlock", str(tip), 0), str)

    assert client.run("getBlockHash", funding_height) == funding_block
    header = client.run("getBlockHeader", funding_block, True)
    assert header["height"] == funding_height and header["hash"] == funding_block
    assert isinstance(client.run("getBlockHeader", funding_block, False), str)

    tips = client.run("getChainTips", tip - 5)  # daemon version > 7020050: getChainTips({minheight})
    checked += check_reads("getchaintips:minheight", tips)
    assert [(item["height"], item["status"]) for item in tips] == [(tip, "active")]
    checked += check_reads("getchaintips:minheight", client.run("getChainTips"))

    assert isinstance(client.run("getDifficulty"), (int, float))
    assert client.run("getRawMemPool", False) == []
    assert client.run("getTxOut", funding_txid, vout, True)["value"] == COLLATERAL
    assert client.run("getTxOut", funding_txid, vout, False)["confirmations"] == tip - funding_height + 1
    assert client.run("getTxOutSetInfo")["height"] == tip
    assert client.run("verifyChain", 3, 288) is True
    recent = [node.rpc("getblockhash", height) for height in (tip - 2, tip - 1, tip)]  # one block per 600 s
    window = (best["time"] + 1, best["time"] - 1200)  # high, low: ensureNumber'd from the query string
    assert client.run("getblockhashes", *window) == recent
    assert client.run("getblockhashes", *window, {"noOrphans": True, "logicalTimes": False}) == recent
    logical = client.run("getblockhashes", *window, {"noOrphans": False, "logicalTimes": True})
    times = range(best["time"] - 1200, best["time"] + 1, 600)
    assert [(item["blockhash"], item["logicalts"]) for item in logical] == list(zip(recent, times))

    # --- daemonServiceAddressRpcs.js and explorerService.js's bootstrap: the insight explorer indexes -------------
    window = {"addresses": [OWNER_ADDRESS], "start": 1, "end": tip}  # explorerService.js:845 and :975
    deltas = client.run("getaddressdeltas", dict(window))
    checked += check_reads("getaddressdeltas", deltas)
    self_sends = {d["txid"] for d in deltas if d["satoshis"] < 0} & {d["txid"] for d in deltas if d["satoshis"] > 0}
    assert funding_txid in self_sends  # what the bootstrap looks for (a spend and a receive in one tx)
    txids = client.run("getaddresstxids", dict(window))
    checked += check_reads("getaddresstxids", txids)
    assert funding_txid in txids and len(set(txids)) == len(txids)
    with_info = client.run("getAddressDeltas", {**window, "chainInfo": True})  # ensureBoolean(chaininfo)
    assert with_info["deltas"] == deltas and with_info["end"]["height"] == tip
    balance = client.run("getAddressBalance", {"addresses": [OWNER_ADDRESS]})
    everything = client.run("getAddressDeltas", {"addresses": [OWNER_ADDRESS]})
    assert balance["balance"] == sum(d["satoshis"] for d in everything)
    utxos = client.run("getAddressUtxos", {"addresses": [OWNER_ADDRESS], "chainInfo": False})
    assert sum(u["satoshis"] for u in utxos) == balance["balance"]
    assert client.run("getAddressMempool", {"addresses": [OWNER_ADDRESS]}) == []
    spent = client.run("getSpentInfo", {"txid": inputs[0]["txid"], "index": 0})  # ensureString / ensureNumber
    assert spent == {"txid": funding_txid, "index": 0, "height": funding_height}
    block_deltas = client.run("getBlockDeltas", funding_block)
    assert block_deltas["deltas"][1]["txid"] == funding_txid
    proof = client.run("getTxOutProof", [funding_txid], funding_block)  # txids.split(','), blockhash
    assert client.run("verifyTxOutProof", proof) == [funding_txid]
    assert client.fails("getDeprecationInfo")[:2] == (500, -1)  # C++ answers it on mainnet only (help text)

    # --- daemonServiceControlRpcs.js ---------------------------------------------------------------------------
    daemon_info = client.run("getInfo")
    checked += check_reads("getinfo", daemon_info)
    assert daemon_info["blocks"] == tip
    assert "getblock" in client.run("help", "")  # command defaults to ''
    assert client.run("help", "getblock").startswith("getblock ")

    # --- daemonServiceTransactionRpcs.js / generalService.js / explorerService.js ---------------------------------
    raw = client.run("getRawTransaction", funding_txid, 0)  # verbose defaults to 0
    assert raw == signed["hex"]
    verbose = client.run("getRawTransaction", funding_txid, 1)
    checked += check_reads("getrawtransaction:txid,1", verbose)
    assert verbose["vout"][vout]["value"] == COLLATERAL  # generalService.js:77 nodeTier(): value === 1000
    script = verbose["vout"][vout]["scriptPubKey"]
    assert client.run("decodeScript", script["hex"])["addresses"] == [OWNER_ADDRESS]

    coinbase_txid = block["tx"][0]["txid"]
    replies = client.run_batch([("getrawtransaction", [funding_txid, 1]), ("getrawtransaction", [coinbase_txid, 1]),
                                ("getrawtransaction", ["00" * 32, 1]), ("z_listaddresses", [])])  # fmt: skip
    assert [item["id"] for item in replies] == [0, 1, 2, 3]
    assert replies[3]["result"] is None and replies[3]["error"] == {"code": -32601, "message": "Method not found"}
    for item in replies[:2]:
        assert item["error"] is None
        checked += check_reads("getrawtransaction:batch", item["result"])
        assert item["result"]["height"] == funding_height
    failed = replies[2]  # explorerService.js:1006 reads response.error.message
    assert failed["result"] is None and isinstance(failed["error"]["code"], int) and failed["error"]["message"]

    # --- daemonServiceFluxnodeRpcs.js --------------------------------------------------------------------------
    fluxnodes = client.run("viewdeterministiczelnodelist")
    checked += check_reads("viewdeterministiczelnodelist", fluxnodes)
    entries = [(item["txhash"], item["ip"], item["tier"]) for item in fluxnodes]
    assert entries == [(funding_txid, FLUXNODE_IP, "CUMULUS")]
    assert client.run("viewdeterministiczelnodelist", OWNER_ADDRESS) == fluxnodes  # the filter FluxOS passes
    assert client.run("viewdeterministiczelnodelist", "no-such-node") == []
    assert len(client.run("listfluxnodes")) == 1
    assert client.run("getzelnodecount")["total"] == 1
    assert client.run("getdoslist") == [] and client.run("getstartlist") == []
    assert list(client.run("zelnodecurrentwinner")) == ["CUMULUS Winner"]
    status = client.run("getzelnodestatus")  # daemonServiceFluxnodeRpcs.js:15, no parameters
    checked += check_reads("getzelnodestatus", status)
    assert (status["status"], status["txhash"], status["ip"]) == ("CONFIRMED", funding_txid, FLUXNODE_IP)
    conf = client.run("listzelnodeconf")  # :73, the filter only when FluxOS is given one
    assert [(item["alias"], item["status"], item["txHash"]) for item in conf] == [("zn1", "CONFIRMED", funding_txid)]
    assert client.run("listzelnodeconf", "zn1") == conf  # C++ reads the filter but never applies it
    assert client.run("createzelnodekey")[0] in "9c"  # :93, a regtest WIF of an uncompressed key
    assert isinstance(client.run("getzelnodeoutputs"), list)  # :157
    # :176 startdeterministiczelnode [alias, ensureBoolean(lockwallet)]: C++ reads lockwallet with get_str
    assert client.fails("startDeterministicZelNode", "zn1", False) == (500, -1, "JSON value is not a string as expected")
    # :202 startzelnode [set, lockwallet, alias] with the query strings as given
    already = client.run("startZelNode", "alias", "false", "zn1")
    assert already == [{"outpoint": f"COutPoint({funding_txid[:10]}, {vout})", "alias": "zn1", "result": "failed",
                        "reason": "Fluxnode already confirmed and in fluxnode list"}]  # fmt: skip

    # --- daemonServiceMiningRpcs.js ----------------------------------------------------------------------------
    assert set(client.run("getBlockSubsidy", tip)) >= {"miner"}
    # FluxOS sends no request object unless given one; with no peer C++ refuses, as here
    assert client.fails("getBlockTemplate") == (500, -9, "Flux is not connected!")
    assert isinstance(client.run("getLocalSolPs"), (int, float))
    assert client.run("getMiningInfo")["blocks"] == tip
    assert isinstance(client.run("getNetworkHashPs", 120, -1), (int, float))
    assert isinstance(client.run("getNetworkSolPs", 120, -1), (int, float))
    assert client.run("submitBlock", client.run("getBlock", funding_block, 0)) == "duplicate"

    # --- daemonServiceNetworkRpcs.js (loopback only) -----------------------------------------------------------
    assert client.run("getConnectionCount") == 0
    assert set(client.run("getNetTotals")) >= {"totalbytesrecv", "totalbytessent"}
    assert "version" in client.run("getNetworkInfo")
    assert client.run("getPeerInfo") == []
    assert client.run("ping") is None
    assert client.run("addNode", "127.0.0.1:1", "add") is None
    assert [item["addednode"] for item in client.run("getAddedNodeInfo", True)] == ["127.0.0.1:1"]
    assert [item["addednode"] for item in client.run("getAddedNodeInfo", True, "127.0.0.1:1")] == ["127.0.0.1:1"]
    assert client.run("addNode", "127.0.0.1:1", "remove") is None
    assert client.fails("disconnectNode", "127.0.0.1:1")[:2] == (500, -29)
    assert client.run("setBan", "127.0.0.2", "add", 3600, False) is None
    banned = [item["address"] for item in client.run("listBanned")]
    assert banned == ["127.0.0.2/255.255.255.255"]  # C++ CSubNet::ToString
    assert client.run("clearBanned") is None and client.run("listBanned") == []

    # --- daemonServiceUtilityRpcs.js ---------------------------------------------------------------------------
    keys = [OWNER.pubkey.hex(), OPERATOR.pubkey.hex()]
    assert client.run("createMultiSig", 1, keys)["address"].startswith("t2")
    assert isinstance(client.run("estimateFee", 2), (int, float))
    assert isinstance(client.run("estimatePriority", 2), (int, float))
    validated = client.run("validateAddress", OWNER_ADDRESS)
    assert validated["isvalid"] is True and validated["address"] == OWNER_ADDRESS
    z_address = "zregtestsapling17xwek7t788enw3zc88d5e54s4tz006uv5yclzet8c3z6j423ymfu98c5u0thd6zp4e6p290qa9w"
    z_validated = client.run("z_validateaddress", z_address)  # daemonServiceUtilityRpcs.js:192 passes the reply on
    assert z_validated["isvalid"] is True and z_validated["type"] == "sapling" and z_validated["ismine"] is False
    assert client.run("z_validateaddress", OWNER_ADDRESS) == {"isvalid": False}
    signature = base64.b64encode(sign_message(OWNER.secret, b"fluxos")).decode()
    assert client.run("verifyMessage", OWNER_ADDRESS, signature, "fluxos") is True

    # --- daemonServiceWalletRpcs.js ----------------------------------------------------------------------------------
    def fund(address: str) -> None:
        coinbase = client.run("getBlock", mined[40], 1)["tx"][0]
        value = float(client.run("getTxOut", coinbase, 0, True)["value"])
        fund_wallet(client, clock, address, coinbase, value, WIF)

    replay_wallet_calls(client, clock, fund)

    # --- daemonServiceBenchmarkRpcs.js: a fluxnode whose fluxbenchd is not running (C++ texts) ---------------------
    assert client.run("getbenchmarks") == "Benchmark not running"
    assert client.run("getbenchstatus") == "Benchmark not running"
    assert client.run("stopzelbenchd") == "Not running"
    assert client.fails("createConfirmationTransaction") == (
        500, -25, "Benchmark failed to sign new confirmation transaction: Benchd isn't running\n")  # fmt: skip
    assert client.run("startzelbenchd") == "Starting process"
    wait_until_online(node.datadir / "bench")
    assert json.loads(client.run("getbenchstatus"))["status"] == "online"
    # fluxNetworkHelper.js:1224: FluxOS asks its node for an UPDATE confirm (sent, or refused by the update gap)
    sent = client.run("createConfirmationTransaction")
    assert list(sent) == ["status", "txid", "raw"] and sent["status"] in ("Successfully Sent", "Fail to send"), sent
    assert node.rpc("decoderawtransaction", sent["raw"])["txid"] == sent["txid"]
    tip = node.rpc("getblockcount")

    # --- errors in the shape fluxRpc.js parses ----------------------------------------------------------------------
    assert client.fails("getBlock", str(tip + 1), 2) == (500, -8, "Block height out of range")
    assert client.fails("getBlock", "abc", 2) == (500, -8, "Invalid block height parameter")
    assert client.fails("getBlock", None, 2)[:2] == (500, -1)  # getBlock with no hashheight: ensureString(undefined)
    assert client.fails("getBlockHash", tip + 1) == (500, -8, "Block height out of range")
    assert client.fails("getRawTransaction", "00" * 32, 1)[:2] == (500, -5)
    assert client.fails("sendRawTransaction", signed["hex"], False)[:2] == (500, -27)  # already in the chain
    built = {line.split()[0] for line in client.run("help", "").splitlines() if line and not line.startswith("==")}
    built |= HIDDEN_CALLS
    not_built = sorted(set(FLUXOS_CALLS) - built)
    assert not_built == sorted([*NOT_BUILT_READS, *WALLET_METHODS]), "fluxos_reads.py lists the unbuilt methods"
    for method in not_built:
        assert client.fails(method) == (404, -32601, "Method not found"), method
    untested = sorted(set(FLUXOS_CALLS) & built - client.answered - {"stop"})
    assert untested == [], f"FluxOS calls these and fluxd has them: replay them here ({untested})"
    wrong = base64.b64encode(f"{USER}:wrong".encode()).decode()
    status, body, _ = client.post(client.payload("getblockcount", []), token=wrong)
    assert status == 401 and body == ""  # fluxRpc.js: a string body becomes code 500 with that text

    # --- a fork, as explorerService.js:1050 checkAndHandleReorgs looks for it -----------------------------------
    old_tip = node.rpc("getbestblockhash")
    node.rpc("invalidateblock", old_tip)
    new_tip = clock.mine()[0]
    node.rpc("reconsiderblock", old_tip)  # both at the tip height: one active, the other a valid fork
    forks = client.run("getChainTips", tip)
    checked += check_reads("getchaintips:minheight", forks)
    active = node.rpc("getbestblockhash")
    (fork,) = {old_tip, new_tip} - {active}
    shapes = sorted((item["hash"], item["status"], item["branchlen"], item["height"]) for item in forks)
    assert shapes == sorted([(active, "active", 0, tip), (fork, "valid-fork", 1, tip)])

    # --- the ids FluxOS sent came back, wrapping at 1000 ----------------------------------------------------------
    assert 999 in client.sent_ids and client.sent_ids[client.sent_ids.index(999) + 1] == 0

    # --- daemonServiceControlRpcs.js stop ----------------------------------------------------------------------
    assert client.run("stop") == "Flux server stopping"
    node.process.wait(60)
    print(f"fluxos contract: {len(client.answered)} built methods replayed, {checked} reads checked, "
          f"{len(not_built)} unbuilt methods, {len(warmups)} warm-up answers, "
          f"mining {mine_time:.1f}s, total {time.monotonic() - started:.1f}s")
