"""Prometheus metrics of one node (our extension; C++ fluxd has none).

``NodeMetrics`` owns a registry of its own (never prometheus_client's global
one, so two nodes in one process or a test never share figures).  What the
node already knows (heights, peers, mempool, caches, database size, fluxnode
counts) is read from the node context when scraped, by a custom collector:
nothing is kept in step on the hot paths.  Only two things are recorded as
they happen: each connected block's connect time (the chainstate's
``connect_observer``, one histogram observation on the chain writer) and each
RPC call's latency per method (the RPC server times the handler).

Served as ``/metrics`` on the RPC port behind RPC authentication and, with
``-metricsport=<port>``, on 127.0.0.1 without it (see ``status_page.py``).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import TYPE_CHECKING

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client import exposition
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.process_collector import ProcessCollector

from fluxd import __version__
from fluxd.consensus.progress import verification_progress
from fluxd.rpc.chain_info import size_on_disk
from fluxd.rpc.methods.fluxnodes import fluxnode_count

if TYPE_CHECKING:
    from fluxd.rpc.context import NodeContext

log = logging.getLogger("fluxd.rpc")
PREFIX = "fluxd"
# generate_latest writes the classic text format; say so, as every Prometheus version reads it
CONTENT_TYPE = getattr(exposition, "CONTENT_TYPE_PLAIN_0_0_4", exposition.CONTENT_TYPE_LATEST)
if hasattr(prometheus_client, "disable_created_metrics"):
    prometheus_client.disable_created_metrics()  # no *_created series (process-wide: fluxd has no other registry)
CONNECT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RPC_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
RATE_WINDOW = 60.0  # seconds over which fluxd_blocks_per_second counts connected blocks
UNKNOWN_METHOD = "unknown"  # the label of calls to methods the table does not have (bounded label values)
TIER_KEYS = (("CUMULUS", "cumulus-enabled"), ("NIMBUS", "nimbus-enabled"), ("STRATUS", "stratus-enabled"))


class NodeMetrics:
    """The registry, the event-fed metrics and the scrape-time collector of one node."""

    def __init__(self, context: NodeContext, process_metrics: bool = True, clock=time.monotonic) -> None:
        self.context = context
        self.registry = CollectorRegistry(auto_describe=True)
        self._clock = clock
        self.connect_seconds = Histogram(
            f"{PREFIX}_block_connect_seconds", "Time to connect a block to the tip (transactions, scripts, commit)",
            buckets=CONNECT_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.blocks_connected = Counter(
            f"{PREFIX}_blocks_connected", "Blocks connected to the tip since start", registry=self.registry
        )
        self.rpc_seconds = Histogram(
            f"{PREFIX}_rpc_request_seconds", "Time to answer an RPC call, by method", ["method"],
            buckets=RPC_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.rpc_errors = Counter(
            f"{PREFIX}_rpc_errors", "RPC calls answered with an error, by method", ["method"], registry=self.registry
        )
        self._rpc_latency: dict[str, object] = {}  # method -> its latency child (labels() is slow per call)
        self._recent: collections.deque[float] = collections.deque()  # clock() of blocks connected in the window
        self._recent_lock = threading.Lock()
        self._fluxnodes_at: bytes | None = None  # the tip hash the cached fluxnode counts are for
        self._fluxnodes: dict = {}
        self._fluxnodes_lock = threading.Lock()
        self.registry.register(NodeCollector(self))
        if process_metrics:
            ProcessCollector(namespace=PREFIX, registry=self.registry)  # fluxd_process_* (Linux /proc)

    # ----- fed as things happen --------------------------------------------------------------
    def observe_connect(self, seconds: float) -> None:
        """The chainstate's connect_observer: one block became the tip after ``seconds`` of work."""
        self.connect_seconds.observe(seconds)
        self.blocks_connected.inc()
        now = self._clock()
        with self._recent_lock:
            self._recent.append(now)
            self._trim(now)

    def observe_rpc(self, method: str, seconds: float, failed: bool = False) -> None:
        latency = self._rpc_latency.get(method)
        if latency is None:
            latency = self.rpc_seconds.labels(self._rpc_label(method))
            if method in self.context.rpc_table.methods:  # at most one entry per registered method
                self._rpc_latency[method] = latency
        latency.observe(seconds)
        if failed:
            self.rpc_errors.labels(self._rpc_label(method)).inc()

    def _rpc_label(self, method: str) -> str:
        return method if method in self.context.rpc_table.methods else UNKNOWN_METHOD

    def blocks_per_second(self) -> float:
        now = self._clock()
        with self._recent_lock:
            self._trim(now)
            return len(self._recent) / RATE_WINDOW

    def _trim(self, now: float) -> None:
        while self._recent and self._recent[0] < now - RATE_WINDOW:
            self._recent.popleft()

    def fluxnode_counts(self, tip) -> dict:
        """getfluxnodecount's figures at ``tip``, recomputed only when the tip changes (a walk over the whole list)."""
        with self._fluxnodes_lock:
            if self._fluxnodes_at != tip.hash_rev:
                try:
                    self._fluxnodes = fluxnode_count(self.context)
                except Exception:  # a scrape must answer even if the list cannot be read right now
                    log.exception("metrics: reading the fluxnode list failed")
                    return {}
                self._fluxnodes_at = tip.hash_rev
            return self._fluxnodes

    # ----- scraping ------------------------------------------------------------------------------
    def exposition(self) -> bytes:
        """The text format (0.0.4) of every metric, read now (call it off the event loop)."""
        return generate_latest(self.registry)


class NodeCollector:
    """The gauges read from the node when scraped; a service not running yet gives no sample."""

    def __init__(self, metrics: NodeMetrics) -> None:
        self.metrics = metrics

    def describe(self):
        return []  # the families depend on what is running: nothing checked at registration

    def collect(self):
        context = self.metrics.context
        yield _gauge("info", "Node version and network (always 1)", 1, {"version": __version__, "network": context.params.network_id})
        yield _gauge("warmup", "1 while the node is starting or stopping (RPC answers -28)", int(context.rpc_table.in_warmup))
        if context.start_time:
            yield _gauge("uptime_seconds", "Seconds since the node started", max(0, context.clock.now() - context.start_time))
        yield _gauge("blocks_per_second", f"Blocks connected per second over the last {RATE_WINDOW:.0f} s", self.metrics.blocks_per_second())
        for family in self._chain(context):
            yield family
        for family in self._network(context):
            yield family
        for family in self._mempool(context):
            yield family

    def _chain(self, context):
        chainstate = context.chainstate
        if chainstate is None:
            return
        view = chainstate.view()
        if view is None:
            return
        yield _gauge("chain_height", "Height of the active chain tip (getblockcount)", view.height)
        yield _gauge("headers", "Height of the most-work header known (getblockchaininfo headers)", view.most_work_header.height)
        yield _gauge("tip_time_seconds", "Block time of the tip (Unix seconds)", view.tip.time)
        yield _gauge("verification_progress", "Estimated fraction of the chain verified (0..1)",
                     verification_progress(context.params.checkpoints, view.tip))  # fmt: skip
        yield _gauge("initial_block_download", "1 while in initial block download", int(chainstate.is_initial_block_download()))
        cache = chainstate.cache
        yield _gauge("coins_cache_bytes", "Estimated memory held by the in-memory coins and state cache (TipCache)", cache.memory_usage)
        yield _gauge("coins_cache_limit_bytes", "Flush threshold of that cache (-dbcache)", cache.limit_bytes)
        yield _gauge("db_bytes", "Database size: SST files and memtables of every column family", _db_bytes(chainstate.store))
        yield _gauge("block_files_bytes", "Size of the block files (getblockchaininfo size_on_disk)", size_on_disk(chainstate.block_files))
        counts = self.metrics.fluxnode_counts(view.tip)
        if counts:
            family = GaugeMetricFamily(f"{PREFIX}_fluxnodes", "Confirmed fluxnodes at the tip, by tier", labels=["tier"])
            for tier, key in TIER_KEYS:
                family.add_metric([tier], counts.get(key, 0))
            yield family

    def _network(self, context):
        connman = context.connman
        if connman is None:
            return
        peers = list(connman.peers.values())
        yield _gauge("peers", "Connected peers (getconnectioncount)", len(peers))
        family = GaugeMetricFamily(f"{PREFIX}_peers_by_direction", "Peers that finished the handshake, by direction", labels=["direction"])
        ready = [peer for peer in peers if peer.handshake_done]
        family.add_metric(["inbound"], sum(1 for peer in ready if peer.inbound))
        family.add_metric(["outbound"], sum(1 for peer in ready if not peer.inbound))
        yield family

    def _mempool(self, context):
        pool = context.mempool
        if pool is None:
            return
        yield _gauge("mempool_transactions", "Transactions in the mempool (getmempoolinfo size)", len(pool))
        yield _gauge("mempool_bytes", "Serialized size of the mempool transactions (getmempoolinfo bytes)", pool.total_bytes)
        yield _gauge("mempool_usage_bytes", "Estimated memory of the mempool (getmempoolinfo usage)", pool.dynamic_usage())


def _gauge(name: str, documentation: str, value: float, labels: dict[str, str] | None = None) -> GaugeMetricFamily:
    if labels is None:
        return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value=value)
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=list(labels))
    family.add_metric(list(labels.values()), value)
    return family


def _db_bytes(store) -> int:
    """What getdbinfo reports as db_partitions_bytes (RocksDB properties: no directory walk per scrape)."""
    reader = getattr(store, "column_property_int", None)
    if reader is None:
        return 0
    total = 0
    for column in store.columns:
        total += (reader(column, "rocksdb.total-sst-files-size") or 0) + (reader(column, "rocksdb.size-all-mem-tables") or 0)
    return total
