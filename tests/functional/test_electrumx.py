"""ElectrumX (the e-x package, with the regtest ZelCash coin class of electrumx_coin.py) against a real regtest PoW
fluxd: it syncs to the tip, serves headers, transactions, a scripthash balance and a broadcast to an Electrum client
speaking JSON lines over TCP, and follows a reorg.  Everything listens on and talks to 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.params import networks
from tests.functional.framework import NodeProcess, free_port, wait_until

pytestmark = pytest.mark.functional

REGTEST = networks.regtest_params()
KEY = PrivateKey(bytes([7]) * 32)
ADDRESS = encode_destination(Destination("pubkeyhash", KEY.key_id), REGTEST.base58)
WIF = encode_wif(KEY, REGTEST.base58)
SCRIPT = bytes.fromhex("76a914") + KEY.key_id + bytes.fromhex("88ac")  # the P2PKH scriptPubKey of ADDRESS
SCRIPTHASH = hashlib.sha256(SCRIPT).digest()[::-1].hex()
LAUNCHER = Path(__file__).with_name("electrumx_coin.py")
START_TIME = 1_600_000_000
BLOCKS = 110
SATS = Decimal(100_000_000)


class ElectrumClient:
    """The Electrum protocol is JSON-RPC 2.0, one object a line, over TCP; notifications come in between."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.reader = self.sock.makefile("rb")
        self.next_id = 0
        self.notifications: list[dict] = []

    def call(self, method: str, *params):
        reply = self.request(method, *params)
        if reply.get("error"):
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def request(self, method: str, *params) -> dict:
        self.next_id += 1
        self.sock.sendall(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)}).encode() + b"\n")
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("ElectrumX closed the connection")
            message = json.loads(line)
            if "id" not in message or message["id"] is None:
                self.notifications.append(message)
                continue
            assert message["id"] == self.next_id
            return message

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class Miner:
    def __init__(self, node: NodeProcess) -> None:
        self.node, self.now = node, START_TIME
        node.rpc("setmocktime", self.now)

    def generate(self, count: int) -> list[str]:
        hashes = []
        for _ in range(count):
            self.now += 600
            self.node.rpc("setmocktime", self.now)
            hashes += self.node.rpc("generate", 1)
        return hashes


def _sats(value) -> int:
    return int(Decimal(str(value)) * SATS)


def _unspent_to_address(node: NodeProcess) -> int:
    """The node's own view of the address's confirmed balance: every output to it in the active chain that gettxout
    still finds unspent."""
    total = 0
    for height in range(1, node.rpc("getblockcount") + 1):
        for txid in node.rpc("getblock", node.rpc("getblockhash", height))["tx"]:
            for vout in node.rpc("getrawtransaction", txid, 1)["vout"]:
                if vout["scriptPubKey"].get("addresses") == [ADDRESS]:
                    out = node.rpc("gettxout", txid, vout["n"], False)
                    total += _sats(out["value"]) if out is not None else 0
    return total


def _start_electrumx(tmp_path: Path, node: NodeProcess, port: int) -> subprocess.Popen:
    db_dir = tmp_path / "electrumx-db"
    db_dir.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "COIN": "ZelCash",
        "NET": "regtest",
        "DB_DIRECTORY": str(db_dir),
        "DB_ENGINE": "leveldb",
        "DAEMON_URL": f"http://user:pass@127.0.0.1:{node.rpc_port}/",
        "SERVICES": f"tcp://127.0.0.1:{port}",
        "REPORT_SERVICES": "",
        "PEER_DISCOVERY": "off",
        "PEER_ANNOUNCE": "",
        "BLACKLIST_URL": "",
        "DAEMON_POLL_INTERVAL_BLOCKS": "200",
        "DAEMON_POLL_INTERVAL_MEMPOOL": "200",
        "CACHE_MB": "50",
        "LOG_LEVEL": "info",
        "ALLOW_ROOT": "1",  # CI and the dev machines run as root
    }
    log = open(tmp_path / "electrumx.log", "ab")
    return subprocess.Popen([sys.executable, str(LAUNCHER)], env=env, stdout=log, stderr=subprocess.STDOUT)


def _connect(process: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> ElectrumClient:
    """ElectrumX opens its services only once it has caught up with the daemon."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ElectrumX exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            return ElectrumClient(port)
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"ElectrumX did not open its TCP service:\n{log.read_text()[-4000:]}")


def _tip_matches(client: ElectrumClient, node: NodeProcess) -> bool:
    tip = client.call("blockchain.headers.subscribe")
    best = node.rpc("getbestblockhash")
    return tip["height"] == node.rpc("getblockcount") and tip["hex"] == node.rpc("getblockheader", best, False)


def _last_header_notified(client: ElectrumClient) -> dict | None:
    headers = [note["params"][0] for note in client.notifications if note["method"] == "blockchain.headers.subscribe"]
    return headers[-1] if headers else None


@pytest.fixture
def node(tmp_path):
    process = NodeProcess(
        tmp_path / "node",
        ["-nuparams=pon:1000", "-txindex=1", f"-mineraddress={ADDRESS}", "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1"],
        conf="rpcuser=user\nrpcpassword=pass\n",
    )
    process.auth = "user:pass"
    process.start()
    yield process
    process.stop()


def test_electrumx_syncs_serves_broadcasts_and_follows_a_reorg(tmp_path, node):
    miner = Miner(node)
    hashes = miner.generate(BLOCKS)
    port = free_port()
    electrumx = _start_electrumx(tmp_path, node, port)
    log = tmp_path / "electrumx.log"
    client = None
    try:
        client = _connect(electrumx, port, log)
        server_software, protocol = client.call("server.version", "fluxd-functional-test", "1.4")
        assert server_software.startswith("ElectrumX") and protocol == "1.4"
        features = client.call("server.features")
        assert features["genesis_hash"] == node.rpc("getblockhash", 0)

        # Synced to the tip: the header ElectrumX serves is the node's serialized header, Equihash solution included.
        tip = client.call("blockchain.headers.subscribe")
        assert tip["height"] == node.rpc("getblockcount") == BLOCKS
        assert tip["hex"] == node.rpc("getblockheader", hashes[-1], False)
        assert client.call("blockchain.block.header", 1) == node.rpc("getblockheader", hashes[0], False)

        coinbase = node.rpc("getblock", hashes[0])["tx"][0]
        assert client.call("blockchain.transaction.get", coinbase) == node.rpc("getrawtransaction", coinbase)
        _, body, _ = node.raw_request(json.dumps({"method": "getrawtransaction", "params": [coinbase, 1], "id": 1}).encode())
        assert client.call("blockchain.transaction.get", coinbase, True) == json.loads(body)["result"]  # passed through
        missing = client.request("blockchain.transaction.get", "11" * 32)["error"]
        assert "No information available about transaction" in missing["message"]  # the node's -5 message
        assert client.call("blockchain.relayfee") == float(node.rpc("getnetworkinfo")["relayfee"])

        # The miner's scripthash: every coinbase output to the address, mature or not, as gettxout values them.
        expected = _unspent_to_address(node)
        assert expected > 0
        assert client.call("blockchain.scripthash.get_balance", SCRIPTHASH) == {"confirmed": expected, "unconfirmed": 0}
        unspent = client.call("blockchain.scripthash.listunspent", SCRIPTHASH)
        assert sum(utxo["value"] for utxo in unspent) == expected
        assert max(utxo["height"] for utxo in unspent) == BLOCKS  # the immature coinbases count too
        assert {"tx_hash": coinbase, "tx_pos": 0, "height": 1, "value": _sats(node.rpc("gettxout", coinbase, 0)["value"])} in unspent
        history = client.call("blockchain.scripthash.get_history", SCRIPTHASH)
        assert [entry["height"] for entry in history] == list(range(1, BLOCKS + 1))

        # A spend of the (mature) first coinbase back to the address, signed by the node, broadcast through ElectrumX.
        value = node.rpc("gettxout", coinbase, 0)["value"]
        fee = Decimal("0.0001")
        raw = node.rpc("createrawtransaction", [{"txid": coinbase, "vout": 0}], {ADDRESS: float(Decimal(str(value)) - fee)})
        signed = node.rpc("signrawtransaction", raw, None, [WIF])
        assert signed["complete"] is True
        rejected = client.request("blockchain.transaction.broadcast", "00")["error"]
        assert "TX decode failed" in rejected["message"]  # the node's sendrawtransaction error, relayed
        spend = client.call("blockchain.transaction.broadcast", signed["hex"])
        assert spend in node.rpc("getrawmempool")
        wait_until(
            lambda: client.call("blockchain.scripthash.get_balance", SCRIPTHASH)["unconfirmed"] == -_sats(fee),
            30, 0.2, "ElectrumX to see the spend in the mempool",
        )  # fmt: skip
        assert {"tx_hash": spend, "height": 0, "fee": _sats(fee)} in client.call("blockchain.scripthash.get_mempool", SCRIPTHASH)

        # A reorg: the last two blocks invalidated, three others mined on the block below them.
        node.rpc("invalidateblock", hashes[-2])
        assert node.rpc("getblockcount") == BLOCKS - 2
        new_hashes = miner.generate(3)
        assert node.rpc("getblockcount") == BLOCKS + 1 and not set(new_hashes) & set(hashes)
        assert spend in node.rpc("getblock", new_hashes[0])["tx"]
        wait_until(lambda: _tip_matches(client, node), 60, 0.2, "ElectrumX to follow the reorg")
        assert client.call("blockchain.block.header", BLOCKS - 1) == node.rpc("getblockheader", new_hashes[0], False)
        wait_until(lambda: client.call("server.ping") is None and _last_header_notified(client) is not None
                   and _last_header_notified(client)["height"] == BLOCKS + 1, 30, 0.2, "a headers notification")  # fmt: skip
        assert _last_header_notified(client)["hex"] == node.rpc("getblockheader", new_hashes[-1], False)
        wait_until(
            lambda: client.call("blockchain.scripthash.get_balance", SCRIPTHASH) == {"confirmed": _unspent_to_address(node), "unconfirmed": 0},
            30, 0.2, "ElectrumX's balance after the reorg",
        )  # fmt: skip
        assert {"tx_hash": spend, "height": BLOCKS - 1} in client.call("blockchain.scripthash.get_history", SCRIPTHASH)
        assert client.call("blockchain.transaction.get_merkle", spend, BLOCKS - 1)["block_height"] == BLOCKS - 1
    except BaseException:
        print(log.read_text(errors="replace")[-6000:])
        raise
    finally:
        if client is not None:
            client.close()
        electrumx.terminate()
        try:
            electrumx.wait(30)
        except subprocess.TimeoutExpired:
            electrumx.kill()
            electrumx.wait(30)
