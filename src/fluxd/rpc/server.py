"""The HTTP JSON-RPC server (C++ httpserver.cpp / httprpc.cpp) on aiohttp.

Basic auth against rpcuser/rpcpassword, -rpcauth entries or the .cookie;
JSON-RPC 1.0/2.0 objects and batches; C++ status codes (401, 403, 404 for an
unknown method, 500 for other errors, 405 for non-POST); compact replies with
exact amounts.  Handlers run on a thread pool so the event loop never blocks, except the few
constant-time ones in INLINE_METHODS (one lock-free chain view read), which answer on the loop:
the pool hop costs more than they do.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from fluxd.rpc.daemon_endpoint import params_from_body, params_from_query
from fluxd.rpc.errors import RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RPC_PARSE_ERROR, RPCError
from fluxd.rpc.registry import RPCTable
from fluxd.util.univalue import RawNumber, dumps

log = logging.getLogger("fluxd.rpc")
COOKIE_USER = "__cookie__"
WWW_AUTH = 'Basic realm="jsonrpc"'
INLINE_METHODS = frozenset({"getblockcount", "getbestblockhash", "getblockhash"})
_ACCEPTED_LIMIT = 64
_ALLOW_CACHE_LIMIT = 1024


@dataclass
class RPCAuth:
    user_pass: set[str] = field(default_factory=set)  # "user:password" strings accepted
    rpcauth: list[tuple[str, str, str]] = field(default_factory=list)  # (user, salt, hmac hex)
    # Authorization headers already accepted (the credentials are fixed once the server runs), so a
    # keep-alive client is not base64-decoded and HMAC-checked again on every request.
    _accepted: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    def check(self, header: str | None) -> bool:
        if header is not None and header in self._accepted:
            return True
        if not self._check(header):
            return False
        if len(self._accepted) >= _ACCEPTED_LIMIT:
            self._accepted.clear()
        self._accepted[header] = True
        return True

    def _check(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=False).decode("utf-8", "replace")
        except (ValueError, UnicodeDecodeError):
            return False
        if any(hmac.compare_digest(decoded, allowed) for allowed in self.user_pass):
            return True
        user, _, password = decoded.partition(":")
        for auth_user, salt, expected in self.rpcauth:
            digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
            if user == auth_user and hmac.compare_digest(digest, expected):
                return True
        return False


def parse_rpcauth(entries: list[str]) -> list[tuple[str, str, str]]:
    """-rpcauth=<user>:<salt>$<hash>; malformed entries are ignored (C++ logs and skips them)."""
    parsed = []
    for entry in entries:
        user, _, rest = entry.partition(":")
        salt, _, digest = rest.partition("$")
        if user and salt and digest:
            parsed.append((user, salt, digest))
    return parsed


def write_cookie(directory: Path) -> str:
    cookie = f"{COOKIE_USER}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
    path = directory / ".cookie"
    path.write_text(cookie)
    path.chmod(0o600)
    return cookie


class AllowList:
    """rpcallowip: localhost always, plus the given addresses/subnets."""

    def __init__(self, entries: list[str]) -> None:
        self.networks = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
        for entry in entries:
            self.networks.append(ipaddress.ip_network(entry, strict=False))
        self._known: dict[str, bool] = {}  # peer address text -> answer

    def allows(self, peer: str | None) -> bool:
        if peer is None:
            return False
        known = self._known.get(peer)
        if known is None:
            known = self._allows(peer)
            if len(self._known) >= _ALLOW_CACHE_LIMIT:
                self._known.clear()
            self._known[peer] = known
        return known

    def _allows(self, peer: str | None) -> bool:
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(peer.split("%")[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address.version == network.version and address in network for network in self.networks)


def reply_object(result, error, request_id) -> dict:
    return {"result": None if error is not None else result, "error": error, "id": request_id}


def parse_body(body: bytes):
    """JSON with numbers kept as exact text; raises RPCError(-32700) like C++."""
    try:
        if not isinstance(body, str):  # as json.loads does for bytes
            if body[:1] in (b"{", b"[") and body[1:2] != b"\x00":  # what json.detect_encoding answers for these
                body = body.decode("utf-8", "surrogatepass")
            else:
                body = body.decode(json.detect_encoding(body), "surrogatepass")
        return _DECODER.decode(body)
    except (ValueError, UnicodeDecodeError):
        raise RPCError(RPC_PARSE_ERROR, "Parse error") from None


def _no_constants(name: str):
    raise ValueError(name)


_DECODER = json.JSONDecoder(parse_float=RawNumber, parse_constant=_no_constants)  # json.loads(**kw) builds one per call


class RPCServer:
    def __init__(self, table: RPCTable, context, auth: RPCAuth, allow: AllowList, threads: int = 4) -> None:
        self.table = table
        self.context = context
        self.auth = auth
        self.allow = allow
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="rpc")
        self.runner: web.AppRunner | None = None
        self.extra_routes: list[web.RouteDef] = []
        self.metrics = None  # a NodeMetrics (rpc/metrics.py) told each call's latency, or None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=32 * 1024 * 1024, middlewares=[self._guard])
        app.add_routes(self.extra_routes)
        app.add_routes(
            [
                web.route("*", "/", self._jsonrpc),
                web.route("*", "/wallet/{tail:.*}", self._jsonrpc),
                web.route("*", "/daemon/{method:[^/]*}", self._daemon),
            ]
        )
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if not self.allow.allows(request.remote):
            return web.Response(status=403)
        return await handler(request)

    async def start_one(self, host: str, port: int) -> None:
        """Listen on one address (the app is set up on first use)."""
        if self.runner is None:
            self.runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
            await self.runner.setup()
        await web.TCPSite(self.runner, host, port, reuse_address=True).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _authorized(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization")
        if header is not None and self.auth.check(header):
            return None
        return await self._denied(request, header)

    async def _denied(self, request: web.Request, header: str | None) -> web.Response:
        if header is not None:
            log.warning("ThreadRPCServer incorrect password attempt from %s", request.remote)
            await asyncio.sleep(0.25)
        return web.Response(status=401, headers={"WWW-Authenticate": WWW_AUTH})

    def authenticated(self, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        """``handler`` behind the RPC authentication (401 as for JSON-RPC), for extra routes such as /metrics."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            denied = await self._authorized(request)
            if denied is not None:
                return denied
            return await handler(request)

        return guarded

    async def call(self, method: str, params: list):
        if method in INLINE_METHODS:
            return self.execute(method, params)
        loop = asyncio.get_running_loop()
        if self.metrics is None:
            return await loop.run_in_executor(self.executor, self.table.execute, self.context, method, params)
        return await loop.run_in_executor(self.executor, self._timed_execute, method, params)

    def execute(self, method: str, params: list):
        """The call in this thread (timed when metrics are on)."""
        if self.metrics is None:
            return self.table.execute(self.context, method, params)
        return self._timed_execute(method, params)

    def _timed_execute(self, method: str, params: list):
        started = time.perf_counter()
        failed = True
        try:
            result = self.table.execute(self.context, method, params)
            failed = False
            return result
        finally:
            self.metrics.observe_rpc(method, time.perf_counter() - started, failed)

    async def _jsonrpc(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return web.Response(status=405, text="JSONRPC server handles only POST requests")
        header = request.headers.get("Authorization")  # _authorized, without a coroutine when it passes
        if header is None or not self.auth.check(header):
            return await self._denied(request, header)
        request_id = None
        try:
            value = parse_body(await request.read())
            if isinstance(value, dict):
                request_id = value.get("id")
                method, params = parse_request(value)
                result = self.execute(method, params) if method in INLINE_METHODS else await self.call(method, params)
                text = '{"result":' + dumps(result) + ',"error":null,"id":' + dumps(request_id) + "}\n"  # dumps(reply_object(...))
            elif isinstance(value, list):
                replies = [await self._one(item) for item in value]
                text = dumps(replies) + "\n"
            else:
                raise RPCError(RPC_PARSE_ERROR, "Top-level object parse error")
        except RPCError as error:
            status = 400 if error.code == RPC_INVALID_REQUEST else 404 if error.code == RPC_METHOD_NOT_FOUND else 500
            return _json_response(dumps(reply_object(None, error.to_json(), request_id)) + "\n", status)
        return _json_response(text, 200)

    async def _daemon(self, request: web.Request) -> web.Response:
        """/daemon/<method>: query or body parameters, always 200 with a JSON-RPC reply."""
        denied = await self._authorized(request)
        if denied is not None:
            return denied
        method = request.match_info["method"].strip("/")
        if not method:
            return web.Response(status=404, text="not found")
        try:
            if request.method == "GET":
                params = params_from_query(request.query_string)
            elif request.method == "POST":
                params = params_from_body(await request.read())
            else:
                raise RPCError(RPC_INVALID_REQUEST, "method not allowed")
            reply = reply_object(await self.call(method, params), None, None)
        except RPCError as error:
            reply = reply_object(None, error.to_json(), None)
        return _json_response(dumps(reply) + "\n", 200)

    async def _one(self, item) -> dict:
        request_id = item.get("id") if isinstance(item, dict) else None
        try:
            method, params = parse_request(item)
            return reply_object(await self.call(method, params), None, request_id)
        except RPCError as error:
            return reply_object(None, error.to_json(), request_id)


def parse_request(value) -> tuple[str, list]:
    """JSONRequest::parse."""
    if not isinstance(value, dict):
        raise RPCError(RPC_INVALID_REQUEST, "Invalid Request object")
    method = value.get("method")
    if method is None:
        raise RPCError(RPC_INVALID_REQUEST, "Missing method")
    if not isinstance(method, str) or isinstance(method, RawNumber):  # 1.5 is kept as RawNumber text
        raise RPCError(RPC_INVALID_REQUEST, "Method must be a string")
    params = value.get("params")
    if params is None:
        return method, []
    if not isinstance(params, list):
        raise RPCError(RPC_INVALID_REQUEST, "Params must be an array")
    return method, params


_JSON_HEADERS = {"Content-Type": "application/json"}  # exactly that, as C++ (no charset)


def _json_response(text: str, status: int) -> web.Response:
    return web.Response(status=status, body=text.encode(), headers=_JSON_HEADERS)
