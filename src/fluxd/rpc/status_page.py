"""/metrics, /status, /status.json and /healthz (our extension; C++ fluxd has none).

On the RPC port ``/metrics``, ``/status`` and ``/status.json`` are behind the
RPC authentication (and -rpcallowip); ``/healthz`` answers without it (it
tells only "ok" or "warming up").  With ``-metricsport=<port>`` the same four
routes are also served on 127.0.0.1:<port> without authentication, for a
local Prometheus or a browser on the node's machine.

The status page is one self-contained HTML page rendered on the server (no
script, no external asset; it reloads itself every 10 s).  Its figures carry
stable ids (``height``, ``bestblockhash``, ``headers``, ``syncprogress``,
``peercount``, ``mempoolsize``, ``mempoolbytes``, ``fluxnodes-cumulus``, ...)
and its tables stable classes, for tests and scrapers; ``/status.json`` gives
the same snapshot as JSON.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time

from aiohttp import web

from fluxd import __version__
from fluxd.consensus.progress import verification_progress
from fluxd.rpc.metrics import CONTENT_TYPE, TIER_KEYS, NodeMetrics
from fluxd.util.univalue import dumps

log = logging.getLogger("fluxd.rpc")
RECENT_BLOCKS = 10
REFRESH_SECONDS = 10


def status_snapshot(metrics: NodeMetrics) -> dict:
    """What the status page shows, read now from the node (call it off the event loop)."""
    context = metrics.context
    snapshot: dict = {
        "version": __version__,
        "network": context.params.network_id,
        "warmup": context.rpc_table.warmup_status,
        "uptime": max(0, context.clock.now() - context.start_time) if context.start_time else 0,
        "blocks_per_second": round(metrics.blocks_per_second(), 3),
        "chain": None,
        "peers": None,
        "mempool": None,
        "fluxnodes": None,
        "fluxnode": "not configured (this node does not run a fluxnode)",
    }
    chainstate = context.chainstate
    view = chainstate.view() if chainstate is not None else None
    if view is not None:
        progress = verification_progress(context.params.checkpoints, view.tip)
        blocks = []
        for height in range(view.height, max(-1, view.height - RECENT_BLOCKS), -1):
            entry = view.at(height)
            blocks.append({"height": entry.height, "hash": entry.hash_hum, "time": entry.time, "tx_count": entry.tx_count})
        snapshot["chain"] = {
            "height": view.height,
            "bestblockhash": view.tip.hash_hum,
            "headers": view.most_work_header.height,
            "verificationprogress": progress,
            "initialblockdownload": chainstate.is_initial_block_download(),
            "recent_blocks": blocks,
        }
        counts = metrics.fluxnode_counts(view.tip)
        if counts:
            snapshot["fluxnodes"] = {tier.lower(): counts.get(key, 0) for tier, key in TIER_KEYS}
            snapshot["fluxnodes"]["total"] = counts.get("total", 0)
    connman = context.connman
    if connman is not None:
        peers = sorted(list(connman.peers.values()), key=lambda peer: peer.id)
        snapshot["peers"] = {
            "count": len(peers),
            "list": [
                {
                    "id": peer.id,
                    "addr": str(peer.address),
                    "subver": peer.clean_subver if peer.remote else "",
                    "inbound": peer.inbound,
                    "startingheight": peer.remote.start_height if peer.remote else -1,
                }
                for peer in peers
            ],
        }
    pool = context.mempool
    if pool is not None:
        snapshot["mempool"] = {"size": len(pool), "bytes": pool.total_bytes, "usage": pool.dynamic_usage()}
    return snapshot


def _text(value) -> str:
    return html.escape(str(value), quote=True)


def _row(label: str, element_id: str, value) -> str:
    return f'<tr><th>{_text(label)}</th><td id="{element_id}">{_text(value)}</td></tr>'


def _time(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;background:#f6f7f9;color:#1d2330}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.2em 0 .4em}
.meta{color:#5b6475;margin-bottom:1em} section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6em 1em;margin-bottom:1em}
table{border-collapse:collapse} th,td{padding:.2em .8em .2em 0;text-align:left;vertical-align:top}
th{font-weight:600;color:#3a4252} td.hash,#bestblockhash{font-family:monospace;font-size:.9em;word-break:break-all}
.bar{background:#e4e7ec;border-radius:4px;width:320px;height:10px} .bar div{background:#2b7de9;height:10px;border-radius:4px}
.warn{color:#b35c00;font-weight:600} .none{color:#7a8394}
"""


def render_status_html(snapshot: dict) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">',
        "<title>fluxd status</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>fluxd status</h1>",
        f'<div class="meta">version <span id="version">{_text(snapshot["version"])}</span> · network '
        f'<span id="network">{_text(snapshot["network"])}</span> · uptime <span id="uptime">{_text(snapshot["uptime"])}</span> s</div>',
    ]
    if snapshot["warmup"]:
        parts.append(f'<p class="warn" id="warmup">Warming up: {_text(snapshot["warmup"])}</p>')
    chain = snapshot["chain"]
    parts.append('<section id="chain"><h2>Chain</h2>')
    if chain is None:
        parts.append('<p class="none">The chain is not loaded yet.</p>')
    else:
        percent = chain["verificationprogress"] * 100
        parts.append("<table>")
        parts.append(_row("Height", "height", chain["height"]))
        parts.append(_row("Best block", "bestblockhash", chain["bestblockhash"]))
        parts.append(_row("Headers", "headers", chain["headers"]))
        parts.append(
            f'<tr><th>Sync progress</th><td><span id="syncprogress">{percent:.2f}</span> % '
            f'<div class="bar"><div style="width:{min(100.0, percent):.1f}%"></div></div></td></tr>'
        )
        parts.append(_row("Initial block download", "ibd", "yes" if chain["initialblockdownload"] else "no"))
        parts.append(_row("Blocks per second", "blockspersecond", snapshot["blocks_per_second"]))
        parts.append("</table>")
        parts.append('<h2>Recent blocks</h2><table id="blocks"><tr><th>Height</th><th>Hash</th><th>Time</th><th>Transactions</th></tr>')
        for block in chain["recent_blocks"]:
            parts.append(
                f'<tr class="block"><td class="height">{block["height"]}</td><td class="hash">{_text(block["hash"])}</td>'
                f'<td class="time" data-time="{block["time"]}">{_time(block["time"])}</td><td class="txs">{block["tx_count"]}</td></tr>'
            )
        parts.append("</table>")
    parts.append("</section>")
    peers = snapshot["peers"]
    parts.append('<section id="network-section"><h2>Peers</h2>')
    if peers is None:
        parts.append('<p class="none">P2P is not running.</p>')
    else:
        parts.append(f'<p>Connected peers: <span id="peercount">{peers["count"]}</span></p>')
        parts.append('<table id="peers"><tr><th>Id</th><th>Address</th><th>Version</th><th>Direction</th><th>Start height</th></tr>')
        for peer in peers["list"]:
            parts.append(
                f'<tr class="peer"><td class="id">{peer["id"]}</td><td class="addr">{_text(peer["addr"])}</td>'
                f'<td class="subver">{_text(peer["subver"])}</td><td>{"inbound" if peer["inbound"] else "outbound"}</td>'
                f'<td>{peer["startingheight"]}</td></tr>'
            )
        parts.append("</table>")
    parts.append("</section>")
    mempool = snapshot["mempool"]
    parts.append('<section id="mempool"><h2>Mempool</h2>')
    if mempool is None:
        parts.append('<p class="none">The mempool is not running.</p>')
    else:
        parts.append("<table>")
        parts.append(_row("Transactions", "mempoolsize", mempool["size"]))
        parts.append(_row("Bytes", "mempoolbytes", mempool["bytes"]))
        parts.append(_row("Memory usage", "mempoolusage", mempool["usage"]))
        parts.append("</table>")
    parts.append("</section>")
    fluxnodes = snapshot["fluxnodes"]
    parts.append('<section id="fluxnodes"><h2>Fluxnodes</h2>')
    if fluxnodes is None:
        parts.append('<p class="none">No fluxnode list.</p>')
    else:
        parts.append("<table>")
        for tier, _ in TIER_KEYS:
            parts.append(_row(tier.capitalize(), f"fluxnodes-{tier.lower()}", fluxnodes[tier.lower()]))
        parts.append(_row("Total confirmed", "fluxnodes-total", fluxnodes["total"]))
        parts.append("</table>")
    parts.append(f'<p>This node: <span id="fluxnode-status">{_text(snapshot["fluxnode"])}</span></p>')
    parts.append("</section>")
    parts.append(f'<p class="meta">Reloads every {REFRESH_SECONDS} s · <a href="status.json">JSON</a> · <a href="metrics">metrics</a></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def health(metrics: NodeMetrics) -> tuple[int, str]:
    """200 "ok" once the chain is loaded and the services are up; 503 with the warm-up text before (and while stopping)."""
    context = metrics.context
    status = context.rpc_table.warmup_status
    if status is None and context.chainstate is not None:
        return 200, "ok\n"
    return 503, f"warming up: {status or 'loading the chain'}\n"


class StatusRoutes:
    """The four handlers over one node's metrics; ``protect`` wraps those that need RPC authentication."""

    def __init__(self, metrics: NodeMetrics) -> None:
        self.metrics = metrics

    async def _off_loop(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def metrics_page(self, request: web.Request) -> web.Response:
        body = await self._off_loop(self.metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    async def status_page(self, request: web.Request) -> web.Response:
        snapshot = await self._off_loop(status_snapshot, self.metrics)
        return web.Response(text=render_status_html(snapshot), content_type="text/html", charset="utf-8")

    async def status_json(self, request: web.Request) -> web.Response:
        snapshot = await self._off_loop(status_snapshot, self.metrics)
        return web.Response(body=(dumps(snapshot) + "\n").encode(), content_type="application/json")

    async def healthz(self, request: web.Request) -> web.Response:
        status, text = health(self.metrics)
        return web.Response(status=status, text=text, content_type="text/plain")

    def routes(self, protect=None) -> list[web.RouteDef]:
        guard = protect or (lambda handler: handler)
        return [
            web.get("/metrics", guard(self.metrics_page)),
            web.get("/status", guard(self.status_page)),
            web.get("/status.json", guard(self.status_json)),
            web.get("/healthz", self.healthz),
        ]


class MetricsListener:
    """-metricsport: the status routes on 127.0.0.1 only, without authentication."""

    HOST = "127.0.0.1"

    def __init__(self, metrics: NodeMetrics) -> None:
        self.routes = StatusRoutes(metrics)
        self.runner: web.AppRunner | None = None

    async def start(self, port: int) -> None:
        app = web.Application()
        app.add_routes(self.routes.routes())
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        try:
            await web.TCPSite(self.runner, self.HOST, port, reuse_address=True).start()
        except OSError:
            await self.stop()
            raise
        log.info("Metrics and status page on http://%s:%d/ (no authentication)", self.HOST, port)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
