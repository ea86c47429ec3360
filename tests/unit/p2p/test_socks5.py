"""The SOCKS5 client (C++ Socks5 / ConnectThroughProxy) against the loopback stand-in proxy."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

import pytest

from fluxd.p2p.dial import DialError, open_through_proxy
from fluxd.p2p.socks5 import Proxy, ProxyError, connect_request, greeting, socks5_handshake
from tests.functional.socks5_server import (
    ATYP_DOMAINNAME, METHOD_NONE, METHOD_USERPASS, REP_HOST_UNREACHABLE, Socks5Server,
)


def _dial(proxy: Socks5Server, dest: str, port: int = 16125, randomize: bool = False):
    async def run():
        reader, writer = await open_through_proxy(Proxy("127.0.0.1", proxy.port, randomize), dest, port, 5)
        return reader, writer
    return asyncio.run(run())


def _error(proxy: Socks5Server, dest: str = "seed.example.invalid", **kwargs) -> str:
    with pytest.raises(DialError) as caught:
        _dial(proxy, dest, **kwargs)
    return str(caught.value)


def test_wire_forms_are_cpp():
    assert greeting(False) == b"\x05\x01\x00"
    assert greeting(True) == b"\x05\x02\x00\x02"
    assert connect_request("1.2.3.4", 16125) == b"\x05\x01\x00\x03\x071.2.3.4" + (16125).to_bytes(2, "big")


def test_connect_is_recorded_as_domainname_and_refused(caplog):
    with Socks5Server() as proxy, caplog.at_level(logging.INFO, logger="fluxd"):
        assert _error(proxy) == "Proxy error: connection refused"
        record, = proxy.snapshot()
    assert (record.atyp, record.host, record.port) == (ATYP_DOMAINNAME, "seed.example.invalid", 16125)
    assert record.methods == (METHOD_NONE,) and record.username is None
    assert "SOCKS5 connecting seed.example.invalid" in caplog.text
    assert "ERROR: Proxy error: connection refused" in caplog.text


def test_ip_addresses_go_as_their_text():
    with Socks5Server() as proxy:
        _error(proxy, "1.2.3.4")
        _error(proxy, "2001:4860::1")
        hosts = [(record.atyp, record.host) for record in proxy.snapshot()]
    assert hosts == [(ATYP_DOMAINNAME, "1.2.3.4"), (ATYP_DOMAINNAME, "2001:4860::1")]


def test_reply_codes_give_cpp_texts():
    with Socks5Server(reply=REP_HOST_UNREACHABLE) as proxy:
        assert _error(proxy) == "Proxy error: host unreachable"
    for code, text in ((0x01, "general failure"), (0x02, "connection not allowed"), (0x03, "network unreachable"),
                       (0x06, "TTL expired"), (0x07, "protocol error"), (0x08, "address type not supported"),
                       (0x09, "unknown")):
        with Socks5Server(reply=code) as proxy:
            assert _error(proxy) == f"Proxy error: {text}"


def test_randomized_credentials_differ_per_connection():
    with Socks5Server() as proxy:
        _error(proxy, randomize=True)
        _error(proxy, randomize=True)
        first, second = proxy.snapshot()
    assert first.methods == (METHOD_NONE, METHOD_USERPASS)
    for record in (first, second):
        assert record.username.isdigit() and record.password.isdigit()
        assert int(record.username) < 2**32 and int(record.password) < 2**32
    assert (first.username, first.password) != (second.username, second.password)


def test_a_proxy_without_auth_is_used_without_credentials():
    with Socks5Server(prefer_auth=False) as proxy:
        _error(proxy, randomize=True)
        record, = proxy.snapshot()
    assert record.username is None


def test_negotiation_failures_are_cpp_texts():
    with Socks5Server(accept_auth=False) as proxy:
        assert _error(proxy, randomize=True) == "Proxy authentication unsuccessful"
    with Socks5Server(require_auth=True) as proxy:
        assert _error(proxy) == "Proxy requested wrong authentication method ff"
    with Socks5Server(version_override=0x04) as proxy:
        assert _error(proxy) == "Proxy failed to initialize"
    with Socks5Server() as proxy:
        assert _error(proxy, "a" * 256) == "Hostname too long"
        assert proxy.greetings == 0


def test_proxy_not_listening_is_a_proxy_failure():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DialError) as caught:
        asyncio.run(open_through_proxy(Proxy("127.0.0.1", port), "seed.example.invalid", 16125, 5))
    assert caught.value.proxy_failed
    assert str(caught.value).startswith(f"connect() to 127.0.0.1:{port} failed after select(): Connection refused")


def test_closed_proxy_is_a_read_error():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()

    async def run():
        reader, writer = await asyncio.open_connection(*server.getsockname())
        await socks5_handshake(reader, writer, "x.example.invalid", 1, None)
    with pytest.raises(ProxyError, match="^Error reading proxy response$"):
        asyncio.run(run())
    server.close()


def _echo_server() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        conn, _ = server.accept()
        conn.sendall(conn.recv(100).upper())
        conn.close()
    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def test_relay_map_reaches_a_loopback_target():
    server, port = _echo_server()
    with Socks5Server(relay={("abcdefghijklmnop.onion", 16125): ("127.0.0.1", port)}) as proxy:
        async def run():
            reader, writer = await open_through_proxy(Proxy("127.0.0.1", proxy.port, True), "abcdefghijklmnop.onion", 16125, 5)
            writer.write(b"hello")
            answer = await reader.read(100)
            writer.close()
            return answer
        assert asyncio.run(run()) == b"HELLO"
    server.close()


def test_relay_map_refuses_non_loopback_targets():
    with pytest.raises(ValueError):
        Socks5Server(relay={("a.example", 1): ("8.8.8.8", 53)})
