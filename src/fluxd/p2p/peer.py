"""One peer connection: framed reads with C++ bounds, the version handshake, ping/pong and statistics.

The connection knows nothing of the chain: after the handshake every message
goes to a ``PeerEvents`` handler (the node's sync logic).  Wire errors never
escape: a broken frame closes the connection, a malformed payload gets a
``reject`` as C++ sends it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Protocol

from fluxd.p2p.framing import FrameError, checksum, decode_header, encode_frame
from fluxd.p2p.messages import Message, Ping, Pong, Reject, Verack, Version, command_of, decode_payload
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.protocol import (
    BIP0031_VERSION,
    HANDSHAKE_TIMEOUT,
    HEADER_SIZE,
    PING_INTERVAL,
    DEFAULT_MAX_SEND_BUFFER,
    PROTOCOL_VERSION,
    REJECT_DUPLICATE,
    REJECT_MALFORMED,
    REJECT_OBSOLETE,
    TIMEOUT_INTERVAL,
)
from fluxd.util.sanitize import sanitize_string
from fluxd.util.serialize import DecodeError

log = logging.getLogger("fluxd.net")
SEND_TIMEOUT = 60


class PeerEvents(Protocol):
    """What a connection needs from the node."""

    def local_version(self, peer: "Peer") -> Version: ...
    def min_peer_version(self) -> int: ...
    def is_own_nonce(self, nonce: int) -> bool: ...
    def on_handshake(self, peer: "Peer") -> None: ...
    def on_message(self, peer: "Peer", message: Message) -> None: ...
    def misbehaving(self, peer: "Peer", score: int, reason: str) -> None: ...
    def serve_getdata(self, peer: "Peer") -> None: ...
    def on_closed(self, peer: "Peer") -> None: ...


@dataclass
class PeerStats:
    bytes_sent: int = 0
    bytes_recv: int = 0
    sent_per_msg: Counter = field(default_factory=Counter)
    recv_per_msg: Counter = field(default_factory=Counter)
    last_send: int = 0
    last_recv: int = 0
    conn_time: int = 0
    ping_time: float | None = None
    min_ping: float | None = None
    ping_wait: float | None = None


class Peer:
    def __init__(self, peer_id: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 address: NetAddress, inbound: bool, magic: bytes, events: PeerEvents, kind: str = "outbound") -> None:
        self.id = peer_id
        self.reader = reader
        self.writer = writer
        self.address = address
        self.inbound = inbound
        self.target = ""  # the -connect/-addnode text this outbound connection was opened for (C++ FindNode(pszDest))
        self.addr_name = ""  # what getpeerinfo shows for a name or onion connection (C++ addrName), else the address
        self.kind = kind  # "inbound", "outbound", "manual" (addnode / -connect), "onetry"
        self.magic = magic
        self.events = events
        self.remote: Version | None = None
        self.clean_subver = ""
        self.version = 0
        self.handshake_done = False
        self.verack_received = False
        self.stats = PeerStats(conn_time=int(time.time()))
        self.misbehavior = 0
        self.whitelisted = False
        self.prefer_headers = False
        self.disconnect_requested = False
        self._ping_nonce = 0
        self._ping_start = 0.0
        self._closed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        # node-side state kept with the connection for convenience
        self.sync_started = False
        self.best_known = None
        self.known_blocks: set[bytes] = set()
        self.known_txs: set[bytes] = set()
        self.bloom = None  # a BIP37 filter loaded by the peer (fluxd.p2p.bloom.BloomFilter)
        self.relay_txs = True  # C++ fRelayTxes: the version's relay flag, set again by filterload / filterclear
        self.in_flight: dict[bytes, float] = {}
        self.pending_getdata: deque = deque()  # C++ vRecvGetData: items served as the send buffer drains
        self.send_buffer_limit = DEFAULT_MAX_SEND_BUFFER  # C++ SendBufferSize(), -maxsendbuffer * 1000
        self.last_common = None
        self.sent_addr = False
        self.synced_headers = -1
        self.synced_blocks = -1

    # ----- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._limit_write_buffer()
        self._tasks.append(asyncio.create_task(self._read_loop(), name=f"peer{self.id}-read"))
        self._tasks.append(asyncio.create_task(self._timer_loop(), name=f"peer{self.id}-timer"))
        if not self.inbound:
            self.send(self.events.local_version(self))

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def close(self, reason: str = "") -> None:
        if self._closed.is_set():
            return
        if reason:
            log.info("Disconnecting peer=%d (%s): %s", self.id, self.address, reason)
        self.disconnect_requested = True
        self._closed.set()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        try:
            self.writer.close()
        except Exception:  # the transport may already be gone
            pass
        self.events.on_closed(self)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def _limit_write_buffer(self) -> None:
        """drain() waits while more than the send buffer limit is queued (C++ nSendSize >= SendBufferSize())."""
        transport = getattr(self.writer, "transport", None)
        if transport is not None:
            transport.set_write_buffer_limits(high=self.send_buffer_limit)

    @property
    def send_size(self) -> int:
        """C++ nSendSize: bytes queued for the socket and not yet written."""
        transport = getattr(self.writer, "transport", None)
        return transport.get_write_buffer_size() if transport is not None else 0

    def send_buffer_full(self) -> bool:
        return self.send_size >= self.send_buffer_limit

    # ----- sending ------------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        if self.closed:
            return
        payload = message.payload()
        command = command_of(message)
        frame = encode_frame(self.magic, command, payload)
        self.stats.bytes_sent += len(frame)
        self.stats.sent_per_msg[command] += len(frame)
        self.stats.last_send = int(time.time())
        self.writer.write(frame)
        log.debug("sending %s (%d bytes) peer=%d", command, len(payload), self.id)

    def send_raw(self, command: str, payload: bytes) -> None:
        """Send an already serialised payload (blocks read from disk) or a hand-made frame body."""
        if self.closed:
            return
        frame = encode_frame(self.magic, command, payload)
        self.stats.bytes_sent += len(frame)
        self.stats.sent_per_msg[command] += len(frame)
        self.stats.last_send = int(time.time())
        self.writer.write(frame)

    def reject(self, command: str, code: int, reason: str, hash_rev: bytes | None = None) -> None:
        self.send(Reject(command, code, reason, hash_rev))

    # ----- receiving ----------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        try:
            while not self.closed:
                head = await self.reader.readexactly(HEADER_SIZE)
                header = decode_header(head, self.magic)
                payload = await self.reader.readexactly(header.length)
                self._account(header.command, HEADER_SIZE + header.length)
                if not header.command_is_valid():
                    log.info("PROCESSMESSAGE: ERRORS IN HEADER %r peer=%d", header.command, self.id)
                    continue
                if checksum(payload) != header.checksum:
                    log.info("%s (%d bytes): CHECKSUM ERROR peer=%d", header.command, header.length, self.id)
                    continue
                self._dispatch(header.command, payload)
                await self._serve_pending()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            self.close("connection closed")
        except FrameError as exc:
            self.close(str(exc))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("peer=%d: unexpected error, disconnecting", self.id)
            self.close("internal error")

    async def _serve_pending(self) -> None:
        """C++ ProcessMessages: no new message is read while the send buffer is full or getdata items wait;
        queued getdata items are served a block at a time as the buffer drains (ProcessGetData)."""
        await self._drain()
        while self.pending_getdata and not self.closed:
            self.events.serve_getdata(self)
            await self._drain()
            await asyncio.sleep(0)  # other peers' turns between blocks, as C++'s message handler loop

    async def _drain(self) -> None:
        try:
            await asyncio.wait_for(self.writer.drain(), SEND_TIMEOUT)
        except asyncio.TimeoutError:
            self.close("send timeout")

    def _account(self, command: str, size: int) -> None:
        self.stats.bytes_recv += size
        self.stats.recv_per_msg[command if command.isprintable() else "*other*"] += size
        self.stats.last_recv = int(time.time())

    def _dispatch(self, command: str, payload: bytes) -> None:
        try:
            message = decode_payload(command, payload)
        except (DecodeError, ValueError) as exc:
            log.info("%s (%d bytes): malformed payload from peer=%d: %s", command, len(payload), self.id, exc)
            self.reject(command, REJECT_MALFORMED, "error parsing message")
            return
        log.debug("received: %s (%d bytes) peer=%d", command, len(payload), self.id)
        if isinstance(message, Version):
            self._on_version(message)
        elif self.remote is None:
            self.events.misbehaving(self, 1, "message before version")
        elif isinstance(message, Verack):
            self._on_verack()
        elif isinstance(message, Ping) and not isinstance(message, Pong):
            if self.version > BIP0031_VERSION:
                self.send(Pong(message.nonce))
        elif isinstance(message, Pong):
            self._on_pong(message)
        elif self.version < self.events.min_peer_version():
            self._obsolete()
        else:
            self.events.on_message(self, message)

    def _on_version(self, message: Version) -> None:
        if self.remote is not None:
            self.reject("version", REJECT_DUPLICATE, "Duplicate version message")
            self.events.misbehaving(self, 1, "duplicate version")
            return
        self.remote = message
        self.clean_subver = sanitize_string(message.user_agent)  # C++ cleanSubVer: what is logged and shown
        self.version = message.version
        if message.version < self.events.min_peer_version():
            self._obsolete()
            return
        if message.nonce > 1 and self.events.is_own_nonce(message.nonce):
            self.close("connected to self")
            return
        if self.inbound:
            self.send(self.events.local_version(self))
        self.send(Verack())
        self.handshake_done = True
        log.info("receive version message: %s: version %d, blocks=%d, peer=%d",
                 self.clean_subver, message.version, message.start_height, self.id)
        self.events.on_handshake(self)

    def _obsolete(self) -> None:
        minimum = self.events.min_peer_version()
        self.reject("version", REJECT_OBSOLETE, f"Version must be {minimum} or greater")
        self.close(f"using obsolete version {self.version}")

    def _on_verack(self) -> None:
        self.verack_received = True

    def _on_pong(self, message: Pong) -> None:
        if self._ping_nonce and message.nonce == self._ping_nonce:
            elapsed = time.monotonic() - self._ping_start
            self.stats.ping_time = elapsed
            self.stats.min_ping = elapsed if self.stats.min_ping is None else min(self.stats.min_ping, elapsed)
            self.stats.ping_wait = None
            self._ping_nonce = 0

    def send_ping(self) -> None:
        if self.version <= BIP0031_VERSION or self._ping_nonce:
            return
        self._ping_nonce = secrets.randbits(64) or 1
        self._ping_start = time.monotonic()
        self.send(Ping(self._ping_nonce))

    # ----- timers -------------------------------------------------------------------------------
    async def _timer_loop(self) -> None:
        try:
            await asyncio.sleep(0)
            started = time.monotonic()
            last_ping = 0.0
            while not self.closed:
                await asyncio.sleep(1)
                now = time.monotonic()
                if not self.handshake_done and now - started > HANDSHAKE_TIMEOUT:
                    self.close("version handshake timeout")
                    return
                if self._ping_nonce:
                    self.stats.ping_wait = now - self._ping_start
                    if now - self._ping_start > TIMEOUT_INTERVAL:
                        self.close("ping timeout")
                        return
                if self.handshake_done and now - last_ping > PING_INTERVAL:
                    self.send_ping()
                    last_ping = now
        except asyncio.CancelledError:
            pass

    def version_for_log(self) -> int:
        return min(self.version, PROTOCOL_VERSION)
