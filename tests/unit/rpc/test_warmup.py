"""RPC warm-up: every call answers -28 with the current status text (HTTP 500) until start-up ends, as C++."""

from __future__ import annotations

import asyncio
import base64
import json
import socket

import aiohttp

from fluxd.rpc.methods import register_all
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.server import AllowList, RPCAuth, RPCServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Context:
    start_time = 0


async def _post(session, port: int, method: str) -> tuple[int, dict]:
    token = base64.b64encode(b"user:pass").decode()
    body = json.dumps({"method": method, "params": [], "id": 7})
    async with session.post(f"http://127.0.0.1:{port}/", data=body, headers={"Authorization": f"Basic {token}"}) as response:
        return response.status, json.loads(await response.text())


async def _scenario() -> list[tuple[int, dict]]:
    table = RPCTable()
    register_all(table)
    auth = RPCAuth(rpcauth=[])
    auth.user_pass.add("user:pass")
    server = RPCServer(table, _Context(), auth, AllowList([]), threads=1)
    port = _free_port()
    await server.start_one("127.0.0.1", port)
    replies = []
    try:
        async with aiohttp.ClientSession() as session:
            table.set_warmup("Loading block index...")
            replies.append(await _post(session, port, "getblockcount"))
            table.set_warmup("Verifying blocks...")
            replies.append(await _post(session, port, "nosuchmethod"))
            table.set_warmup(None)
            replies.append(await _post(session, port, "nosuchmethod"))
    finally:
        await server.stop()
    return replies


def test_warmup_answers_minus_28_with_the_status_then_serves():
    loading, verifying, after = asyncio.run(_scenario())
    assert loading == (500, {"result": None, "error": {"code": -28, "message": "Loading block index..."}, "id": 7})
    assert verifying[1]["error"] == {"code": -28, "message": "Verifying blocks..."}
    assert after[0] == 404 and after[1]["error"]["code"] == -32601
