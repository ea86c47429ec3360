"""The fluxd process: configuration, datadir lock, logging, RPC server, orderly shutdown."""

from __future__ import annotations

import asyncio
import os
import logging
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fluxd.node.config import ConfigError, net_datadir, network_id
from fluxd.node.datadir_lock import DatadirLock
from fluxd.node.logs import configure_logging
from fluxd.node.options import unknown_options
from fluxd.params.chainparams import ChainParams
from fluxd.params.networks import params_for_network, regtest_params
from fluxd.params.nuparams import NuparamsError, parse_nuparams
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.server import AllowList, RPCAuth, RPCServer, parse_rpcauth, write_cookie
from fluxd.util.args import Args
from fluxd.util.clock import Clock

log = logging.getLogger("fluxd")


class StartupError(Exception):
    """Printed as 'Error: <message>' and the process exits with status 1."""


def select_params(args: Args) -> ChainParams:
    try:
        network = network_id(args)
        overrides = parse_nuparams(args.get_all("-nuparams"), network)
    except (ConfigError, NuparamsError) as exc:
        raise StartupError(str(exc)) from None
    return regtest_params(overrides) if network == "regtest" else params_for_network(network)


@dataclass
class Node:
    args: Args
    params: ChainParams
    net_dir: Path
    clock: Clock = field(default_factory=Clock)
    rpc_table: RPCTable = field(default_factory=RPCTable)
    start_time: int = 0
    _shutdown: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _shutdown_reason: str = ""
    services: list = field(default_factory=list)  # objects with async start()/stop(), started in order
    chainstate: object = None  # set by ChainService
    rpc_server: object = None
    connman: object = None  # set by NetworkService
    block_sync: object = None
    mempool: object = None
    mempool_service: object = None

    def request_shutdown(self, reason: str) -> None:
        """Thread-safe: ask the main loop to stop (signals, RPC stop, fatal errors)."""
        self._shutdown_reason = self._shutdown_reason or reason
        if self._loop is not None and self._shutdown is not None:
            self._loop.call_soon_threadsafe(self._shutdown.set)

    @property
    def shutdown_requested(self) -> bool:
        return self._shutdown is not None and self._shutdown.is_set()


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


async def run_node(node: Node, install_signals: bool = True) -> int:
    """Start everything, serve until shutdown is requested, then stop in reverse order."""
    node._loop = asyncio.get_running_loop()
    node._shutdown = asyncio.Event()
    node.start_time = node.clock.now()
    if install_signals and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            node._loop.add_signal_handler(signum, node.request_shutdown, f"signal {signum}")
    from fluxd.rpc.methods import register_all

    register_all(node.rpc_table)
    auth, wrote_cookie = _rpc_auth(node.args, node.net_dir)
    try:
        allow = AllowList(node.args.get_all("-rpcallowip"))
    except ValueError as exc:
        raise StartupError(f"Invalid -rpcallowip subnet specification: {exc}") from None
    port = node.args.get_int("-rpcport", node.params.rpc_port)
    server = RPCServer(node.rpc_table, node, auth, allow, node.args.get_int("-rpcthreads", 4))
    if node.args.get_bool("-rest"):
        from fluxd.rpc.rest import rest_routes

        server.extra_routes = rest_routes(node, node.rpc_table, server.executor)
    node.rpc_server = server
    started: list = []
    try:
        await _start_rpc(server, node.args, port)
        for service in node.services:
            node.rpc_table.set_warmup(getattr(service, "warmup_text", "Loading..."))
            await service.start()
            started.append(service)
        node.rpc_table.set_warmup(None)
        log.info("fluxd is running (network %s, RPC port %d)", node.params.network_id, port)
        await node._shutdown.wait()
    finally:
        log.info("Shutdown: %s", node._shutdown_reason or "requested")
        node.rpc_table.set_warmup("Shutting down")
        for service in reversed(started):
            await service.stop()
        await server.stop()
        if wrote_cookie:
            (node.net_dir / ".cookie").unlink(missing_ok=True)
        pid_file(node.args, node.net_dir).unlink(missing_ok=True)
        log.info("Shutdown: done")
    return 0


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


def prepare_node(args: Args) -> tuple[Node, DatadirLock]:
    params = select_params(args)
    net_dir = net_datadir(args, params.network_id)
    lock = DatadirLock(net_dir)
    lock.acquire()
    configure_logging(args, net_dir)
    node = Node(args=args, params=params, net_dir=net_dir)
    pid_file(args, net_dir).write_text(f"{os.getpid()}\n")  # C++ CreatePidFile (-pid, default fluxd.pid)
    (net_dir / "db.log").touch()  # C++ opens its database environment's log here; tools expect the file
    for name in unknown_options(args.values):
        log.warning("Warning: unsupported option -%s ignored", name)
    from fluxd.node.chain_service import ChainService
    from fluxd.node.mempool_service import MempoolService
    from fluxd.node.net_service import NetworkService

    node.services.append(ChainService(node))
    node.services.append(NetworkService(node))
    node.services.append(MempoolService(node))
    return node, lock
