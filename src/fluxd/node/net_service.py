"""Starts the P2P side of the node: connection manager, block sync and relay, with C++ option names.

Options: -listen, -port, -bind, -connect (repeatable; -connect=0 means none),
-addnode, -maxconnections, -proxy, -onion, -onlynet, -proxyrandomize, -banscore, -bantime, -whitelist, -dnsseed, -uacomment.
"""

from __future__ import annotations

import asyncio
import logging

from fluxd.node.block_sync import BlockSync
from fluxd.node.net_options import net_policy
from fluxd.node.startup import StartupError
from fluxd.p2p.connman import ConnectionManager
from fluxd.p2p.netaddress import parse_host_port
from fluxd.p2p.protocol import DEFAULT_BANSCORE_THRESHOLD, DEFAULT_MAX_PEER_CONNECTIONS, DEFAULT_MISBEHAVING_BANTIME, NODE_BLOOM, NODE_NETWORK
from fluxd.rpc.context import NodeContext
from fluxd.util.version import format_sub_version

log = logging.getLogger("fluxd.net")
STALL_CHECK_INTERVAL = 5



def connect_targets(args) -> list[str] | None:
    """-connect values (None when not given; [] for -connect=0 / -noconnect)."""
    if not args.is_set("-connect"):
        return None
    return [value for value in args.get_all("-connect") if value not in ("0", "")]


def listen_default(args, connect: list[str] | None) -> bool:
    """C++ AppInit2 parameter interactions: -bind -> -listen=1, else -connect or -proxy -> -listen=0."""
    if args.is_set("-bind"):
        return True
    if connect is not None:
        return False
    if args.is_set("-proxy"):
        if not args.is_set("-listen"):
            log.info("AppInit2: parameter interaction: -proxy set -> setting -listen=0")
        return False
    return True


def listen_binds(args, port: int) -> list[tuple[str, int]]:
    binds = []
    for value in args.get_all("-bind"):
        host, bind_port = parse_host_port(value, port)
        binds.append((host, bind_port))
    return binds or [("0.0.0.0", port)]


class NetworkService:
    warmup_text = "Starting network threads..."

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.sync: BlockSync | None = None
        self.connman: ConnectionManager | None = None
        self._stall_task: asyncio.Task | None = None

    async def start(self) -> None:
        context, args = self.context, self.context.args
        connect = connect_targets(args)
        port = args.get_int("-port", context.params.default_port)
        policy = net_policy(args)  # validated by check_init_values before anything started
        self.sync = BlockSync(context, context.chainstate.writer.executor)  # block/header/tx jobs run as chain-writer commands
        self.sync.loop = asyncio.get_running_loop()
        bloom = args.get_bool("-peerbloomfilters", True)  # C++ default 1: NODE_BLOOM advertised
        self.sync.bloom.enabled, self.sync.bloom.enforce_node_bloom = bloom, args.get_bool("-enforcenodebloom", False)
        self.sync.alerts = args.get_bool("-alerts", True)
        comments = args.get_all("-uacomment")
        self.connman = ConnectionManager(
            magic=context.params.message_start, default_port=context.params.default_port, handler=self.sync,
            data_dir=context.net_dir, local_services=NODE_NETWORK | (NODE_BLOOM if bloom else 0),
            user_agent=format_sub_version(comments),
            now=context.clock.now, max_connections=args.get_int("-maxconnections", DEFAULT_MAX_PEER_CONNECTIONS),
            listen=args.get_bool("-listen", listen_default(args, connect)), binds=listen_binds(args, port), connect_only=connect,
            added_nodes=args.get_all("-addnode"),
            seeds=[host for _, host in context.params.dns_seeds] if args.get_bool("-dnsseed", connect is None) else [],
            ban_threshold=args.get_int("-banscore", DEFAULT_BANSCORE_THRESHOLD),
            ban_time=args.get_int("-bantime", DEFAULT_MISBEHAVING_BANTIME), whitelist=args.get_all("-whitelist"), policy=policy,
            send_buffer=1000 * args.get_int("-maxsendbuffer", 1000),  # C++ SendBufferSize()
            receive_buffer=1000 * args.get_int("-maxreceivebuffer", 5000),  # C++ ReceiveFloodSize()
        )
        self.sync.connman = self.connman
        context.connman = self.connman
        context.chainstate.listeners.append(self.sync.chain_event)
        try:
            await self.connman.start()
        except OSError as exc:
            raise StartupError(str(exc)) from None
        self._stall_task = asyncio.create_task(self._watch_stalls())

    async def _watch_stalls(self) -> None:
        while True:
            await asyncio.sleep(STALL_CHECK_INTERVAL)
            self.sync.check_stalls()
            self.sync.schedule_downloads()

    async def stop(self) -> None:
        if self._stall_task is not None:
            self._stall_task.cancel()
        if self.connman is not None:
            await self.connman.stop()
