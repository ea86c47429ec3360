"""The node's Prometheus collector, RPC timing, the status snapshot/page and /healthz, over an in-process chainstate."""

from __future__ import annotations

from tests.html_dom import Dom
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.mempool.pool import Mempool
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.context import NodeContext
from fluxd.rpc.methods import register_all
from fluxd.rpc.metrics import RATE_WINDOW, UNKNOWN_METHOD, NodeMetrics
from fluxd.rpc.server import AllowList, RPCAuth, RPCServer
from fluxd.rpc.status_page import health, render_status_html, status_snapshot
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.util.args import parse_parameters
from tests.block_building import build_block
from tests.fake_clock import FakeClock

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
SCRIPT = p2pkh_script(PrivateKey(bytes([5]) * 32).key_id)


class Tick:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def node(tmp_path):
    clock = FakeClock()
    context = NodeContext(args=parse_parameters([]), params=PARAMS, net_dir=tmp_path)
    register_all(context.rpc_table)
    tick = Tick()
    context.metrics = NodeMetrics(context, process_metrics=False, clock=tick)
    chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock)
    chainstate.connect_observer = context.metrics.observe_connect
    chainstate.load()
    return SimpleNamespace(context=context, metrics=context.metrics, chainstate=chainstate, clock=clock, tick=tick)


def mine(node, count: int) -> None:
    for _ in range(count):
        node.clock.time += 600
        node.chainstate.process_block(build_block(PARAMS, node.chainstate.tip, SCRIPT, node.clock.time))


def scrape(metrics: NodeMetrics) -> dict[str, object]:
    """name -> family, parsed back with prometheus_client's own parser."""
    return {family.name: family for family in text_string_to_metric_families(metrics.exposition().decode())}


def value(families, name: str, **labels) -> float:
    for family in families.values():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(key) == text for key, text in labels.items()):
                return sample.value
    raise KeyError(name)


def test_nothing_running_gives_only_the_node_figures(node):
    families = scrape(node.metrics)
    assert value(families, "fluxd_info", network="regtest") == 1
    assert value(families, "fluxd_warmup") == 1  # the table starts in warm-up
    assert "fluxd_chain_height" not in families and "fluxd_peers" not in families and "fluxd_mempool_bytes" not in families
    assert health(node.metrics)[0] == 503


def test_chain_figures_and_connect_histogram(node):
    mine(node, 4)
    node.context.chainstate = node.chainstate
    node.context.rpc_table.set_warmup(None)
    families = scrape(node.metrics)
    assert value(families, "fluxd_chain_height") == 4
    assert value(families, "fluxd_headers") == 4
    assert value(families, "fluxd_tip_time_seconds") == node.chainstate.tip.time
    assert value(families, "fluxd_warmup") == 0
    assert value(families, "fluxd_block_connect_seconds_count") == 4
    assert value(families, "fluxd_block_connect_seconds_bucket", le="+Inf") == 4
    assert value(families, "fluxd_block_connect_seconds_sum") > 0
    assert value(families, "fluxd_blocks_connected_total") == 4
    assert value(families, "fluxd_blocks_per_second") == pytest.approx(4 / RATE_WINDOW)
    assert value(families, "fluxd_coins_cache_bytes") == node.chainstate.cache.memory_usage  # 0: flushed after each block (no -dbcache)
    assert value(families, "fluxd_db_bytes") == 0  # a memory store has no RocksDB properties
    assert value(families, "fluxd_fluxnodes", tier="CUMULUS") == 0
    assert families["fluxd_block_connect_seconds"].type == "histogram"
    assert health(node.metrics) == (200, "ok\n")


def test_blocks_per_second_forgets_blocks_older_than_the_window(node):
    mine(node, 3)
    assert node.metrics.blocks_per_second() == pytest.approx(3 / RATE_WINDOW)
    node.tick.now += RATE_WINDOW + 1
    assert node.metrics.blocks_per_second() == 0
    assert value(scrape(node.metrics), "fluxd_blocks_connected_total") == 3  # the counter keeps them


def test_a_failing_observer_never_breaks_the_chain_writer(node):
    node.chainstate.connect_observer = lambda seconds: 1 / 0
    mine(node, 2)
    assert node.chainstate.height == 2


def test_peers_and_mempool_are_read_at_scrape_time(node):
    node.context.chainstate = node.chainstate
    peer = SimpleNamespace(id=3, address="127.0.0.1:1234", handshake_done=True, inbound=True, clean_subver="/MagicBean:8.0.0/",
                           remote=SimpleNamespace(user_agent="/MagicBean:8.0.0/", start_height=7))  # fmt: skip
    half = SimpleNamespace(id=4, address="127.0.0.1:99", handshake_done=False, inbound=False, remote=None, clean_subver="")
    node.context.connman = SimpleNamespace(peers={3: peer, 4: half})
    pool = Mempool()
    node.context.mempool = pool
    families = scrape(node.metrics)
    assert value(families, "fluxd_peers") == 2
    assert value(families, "fluxd_peers_by_direction", direction="inbound") == 1
    assert value(families, "fluxd_peers_by_direction", direction="outbound") == 0
    assert value(families, "fluxd_mempool_transactions") == 0 and value(families, "fluxd_mempool_bytes") == 0
    pool.total_bytes = 1234  # figures are read when scraped, never cached
    assert value(scrape(node.metrics), "fluxd_mempool_bytes") == 1234
    snapshot = status_snapshot(node.metrics)
    assert snapshot["peers"]["count"] == 2
    assert snapshot["peers"]["list"][0] == {"id": 3, "addr": "127.0.0.1:1234", "subver": "/MagicBean:8.0.0/",
                                            "inbound": True, "startingheight": 7}  # fmt: skip


def test_rpc_latency_per_method_with_bounded_labels(node, tmp_path):
    node.context.chainstate = node.chainstate
    node.context.rpc_table.set_warmup(None)
    server = RPCServer(node.context.rpc_table, node.context, RPCAuth(), AllowList([]), threads=1)
    server.metrics = node.metrics
    try:
        assert server._timed_execute("getblockcount", []) == 0
        for name in ("nosuchmethod", "another_unknown"):
            with pytest.raises(Exception):
                server._timed_execute(name, [])
    finally:
        server.executor.shutdown()
    families = scrape(node.metrics)
    assert value(families, "fluxd_rpc_request_seconds_count", method="getblockcount") == 1
    assert value(families, "fluxd_rpc_request_seconds_count", method=UNKNOWN_METHOD) == 2
    assert value(families, "fluxd_rpc_errors_total", method=UNKNOWN_METHOD) == 2
    methods = {sample.labels["method"] for sample in families["fluxd_rpc_request_seconds"].samples}
    assert methods == {"getblockcount", UNKNOWN_METHOD}


def test_each_node_has_its_own_registry(node):
    mine(node, 1)
    assert REGISTRY.get_sample_value("fluxd_blocks_connected_total") is None
    other = NodeMetrics(node.context, process_metrics=False)
    assert value(scrape(other), "fluxd_blocks_connected_total") == 0




def test_status_page_shows_the_snapshot_with_stable_ids(node):
    mine(node, 12)
    node.context.chainstate = node.chainstate
    node.context.rpc_table.set_warmup(None)
    node.context.connman = SimpleNamespace(peers={})
    node.context.mempool = Mempool()
    page = render_status_html(status_snapshot(node.metrics))
    parser = Dom()
    parser.feed(page)
    assert parser.ids["height"] == "12"
    assert parser.ids["bestblockhash"] == node.chainstate.tip.hash_hum
    assert parser.ids["headers"] == "12"
    assert parser.ids["syncprogress"] == "100.00"
    assert parser.ids["peercount"] == "0" and parser.ids["mempoolsize"] == "0" and parser.ids["mempoolbytes"] == "0"
    assert parser.ids["fluxnodes-cumulus"] == parser.ids["fluxnodes-total"] == "0"
    heights = [int(text) for name, text in parser.cells if name == "height"]
    assert heights == list(range(12, 2, -1))  # the last 10 blocks, newest first
    assert "<script" not in page and "http://" not in page and "https://" not in page  # self-contained


def test_status_page_escapes_what_peers_send(node):
    node.context.connman = SimpleNamespace(peers={1: SimpleNamespace(
        id=1, address="1.2.3.4:5", handshake_done=True, inbound=False, clean_subver="<script>alert(1)</script>",  # a stub: escaping must not rely on sanitizing
        remote=SimpleNamespace(user_agent="<script>alert(1)</script>", start_height=0))})  # fmt: skip
    page = render_status_html(status_snapshot(node.metrics))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'id="warmup"' in page and "The chain is not loaded yet." in page
