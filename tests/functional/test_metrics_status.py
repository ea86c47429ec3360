"""/metrics, /status, /healthz and -metricsport on a real regtest node; the status page in headless Chromium.

Two nodes (the one under test has -metricsport, the other is its peer), 103 blocks mined and one
transaction in the mempool; every figure is checked against the RPC answer for it.
"""

from __future__ import annotations

import base64
from tests.html_dom import Dom
import http.client
import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.params import networks
from tests.functional.framework import NodeProcess, connect_nodes, free_port, sync_blocks, wait_until

pytestmark = pytest.mark.functional
REGTEST = networks.regtest_params()
KEY = PrivateKey(bytes([3]) * 32)
ADDRESS = encode_destination(Destination("pubkeyhash", KEY.key_id), REGTEST.base58)
OTHER = encode_destination(Destination("pubkeyhash", PrivateKey(bytes([4]) * 32).key_id), REGTEST.base58)
CHROMIUM_TIMEOUT = 25


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    base = tmp_path_factory.mktemp("metrics")
    metrics_port = free_port()
    node = NodeProcess(base / "a", ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}", "-listen=1", f"-metricsport={metrics_port}"])
    peer = NodeProcess(base / "b", ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}", "-listen=1"])
    node.metrics_port = metrics_port
    node.start()
    peer.start()
    try:
        hashes = node.rpc("generate", 103)
        connect_nodes(peer, node)
        sync_blocks([node, peer])
        coinbase = node.rpc("getblock", hashes[0])["tx"][0]
        subsidy = float(node.rpc("gettxout", coinbase, 0)["value"])
        raw = node.rpc("createrawtransaction", [{"txid": coinbase, "vout": 0}], {OTHER: round(subsidy - 0.0001, 8)})
        signed = node.rpc("signrawtransaction", raw, None, [encode_wif(KEY, REGTEST.base58)])
        txid = node.rpc("sendrawtransaction", signed["hex"])
        wait_until(lambda: txid in node.rpc("getrawmempool"), 30, 0.1, "the transaction in the mempool")
        wait_until(lambda: len(node.rpc("getpeerinfo")) == 1, 30, 0.1, "the peer's handshake")
        yield node, peer
    finally:
        peer.stop()
        node.stop()


def get(port: int, path: str, auth: str | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def parse(body: bytes) -> dict[tuple[str, tuple], float]:
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_behind_rpc_auth_match_rpc(nodes):
    node, _ = nodes
    assert get(node.rpc_port, "/metrics")[0] == 401
    assert get(node.rpc_port, "/metrics", "__cookie__:wrong")[0] == 401
    assert get(node.rpc_port, "/status")[0] == 401 and get(node.rpc_port, "/status.json")[0] == 401
    node.rpc("getblockcount")
    node.rpc("getblockcount")  # two calls the scrape below must count (answered on the event loop, timed too)
    status, body, headers = get(node.rpc_port, "/metrics", node.credentials())
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = parse(body)
    info = node.rpc("getblockchaininfo")
    mempool = node.rpc("getmempoolinfo")
    assert samples[("fluxd_chain_height", ())] == node.rpc("getblockcount") == 103
    assert samples[("fluxd_headers", ())] == info["headers"] == 103
    assert samples[("fluxd_peers", ())] == node.rpc("getconnectioncount") == 1
    assert samples[("fluxd_peers_by_direction", (("direction", "inbound"),))] == 1
    assert samples[("fluxd_mempool_transactions", ())] == mempool["size"] == 1
    assert samples[("fluxd_mempool_bytes", ())] == mempool["bytes"] > 0
    assert samples[("fluxd_mempool_usage_bytes", ())] == mempool["usage"]
    assert samples[("fluxd_block_connect_seconds_count", ())] == 103
    assert samples[("fluxd_blocks_connected_total", ())] == 103
    assert samples[("fluxd_blocks_per_second", ())] > 0
    assert samples[("fluxd_block_files_bytes", ())] == info["size_on_disk"] > 0
    assert samples[("fluxd_db_bytes", ())] > 0
    assert samples[("fluxd_coins_cache_limit_bytes", ())] > 0
    assert ("fluxd_coins_cache_bytes", ()) in samples
    assert samples[("fluxd_verification_progress", ())] == pytest.approx(float(info["verificationprogress"]), abs=1e-3)
    counts = node.rpc("getfluxnodecount")
    for tier, key in (("CUMULUS", "cumulus-enabled"), ("NIMBUS", "nimbus-enabled"), ("STRATUS", "stratus-enabled")):
        assert samples[("fluxd_fluxnodes", (("tier", tier),))] == counts[key]
    assert samples[("fluxd_rpc_request_seconds_count", (("method", "generate"),))] == 1
    assert samples[("fluxd_rpc_request_seconds_count", (("method", "getblockcount"),))] >= 2
    assert samples[("fluxd_warmup", ())] == 0
    assert [value for (name, labels), value in samples.items() if name == "fluxd_info" and ("network", "regtest") in labels] == [1]
    assert samples[("fluxd_process_resident_memory_bytes", ())] > 0


def test_metricsport_answers_without_auth_on_loopback_only(nodes):
    node, _ = nodes
    status, body, _ = get(node.metrics_port, "/metrics")
    assert status == 200 and parse(body)[("fluxd_chain_height", ())] == 103
    assert get(node.metrics_port, "/healthz")[:2] == (200, b"ok\n")
    assert get(node.rpc_port, "/healthz")[:2] == (200, b"ok\n")  # no auth needed for the health check
    assert get(node.metrics_port, "/status")[0] == 200
    assert get(node.metrics_port, "/")[0] == 404  # no JSON-RPC there
    listening = subprocess.run(["ss", "-Hltn", f"sport = :{node.metrics_port}"], capture_output=True, text=True)
    if listening.returncode == 0 and listening.stdout.strip():
        addresses = {line.split()[3].rsplit(":", 1)[0] for line in listening.stdout.strip().splitlines()}
        assert addresses == {"127.0.0.1"}


def test_healthz_is_503_during_warmup(tmp_path):
    metrics_port = free_port()
    node = NodeProcess(tmp_path / "w", [f"-metricsport={metrics_port}", "-checkblocks=0"])
    node.start(wait=False)
    try:
        seen = set()

        def answered():
            try:
                seen.add(get(metrics_port, "/healthz")[0])
            except OSError:
                return False
            return 200 in seen

        wait_until(answered, 60, 0.02, "healthz ok")
        assert seen <= {200, 503}
    finally:
        node.wait_for_rpc()
        node.stop()


def test_metricsport_bind_failure_refuses_to_start(tmp_path, nodes):
    node, _ = nodes
    other = NodeProcess(tmp_path / "x", [f"-metricsport={node.metrics_port}"])
    other.start(wait=False)
    code = other.process.wait(60)
    other.process = None
    assert code != 0
    assert "Unable to bind the metrics port" in (tmp_path / "x" / "stdout.log").read_text()



def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        apt = "apt-get is unavailable here" if shutil.which("apt-get") is None else "apt-get install -y chromium"
        pytest.skip(f"Debian's chromium is not installed ({apt}; .ci/run installs it)")
    return found


def run_chromium(binary: str, profile, *arguments: str) -> subprocess.CompletedProcess:
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               f"--user-data-dir={profile}", *arguments]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT)


def test_status_page_in_headless_chromium_matches_rpc(nodes, tmp_path):
    binary = chromium()
    node, peer = nodes
    url = f"http://127.0.0.1:{node.metrics_port}/status"
    dumped = run_chromium(binary, tmp_path / "profile", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = Dom()
    dom.feed(dumped.stdout)
    info = node.rpc("getblockchaininfo")
    mempool = node.rpc("getmempoolinfo")
    peers = node.rpc("getpeerinfo")
    assert int(dom.ids["height"]) == node.rpc("getblockcount") == 103
    assert dom.ids["bestblockhash"] == node.rpc("getbestblockhash")
    assert int(dom.ids["headers"]) == info["headers"]
    assert float(dom.ids["syncprogress"]) == pytest.approx(float(info["verificationprogress"]) * 100, abs=0.01)
    assert int(dom.ids["peercount"]) == len(peers) == 1
    assert dom.column("addr") == [entry["addr"] for entry in peers]
    assert dom.column("subver") == [entry["subver"] for entry in peers]
    assert int(dom.ids["mempoolsize"]) == mempool["size"] == 1
    assert int(dom.ids["mempoolbytes"]) == mempool["bytes"]
    counts = node.rpc("getfluxnodecount")
    assert int(dom.ids["fluxnodes-cumulus"]) == counts["cumulus-enabled"]
    assert int(dom.ids["fluxnodes-nimbus"]) == counts["nimbus-enabled"]
    assert int(dom.ids["fluxnodes-stratus"]) == counts["stratus-enabled"]
    assert int(dom.ids["fluxnodes-total"]) == counts["total"]
    heights = [int(text) for text in dom.column("height")]
    assert heights == list(range(103, 93, -1))
    hashes = dom.column("hash")
    assert hashes == [node.rpc("getblockhash", height) for height in heights]
    assert [int(text) for text in dom.column("txs")] == [len(node.rpc("getblock", block)["tx"]) for block in hashes]
    assert dom.ids["network"] == "regtest"

    screenshot = tmp_path / "status.png"
    shot = run_chromium(binary, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1200,900", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.is_file() and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one
