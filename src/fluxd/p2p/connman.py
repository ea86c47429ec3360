"""The connection manager: listening socket, outbound and manual connections, bans, misbehaviour.

Transport only (C++ CConnman / net.cpp): it opens and accepts sockets, runs a
``Peer`` for each, keeps the address manager and the ban list on disk, and
hands every post-handshake message to the node's ``MessageHandler``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from fluxd.p2p.addrman import AddrMan, PeersFileError
from fluxd.p2p.banlist import BanList, BanListError, parse_subnet
from fluxd.p2p.messages import Addr, GetAddr, Message, Version
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.peer import Peer
from fluxd.p2p.dial import DialError, open_direct, open_through_proxy
from fluxd.p2p.proxy import NET_IPV4, NET_IPV6, NET_NAME, NET_TOR, NET_UNROUTABLE, NetPolicy, Route, network_of
from fluxd.p2p.protocol import (
    DEFAULT_BANSCORE_THRESHOLD,
    DEFAULT_MAX_PEER_CONNECTIONS,
    DEFAULT_MISBEHAVING_BANTIME,
    DEFAULT_MAX_RECEIVE_BUFFER,
    DEFAULT_MAX_SEND_BUFFER,
    MAX_OUTBOUND_CONNECTIONS,
    PROTOCOL_VERSION,
)

log = logging.getLogger("fluxd.net")
CONNECT_TIMEOUT = 5
ADDED_NODE_RETRY = 5
SAVE_INTERVAL = 15 * 60


class MessageHandler(Protocol):
    def start_height(self) -> int: ...
    def min_peer_version(self) -> int: ...
    def on_handshake(self, peer: Peer) -> None: ...
    def on_message(self, peer: Peer, message: Message) -> None: ...
    def serve_getdata(self, peer: Peer) -> None: ...
    def on_closed(self, peer: Peer) -> None: ...


class ConnectionManager:
    def __init__(self, *, magic: bytes, default_port: int, handler: MessageHandler, data_dir: Path,
                 local_services: int, user_agent: str, now: Callable[[], int] = lambda: int(time.time()),
                 max_connections: int = DEFAULT_MAX_PEER_CONNECTIONS, listen: bool = True,
                 binds: list[tuple[str, int]] | None = None, connect_only: list[str] | None = None,
                 added_nodes: list[str] | None = None, seeds: list[str] | None = None,
                 ban_threshold: int = DEFAULT_BANSCORE_THRESHOLD, ban_time: int = DEFAULT_MISBEHAVING_BANTIME,
                 whitelist: list[str] | None = None, policy: NetPolicy | None = None,
                 send_buffer: int = DEFAULT_MAX_SEND_BUFFER, receive_buffer: int = DEFAULT_MAX_RECEIVE_BUFFER) -> None:
        self.policy = policy or NetPolicy()
        self.magic = magic
        self.default_port = default_port
        self.handler = handler
        self.data_dir = data_dir
        self.local_services = local_services
        self.user_agent = user_agent
        self.now = now
        self.max_connections = max_connections
        self.listen = listen
        self.binds = binds or [("0.0.0.0", default_port)]
        self.connect_only = connect_only
        self.added_nodes: list[str] = list(added_nodes or [])
        self.seeds = seeds or []
        self.ban_threshold = ban_threshold
        self.send_buffer = max(1, send_buffer)  # C++ SendBufferSize()
        self.stream_limit = max(1, receive_buffer // 2)  # asyncio stops reading at twice this (C++ ReceiveFloodSize())
        self.whitelist = [parse_subnet(item) for item in (whitelist or [])]
        self.peers: dict[int, Peer] = {}
        self.addrman = AddrMan()
        self.bans = BanList(ban_time)
        self.local_nonces: set[int] = set()
        self.total_sent_closed = 0
        self.total_recv_closed = 0
        self._next_id = 0
        self._servers: list[asyncio.base_events.Server] = []
        self._tasks: list[asyncio.Task] = []
        self._pending: set[tuple[str, int]] = set()
        self.listening_ports: list[int] = []

    # ----- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._load_files()
        if self.listen:
            for host, port in self.binds:
                try:
                    server = await asyncio.start_server(self._accept, host, port, reuse_address=True,
                                                        limit=self.stream_limit)
                except OSError as exc:
                    raise OSError(f"Unable to bind to {host}:{port} on this computer. fluxd is probably already running. ({exc})") from None
                self._servers.append(server)
                self.listening_ports.append(port)
                log.info("Bound to %s:%d", host, port)
        self._tasks.append(asyncio.create_task(self._maintain(), name="connman"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for server in self._servers:
            server.close()
        for peer in list(self.peers.values()):
            peer.close("shutting down")
        for server in self._servers:
            try:
                await asyncio.wait_for(server.wait_closed(), 2)
            except (asyncio.TimeoutError, Exception):
                pass
        self.save_files()

    def _load_files(self) -> None:
        peers_path = self.data_dir / "peers.dat"
        if peers_path.exists():
            try:
                self.addrman = AddrMan.load(peers_path, self.magic)
                log.info("Loaded %d addresses from peers.dat", len(self.addrman))
            except (PeersFileError, OSError) as exc:
                log.warning("Invalid or missing peers.dat (%s); recreating", exc)
        ban_path = self.data_dir / "banlist.dat"
        if ban_path.exists():
            try:
                self.bans = BanList.load(ban_path, self.bans.default_ban_time)
            except BanListError as exc:
                log.warning("Invalid or missing banlist.dat (%s); recreating", exc)
        self.bans.sweep(self.now())
        self.save_files()

    def save_files(self) -> None:
        try:
            self.addrman.save(self.data_dir / "peers.dat", self.magic)
            self.bans.save(self.data_dir / "banlist.dat")
        except OSError as exc:
            log.error("Could not write peers.dat/banlist.dat: %s", exc)

    # ----- connections --------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def is_whitelisted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address.version == net.version and address in net for net in self.whitelist)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        whitelisted = self.is_whitelisted(host)
        if not whitelisted and self.bans.is_banned(host, self.now()):
            log.info("connection from %s dropped (banned)", host)
            writer.close()
            return
        inbound = sum(1 for peer in self.peers.values() if peer.inbound)
        if inbound >= max(0, self.max_connections - MAX_OUTBOUND_CONNECTIONS):
            log.info("connection from %s dropped (full)", host)
            writer.close()
            return
        peer = self._make_peer(reader, writer, NetAddress.from_host(host, port), True, "inbound")
        peer.whitelisted = whitelisted
        peer.start()

    def _make_peer(self, reader, writer, address: NetAddress, inbound: bool, kind: str) -> Peer:
        peer = Peer(self._new_id(), reader, writer, address=address, inbound=inbound, magic=self.magic, events=self, kind=kind)
        peer.send_buffer_limit = self.send_buffer
        self.peers[peer.id] = peer
        log.info("%s connection peer=%d %s", "inbound" if inbound else kind, peer.id, address)
        return peer

    async def connect(self, target: str, kind: str = "outbound") -> Peer | None:
        """C++ ConnectNode(pszDest): open 'host[:port]' directly or through its proxy; None when it fails or is refused."""
        route = self.policy.route(target, self.default_port)
        if route is None:
            log.debug("connection to %s not attempted: -dns=0 and no proxy for names", target)
            return None
        key = (route.dest, route.port)
        if key in self._pending or any(peer.target == target for peer in self.peers.values()):
            return None  # C++ FindNode(pszDest)
        if route.ip16 is not None and self._find_address(route.ip16, route.port) is not None:
            return None
        if self.policy.is_limited(route.network):
            log.info("connection to %s not attempted: network %s is not reachable (-onlynet/-onion)", target, route.network)
            return None
        self._pending.add(key)
        try:
            reader, writer = await self._open(route)
        except DialError:
            return None
        finally:
            self._pending.discard(key)
        return self._outbound_peer(reader, writer, target, route, kind)

    async def _open(self, route: Route):
        """C++ ConnectSocket / ConnectSocketByName: through the route's proxy when it has one, else directly."""
        if route.proxy is not None:
            return await open_through_proxy(route.proxy, route.dest, route.port, CONNECT_TIMEOUT, self.stream_limit)
        if route.network == NET_TOR:  # C++ ConnectSocketDirectly: an onion has no socket address
            log.info("Cannot connect to %s:%d: unsupported network", route.dest, route.port)
            raise DialError("unsupported network")
        return await open_direct(route.dest, route.port, CONNECT_TIMEOUT, self.stream_limit)

    def _outbound_peer(self, reader, writer, target: str, route: Route, kind: str) -> Peer | None:
        if route.ip16 is not None:
            address = NetAddress(route.ip16, route.port)
        elif route.proxy is None:  # a name resolved locally: the address it led to
            address = NetAddress.from_host(writer.get_extra_info("peername")[0], route.port)
        else:
            address = NetAddress.from_host("0.0.0.0", 0)  # C++ ConnectSocketByName through the name proxy
        numeric = route.network in (NET_IPV4, NET_IPV6, NET_UNROUTABLE) or route.proxy is None
        if kind == "outbound" and numeric and self.bans.is_banned(address.host, self.now()):
            writer.close()
            return None
        peer = self._make_peer(reader, writer, address, False, kind)
        if numeric:
            self.addrman.attempt(peer.address, self.now())  # C++ ConnectNode: every connection counts as a try
        peer.target = target
        if not numeric:
            peer.addr_name = target  # C++ addrName: the name or onion this connection was opened for
        peer.whitelisted = self.is_whitelisted(address.host)
        peer.start()
        return peer

    def _find_address(self, ip16: bytes, port: int) -> Peer | None:
        for peer in self.peers.values():
            if peer.address.ip16 == ip16 and peer.address.port == port:
                return peer
        return None

    def find_peer(self, host: str, port: int | None = None) -> Peer | None:
        for peer in self.peers.values():
            if peer.address.host == host and (port is None or peer.address.port == port):
                return peer
        return None

    def find_by_name(self, name: str) -> Peer | None:
        """disconnectnode / getaddednodeinfo matching: 'ip:port' as shown in getpeerinfo 'addr'."""
        for peer in self.peers.values():
            if str(peer.address) == name or peer.address.host == name or (peer.addr_name and peer.addr_name == name):
                return peer
        return None

    async def _maintain(self) -> None:
        last_added = 0.0
        last_save = time.monotonic()
        if self.connect_only is None and self.seeds and len(self.addrman) == 0:
            await self._query_seeds()
        while True:
            try:
                now = time.monotonic()
                if now - last_added >= ADDED_NODE_RETRY:
                    last_added = now
                    for target in (self.connect_only if self.connect_only is not None else self.added_nodes):
                        asyncio.create_task(self.connect(target, "manual"))
                if self.connect_only is None:
                    await self._fill_outbound()
                if now - last_save > SAVE_INTERVAL:
                    last_save = now
                    self.bans.sweep(self.now())
                    self.save_files()
                await asyncio.sleep(0.5)
            except asyncio.CancelledError:
                return
            except Exception:
                log.exception("connection manager loop error")
                await asyncio.sleep(1)

    async def _fill_outbound(self) -> None:
        outbound = sum(1 for peer in self.peers.values() if peer.kind == "outbound")
        if outbound >= MAX_OUTBOUND_CONNECTIONS or len(self._pending) >= 2:
            return
        address = self.addrman.select(now=self.now())
        if address is None or self.find_peer(address.host, address.port) or self.bans.is_banned(address.host, self.now()):
            return
        if address.port in self.listening_ports and address.host in ("127.0.0.1", "::1"):
            return
        if self.policy.is_limited(network_of(address.ip16)):  # C++ ThreadOpenConnections: IsLimited(addr)
            return
        self.addrman.attempt(address, self.now())
        asyncio.create_task(self.connect(str(address), "outbound"))

    async def _query_seeds(self) -> None:
        if self.policy.name_proxy is not None:  # C++ ThreadDNSAddressSeed: HaveNameProxy() -> AddOneShot(seed)
            for seed in self.seeds:
                asyncio.create_task(self.connect(seed, "oneshot"))
            return
        if self.policy.is_limited(NET_NAME):
            return  # ipv4 and ipv6 both limited: a local lookup could only give addresses never dialed
        loop = asyncio.get_running_loop()
        for seed in self.seeds:
            try:
                infos = await asyncio.wait_for(loop.getaddrinfo(seed, self.default_port), 10)
            except (OSError, asyncio.TimeoutError):
                continue
            found = [NetAddress.from_host(info[4][0], self.default_port, 1, self.now() - random.randint(3, 7) * 86400) for info in infos]
            self.addrman.add(found, NetAddress.from_host("127.0.0.1", 0))
            log.info("%d addresses found from DNS seed %s", len(found), seed)

    # ----- PeerEvents ---------------------------------------------------------------------------
    def local_version(self, peer: Peer) -> Version:
        nonce = secrets.randbits(64) | 2
        self.local_nonces.add(nonce)
        addr_you = peer.address if peer.address.is_routable() else NetAddress.from_host("0.0.0.0", 0)
        addr_me = NetAddress.from_host("0.0.0.0", 0, self.local_services)
        return Version(PROTOCOL_VERSION, self.local_services, self.now(), addr_you, addr_me, nonce,
                       self.user_agent, self.handler.start_height(), True)

    def min_peer_version(self) -> int:
        return self.handler.min_peer_version()

    def is_own_nonce(self, nonce: int) -> bool:
        return nonce in self.local_nonces

    def on_handshake(self, peer: Peer) -> None:
        remote = peer.remote
        if not peer.inbound:
            self.addrman.good(NetAddress(peer.address.ip16, peer.address.port, remote.services, self.now()), self.now())
            peer.send(GetAddr())
        self.handler.on_handshake(peer)
        if peer.kind == "onetry":
            peer.kind = "manual"

    def on_message(self, peer: Peer, message: Message) -> None:
        self.handler.on_message(peer, message)
        if peer.kind == "oneshot" and isinstance(message, Addr):  # C++ fOneShot: disconnect after its addr
            peer.close("one-shot addr received")

    def serve_getdata(self, peer: Peer) -> None:
        self.handler.serve_getdata(peer)

    def misbehaving(self, peer: Peer, score: int, reason: str) -> None:
        """C++ Misbehaving: add to the score; at the threshold disconnect, and ban unless local or whitelisted."""
        if score <= 0:
            return
        before = peer.misbehavior
        peer.misbehavior += score
        log.info("Misbehaving: %s (%d -> %d) peer=%d: %s", peer.address, before, peer.misbehavior, peer.id, reason)
        if before < self.ban_threshold <= peer.misbehavior:
            if peer.whitelisted:
                log.warning("Warning: not punishing whitelisted peer %s!", peer.address)
                return
            if not ipaddress.ip_address(peer.address.host).is_loopback:
                self.bans.ban(parse_subnet(peer.address.host), self.now(), reason="node misbehaving")
            else:
                log.warning("Warning: not banning local peer %s!", peer.address)
            peer.close(f"misbehaving ({reason})")

    def on_closed(self, peer: Peer) -> None:
        if self.peers.pop(peer.id, None) is None:
            return
        self.total_sent_closed += peer.stats.bytes_sent
        self.total_recv_closed += peer.stats.bytes_recv
        self.handler.on_closed(peer)

    # ----- operator actions ---------------------------------------------------------------------
    def ban_and_disconnect(self, subnet_text: str, ban_time: int, absolute: bool) -> None:
        network = parse_subnet(subnet_text)
        self.bans.ban(network, self.now(), ban_time, absolute)
        for peer in list(self.peers.values()):
            host = ipaddress.ip_address(peer.address.host)
            if host.version == network.version and host in network:
                peer.close("banned")
        self.bans.save(self.data_dir / "banlist.dat")

    def totals(self) -> tuple[int, int]:
        recv = self.total_recv_closed + sum(peer.stats.bytes_recv for peer in self.peers.values())
        sent = self.total_sent_closed + sum(peer.stats.bytes_sent for peer in self.peers.values())
        return recv, sent

    def broadcast(self, message: Message, only: Callable[[Peer], bool] = lambda peer: True) -> None:
        for peer in list(self.peers.values()):
            if peer.handshake_done and only(peer):
                peer.send(message)
