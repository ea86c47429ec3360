"""The fluxd process: configuration, datadir lock, logging, RPC server, services, orderly shutdown.

``Node`` is what the process runs: the ``NodeContext`` handed to RPC and to
every service, and the services themselves as explicit fields, started in
order (chain, network, mempool) and stopped in reverse.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fluxd.node.active_fluxnode import FluxnodeInitError, load_active_fluxnode
from fluxd.node.chain_service import ChainService
from fluxd.node.fluxnode_service import FluxnodeService
from fluxd import __version__
from fluxd.p2p.protocol import DEFAULT_MAX_PEER_CONNECTIONS
from fluxd.node.config import config_file, default_datadir, net_datadir
from fluxd.node.datadir_lock import DatadirLock
from fluxd.node.logs import configure_logging, reopen_debug_log
from fluxd.node.mempool_service import MempoolService
from fluxd.node.net_service import NetworkService
from fluxd.node.options import unknown_options
from fluxd.node.zmq_service import ZmqService
from fluxd.node.wallet_service import WalletService
from fluxd.node.startup import StartupError, check_init_values, select_params
from fluxd.params.benchmark_key import OPTION as BENCHMARK_KEY_OPTION
from fluxd.rpc.context import NodeContext
from fluxd.rpc.methods import register_all
from fluxd.rpc.metrics import NodeMetrics
from fluxd.rpc.rest import rest_routes
from fluxd.rpc.server import AllowList, RPCAuth, RPCServer, parse_rpcauth, write_cookie
from fluxd.rpc.status_page import MetricsListener, StatusRoutes
from fluxd.util.args import Args

__all__ = ["Node", "StartupError", "prepare_node", "run_node", "select_params"]
log = logging.getLogger("fluxd")


@dataclass(eq=False)
class Node:
    context: NodeContext
    chain: ChainService
    net: NetworkService
    mempool: MempoolService
    zmq: ZmqService
    wallet: WalletService
    fluxnode: FluxnodeService

    @classmethod
    def build(cls, context: NodeContext) -> Node:
        net = NetworkService(context)
        return cls(context, ChainService(context), net, MempoolService(context, net), ZmqService(context),
                   WalletService(context), FluxnodeService(context))  # fmt: skip

    @property
    def services(self) -> tuple[ChainService, NetworkService, MempoolService, ZmqService, WalletService, FluxnodeService]:
        """In start order."""
        return (self.chain, self.net, self.mempool, self.zmq, self.wallet, self.fluxnode)


def _rpc_binds(args: Args, port: int) -> list[tuple[str, int]]:
    if not args.is_set("-rpcallowip"):
        return [("127.0.0.1", port), ("::1", port)]
    binds = args.get_all("-rpcbind") or ["0.0.0.0", "::"]
    result = []
    for entry in binds:
        host, _, custom = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        result.append((host or entry, int(custom) if custom.isdigit() else port))
    return result


def _rpc_auth(args: Args, net_dir: Path) -> tuple[RPCAuth, bool]:
    auth = RPCAuth(rpcauth=parse_rpcauth(args.get_all("-rpcauth")))
    wrote_cookie = False
    if args.get("-rpcpassword"):
        auth.user_pass.add(f"{args.get('-rpcuser')}:{args.get('-rpcpassword')}")
    else:
        auth.user_pass.add(write_cookie(net_dir))
        wrote_cookie = True
    return auth, wrote_cookie


async def run_node(node: Node, install_signals: bool = True, on_rpc_ready: Callable[[], None] | None = None) -> int:
    """Start everything, serve until shutdown is requested, then stop in reverse order."""
    context = node.context
    loop = asyncio.get_running_loop()
    context.loop = loop
    context.shutdown.bind(loop)
    context.start_time = context.clock.now()
    if install_signals and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, context.request_shutdown, f"signal {signum}")
        loop.add_signal_handler(signal.SIGHUP, reopen_debug_log)  # logrotate: reopen, never stop (C++)
    server, wrote_cookie = _rpc_server(context)
    port = context.args.get_int("-rpcport", context.params.rpc_port)
    started: list = []
    metrics_listener: MetricsListener | None = None
    try:
        await _start_rpc(server, context.args, port)
        metrics_listener = await _start_metrics_listener(context)
        if on_rpc_ready is not None:
            on_rpc_ready()  # -daemon: the parent may exit now
        for service in node.services:
            context.rpc_table.set_warmup(service.warmup_text)
            await service.start()
            started.append(service)
        context.attach_tip_signal()
        context.rpc_table.set_warmup(None)
        log.info("fluxd is running (network %s, RPC port %d)", context.params.network_id, port)
        await context.shutdown.wait()
    finally:
        log.info("Shutdown: %s", context.shutdown.reason or "requested")
        context.rpc_table.set_warmup("Shutting down")
        for service in reversed(started):
            await service.stop()
        if metrics_listener is not None:
            await metrics_listener.stop()
        await server.stop()
        if wrote_cookie:
            (context.net_dir / ".cookie").unlink(missing_ok=True)
        pid_file(context.args, context.net_dir).unlink(missing_ok=True)
        log.info("Shutdown: done")
    return 0


def _rpc_server(context: NodeContext) -> tuple[RPCServer, bool]:
    """The RPC server (and -rest routes) over the context; whether a cookie was written."""
    register_all(context.rpc_table, wallet=not context.args.get_bool("-disablewallet", False))
    auth, wrote_cookie = _rpc_auth(context.args, context.net_dir)
    try:
        allow = AllowList(context.args.get_all("-rpcallowip"))
    except ValueError as exc:
        raise StartupError(f"Invalid -rpcallowip subnet specification: {exc}") from None
    server = RPCServer(context.rpc_table, context, auth, allow, context.args.get_int("-rpcthreads", 4))
    context.metrics = NodeMetrics(context)
    server.metrics = context.metrics
    server.extra_routes = StatusRoutes(context.metrics).routes(protect=server.authenticated)
    if context.args.get_bool("-rest"):
        server.extra_routes += rest_routes(context, context.rpc_table, server.executor)
    return server, wrote_cookie


async def _start_metrics_listener(context: NodeContext) -> MetricsListener | None:
    """-metricsport=<port> (ours): /metrics, /status and /healthz on 127.0.0.1 without authentication."""
    if not context.args.is_set("-metricsport"):
        return None
    text = context.args.get("-metricsport", "").strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise StartupError(f"Invalid -metricsport: '{text}' (a TCP port, 1-65535)")
    listener = MetricsListener(context.metrics)
    try:
        await listener.start(int(text))
    except OSError as exc:
        raise StartupError(f"Unable to bind the metrics port 127.0.0.1:{text} ({exc})") from None
    return listener


async def _start_rpc(server: RPCServer, args: Args, port: int) -> None:
    binds = _rpc_binds(args, port)
    last_error: OSError | None = None
    bound = 0
    for host, bind_port in binds:
        try:
            await server.start_one(host, bind_port)
            bound += 1
        except OSError as exc:
            last_error = exc
            log.warning("Binding RPC on address %s port %d failed: %s", host, bind_port, exc)
    if not bound:
        raise StartupError(f"Unable to bind any endpoint for RPC server ({last_error})")


def pid_file(args: Args, net_dir: Path) -> Path:
    path = Path(args.get("-pid", "fluxd.pid"))
    return path if path.is_absolute() else net_dir / path


def _log_startup(args: Args, params, net_dir: Path) -> None:
    """The first lines of a C++ debug.log (AppInit2), which operators and tools look for."""
    log.info("Flux version v%s", __version__)
    log.info("Network: %s", params.network_id)
    log.info("Default data directory %s", default_datadir())
    log.info("Using data directory %s", net_dir)
    log.info("Using config file %s", config_file(args))
    log.info("Using at most %d connections", args.get_int("-maxconnections", DEFAULT_MAX_PEER_CONNECTIONS))


def prepare_node(args: Args) -> tuple[Node, DatadirLock]:
    params = select_params(args)
    check_init_values(args, params)
    net_dir = net_datadir(args, params.network_id)
    lock = DatadirLock(net_dir)
    lock.acquire()
    configure_logging(args, net_dir)
    _log_startup(args, params, net_dir)
    if args.is_set(BENCHMARK_KEY_OPTION):
        log.info("Benchmarking key set by %s: %s", BENCHMARK_KEY_OPTION, params.benchmarking_pubkeys[0][0].hex())
    context = NodeContext(args=args, params=params, net_dir=net_dir)
    try:
        context.fluxnode = load_active_fluxnode(args, net_dir, params)
    except FluxnodeInitError as exc:
        raise StartupError(str(exc)) from None
    if args.get_int("-mocktime", 0):  # C++ SetMockTime(GetArg("-mocktime", 0)) before the chain loads
        context.clock.set_mock(args.get_int("-mocktime", 0))
    node = Node.build(context)
    pid_file(args, net_dir).write_text(f"{os.getpid()}\n")  # C++ CreatePidFile (-pid, default fluxd.pid)
    (net_dir / "db.log").touch()  # C++ opens its database environment's log here; tools expect the file
    for name in unknown_options(args.values):
        log.warning("Warning: unsupported option -%s ignored", name)
        print(f"Warning: unsupported option -{name} ignored", file=sys.stderr)  # the terminal too, not only debug.log
    return node, lock
