"""Opening an outbound TCP stream, directly or through a SOCKS5 proxy (C++ ConnectSocketDirectly, ConnectThroughProxy).

Both raise DialError (the reason already logged with the C++ text) so the
connection manager has one failure to handle; ``proxy_failed`` is C++
outProxyConnectionFailed: the proxy itself could not be reached, which does
not count as an attempt on the target.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os

from fluxd.p2p.socks5 import Proxy, ProxyError, random_credentials, socks5_handshake

log = logging.getLogger("fluxd.net")
DEFAULT_CONNECT_TIMEOUT = 5  # seconds (C++ DEFAULT_CONNECT_TIMEOUT 5000 ms)


class DialError(Exception):
    def __init__(self, message: str, proxy_failed: bool = False) -> None:
        super().__init__(message)
        self.proxy_failed = proxy_failed

STREAM_LIMIT = 2**16  # asyncio's default read buffer; connman passes half of -maxreceivebuffer


def _error_text(exc: OSError) -> str:
    """C++ NetworkErrorString: "<strerror> (<errno>)"."""
    code = exc.errno or errno.EIO
    return f"{os.strerror(code)} ({code})"


async def open_direct(host: str, port: int, timeout: float = DEFAULT_CONNECT_TIMEOUT, limit: int = STREAM_LIMIT):
    """C++ ConnectSocketDirectly: (reader, writer), or DialError after logging why."""
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        return await asyncio.wait_for(asyncio.open_connection(host, port, limit=limit), timeout)
    except asyncio.TimeoutError:
        log.debug("connection to %s timeout", shown)
        raise DialError(f"connection to {shown} timeout") from None
    except OSError as exc:
        text = f"connect() to {shown} failed after select(): {_error_text(exc)}"
        log.info("%s", text)
        raise DialError(text) from None


async def open_through_proxy(
    proxy: Proxy, dest: str, port: int, timeout: float = DEFAULT_CONNECT_TIMEOUT, limit: int = STREAM_LIMIT
):
    """C++ ConnectThroughProxy: connect to the proxy, then Socks5() to dest:port (random credentials if asked)."""
    try:
        reader, writer = await open_direct(proxy.host, proxy.port, timeout, limit)
    except DialError as exc:
        raise DialError(str(exc), proxy_failed=True) from None
    auth = random_credentials() if proxy.randomize_credentials else None
    try:
        await socks5_handshake(reader, writer, dest, port, auth)
    except ProxyError as exc:
        log.error("ERROR: %s", exc)
        writer.close()
        raise DialError(str(exc)) from None
    return reader, writer
