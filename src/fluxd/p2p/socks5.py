"""SOCKS5 client negotiation (RFC 1928, RFC 1929 username/password) as C++ netbase.cpp Socks5().

C++ always sends the destination as ATYP DOMAINNAME (3) with the host string
(an IPv4 or IPv6 address as its numeric text, an onion or DNS name as given)
and so does this client.  Each read waits at most SOCKS5_RECV_TIMEOUT.  Every
failure is a ProxyError carrying the C++ error() text; dial.py logs it as
C++ error() does ("ERROR: Proxy error: connection refused").
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

log = logging.getLogger("fluxd.net")
proxy_log = logging.getLogger("fluxd.proxy")  # C++ LogPrint("proxy", ...)
SOCKS5_RECV_TIMEOUT = 20  # seconds: ample for slow proxies such as Tor (C++ 20 * 1000 ms)

REPLY_ERRORS = {
    0x01: "Proxy error: general failure",
    0x02: "Proxy error: connection not allowed",
    0x03: "Proxy error: network unreachable",
    0x04: "Proxy error: host unreachable",
    0x05: "Proxy error: connection refused",
    0x06: "Proxy error: TTL expired",
    0x07: "Proxy error: protocol error",
    0x08: "Proxy error: address type not supported",
}


class ProxyError(Exception):
    """A SOCKS5 negotiation failure; the message is the C++ error text."""


@dataclass(frozen=True)
class Proxy:
    """C++ proxyType: the proxy's numeric address and whether each connection gets random credentials."""

    host: str
    port: int
    randomize_credentials: bool = False

    def __str__(self) -> str:  # CService::ToStringIPPort
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def random_credentials() -> tuple[str, str]:
    """C++ ConnectThroughProxy: username and password each strprintf("%i", insecure_rand()), a uint32_t in decimal."""
    return str(random.getrandbits(32)), str(random.getrandbits(32))


def greeting(auth: bool) -> bytes:
    return bytes((0x05, 0x02, 0x00, 0x02)) if auth else bytes((0x05, 0x01, 0x00))


def auth_request(username: str, password: str) -> bytes:
    user, pwd = username.encode(), password.encode()
    if len(user) > 255 or len(pwd) > 255:
        raise ProxyError("Proxy username or password too long")
    return bytes((0x01, len(user))) + user + bytes((len(pwd),)) + pwd


def connect_request(dest: str, port: int) -> bytes:
    name = dest.encode()
    return bytes((0x05, 0x01, 0x00, 0x03, len(name))) + name + port.to_bytes(2, "big")


async def _recv(reader: asyncio.StreamReader, count: int, error: str) -> bytes:
    try:
        return await asyncio.wait_for(reader.readexactly(count), SOCKS5_RECV_TIMEOUT)
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, OSError):
        raise ProxyError(error) from None


async def _send(writer: asyncio.StreamWriter, data: bytes, error: str) -> None:
    try:
        writer.write(data)
        await writer.drain()
    except OSError:
        raise ProxyError(error) from None


async def _authenticate(reader, writer, auth: tuple[str, str] | None) -> None:
    await _send(writer, greeting(auth is not None), "Error sending to proxy")
    reply = await _recv(reader, 2, "Error reading proxy response")
    if reply[0] != 0x05:
        raise ProxyError("Proxy failed to initialize")
    if reply[1] == 0x02 and auth is not None:
        await _send(writer, auth_request(*auth), "Error sending authentication to proxy")
        proxy_log.debug("SOCKS5 sending proxy authentication %s:%s", *auth)
        answer = await _recv(reader, 2, "Error reading proxy authentication response")
        if answer != b"\x01\x00":
            raise ProxyError("Proxy authentication unsuccessful")
    elif reply[1] != 0x00:
        raise ProxyError(f"Proxy requested wrong authentication method {reply[1]:02x}")


async def _read_bound_address(reader) -> None:
    header = await _recv(reader, 4, "Error reading proxy response")
    if header[0] != 0x05:
        raise ProxyError("Proxy failed to accept request")
    if header[1] != 0x00:
        raise ProxyError(REPLY_ERRORS.get(header[1], "Proxy error: unknown"))
    if header[2] != 0x00:
        raise ProxyError("Error: malformed proxy response")
    if header[3] == 0x01:
        length = 4
    elif header[3] == 0x04:
        length = 16
    elif header[3] == 0x03:
        length = (await _recv(reader, 1, "Error reading from proxy"))[0]
    else:
        raise ProxyError("Error: malformed proxy response")
    await _recv(reader, length + 2, "Error reading from proxy")


async def socks5_handshake(reader, writer, dest: str, port: int, auth: tuple[str, str] | None) -> None:
    """C++ Socks5(): negotiate CONNECT dest:port on an open proxy connection; ProxyError on failure."""
    log.info("SOCKS5 connecting %s", dest)
    if len(dest.encode()) > 255:
        raise ProxyError("Hostname too long")
    await _authenticate(reader, writer, auth)
    await _send(writer, connect_request(dest, port), "Error sending to proxy")
    await _read_bound_address(reader)
    log.info("SOCKS5 connected %s", dest)
