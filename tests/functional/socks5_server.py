"""A loopback SOCKS5 stand-in for tests (RFC 1928 CONNECT, RFC 1929 username/password).

It listens on 127.0.0.1 only, records every CONNECT request (address type,
host, port, the credentials the client sent) and never opens a connection
anywhere except to the loopback targets of its relay map: a request for a
mapped (host, port) is relayed to that loopback address (so a test can reach
a real node through it); any other request is answered with the configured
reply code (default 0x05 "connection refused") and closed.

    with Socks5Server(relay={("203.0.114.7", 16125): ("127.0.0.1", node.p2p_port)}) as proxy:
        ... f"-proxy={proxy.address}" ...
        proxy.wait_for(lambda record: record.host == "203.0.114.7")
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import threading
import time
from dataclasses import dataclass

ATYP_IPV4, ATYP_DOMAINNAME, ATYP_IPV6 = 0x01, 0x03, 0x04
METHOD_NONE, METHOD_USERPASS, METHOD_REFUSED = 0x00, 0x02, 0xFF
REP_SUCCEEDED, REP_GENERAL_FAILURE, REP_HOST_UNREACHABLE, REP_CONNECTION_REFUSED = 0x00, 0x01, 0x04, 0x05


@dataclass(frozen=True)
class ConnectRecord:
    """One CONNECT request as the client sent it."""

    atyp: int
    host: str
    port: int
    methods: tuple[int, ...]
    username: str | None = None
    password: str | None = None

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"


class _Closed(Exception):
    pass


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise _Closed
        data += chunk
    return data


def _check_loopback(relay: dict) -> None:
    for target in relay.values():
        if not ipaddress.ip_address(target[0]).is_loopback:
            raise ValueError(f"relay target {target} is not a loopback address")


class Socks5Server:
    """Thread-based; start() (or a with block) to listen, stop() to close, records for what was asked."""

    def __init__(self, relay: dict[tuple[str, int], tuple[str, int]] | None = None, reply: int = REP_CONNECTION_REFUSED,
                 prefer_auth: bool = True, require_auth: bool = False, accept_auth: bool = True,
                 method_override: int | None = None, version_override: int | None = None) -> None:
        self.relay = dict(relay or {})
        _check_loopback(self.relay)
        self.reply = reply
        self.prefer_auth = prefer_auth  # pick username/password when the client offers it (as Tor does)
        self.require_auth = require_auth  # answer 0xFF to a client offering no username/password
        self.accept_auth = accept_auth  # False: RFC 1929 status 0x01 (failure)
        self.method_override = method_override  # a method byte to answer whatever the client offered
        self.version_override = version_override  # a version byte to answer the greeting with
        self.records: list[ConnectRecord] = []
        self.greetings = 0
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._sockets: list[socket.socket] = []

    # ----- lifecycle -----
    def start(self) -> "Socks5Server":
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass

    def __enter__(self) -> "Socks5Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # ----- queries -----
    def snapshot(self) -> list[ConnectRecord]:
        with self._lock:
            return list(self.records)

    def wait_for(self, predicate, timeout: float = 30, count: int = 1) -> list[ConnectRecord]:
        """The records matching predicate once there are at least count of them; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            found = [record for record in self.snapshot() if predicate(record)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no SOCKS5 request as expected; got {self.snapshot()}")
            time.sleep(0.05)

    # ----- protocol -----
    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
        try:
            credentials = self._negotiate(sock)
            if credentials is None:
                return
            self._connect(sock, *credentials)
        except (_Closed, OSError):
            pass
        finally:
            sock.close()

    def _negotiate(self, sock: socket.socket):
        version, count = _read(sock, 2)
        methods = tuple(_read(sock, count))
        with self._lock:
            self.greetings += 1
        method = self._choose(methods)
        sock.sendall(bytes((self.version_override if self.version_override is not None else 0x05, method)))
        if method == METHOD_REFUSED or version != 0x05:
            return None
        if method != METHOD_USERPASS:
            return methods, None, None
        _, user_len = _read(sock, 2)
        username = _read(sock, user_len).decode()
        password = _read(sock, _read(sock, 1)[0]).decode()
        sock.sendall(bytes((0x01, 0x00 if self.accept_auth else 0x01)))
        return (methods, username, password) if self.accept_auth else None

    def _choose(self, methods: tuple[int, ...]) -> int:
        if self.method_override is not None:
            return self.method_override
        if METHOD_USERPASS in methods and (self.prefer_auth or self.require_auth):
            return METHOD_USERPASS
        if self.require_auth or METHOD_NONE not in methods:
            return METHOD_REFUSED
        return METHOD_NONE

    def _connect(self, sock: socket.socket, methods, username, password) -> None:
        _, command, _, atyp = _read(sock, 4)
        if atyp == ATYP_IPV4:
            host = str(ipaddress.IPv4Address(_read(sock, 4)))
        elif atyp == ATYP_IPV6:
            host = str(ipaddress.IPv6Address(_read(sock, 16)))
        elif atyp == ATYP_DOMAINNAME:
            host = _read(sock, _read(sock, 1)[0]).decode(errors="replace")
        else:
            return
        port = int.from_bytes(_read(sock, 2), "big")
        with self._lock:
            self.records.append(ConnectRecord(atyp, host, port, methods, username, password))
        target = self.relay.get((host, port)) if command == 0x01 else None
        if target is None:
            sock.sendall(bytes((0x05, self.reply, 0x00, ATYP_IPV4)) + bytes(6))
            return
        self._relay(sock, target)

    def _relay(self, sock: socket.socket, target: tuple[str, int]) -> None:
        try:
            upstream = socket.create_connection(target, timeout=5)
        except OSError:
            sock.sendall(bytes((0x05, REP_CONNECTION_REFUSED, 0x00, ATYP_IPV4)) + bytes(6))
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.append(upstream)
        bound = socket.inet_aton("127.0.0.1") + target[1].to_bytes(2, "big")
        sock.sendall(bytes((0x05, REP_SUCCEEDED, 0x00, ATYP_IPV4)) + bound)
        back = threading.Thread(target=_pipe, args=(upstream, sock), daemon=True)
        back.start()
        _pipe(sock, upstream)
        back.join(timeout=5)
        upstream.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass
