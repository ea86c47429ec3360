"""The REST interface enabled by -rest (C++ rest.cpp): tx, block, headers and chaininfo, no authentication."""

from __future__ import annotations

import asyncio

from aiohttp import web

from fluxd.rpc.methods.blockchain import block_json, header_json, rpc_getblockchaininfo
from fluxd.rpc.rest_utxos import UtxoRequestError, getutxos
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.util.hexutil import hum_to_rev, is_hex
from fluxd.util.univalue import dumps

FORMATS = ("bin", "hex", "json")
AVAILABLE = "output format not found (available: .bin, .hex, .json)"


class RestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _split_format(part: str) -> tuple[str, str]:
    pieces = part.split(".")
    return pieces[0], pieces[1] if len(pieces) > 1 and pieces[1] in FORMATS else ""


def _parse_hash(text: str) -> bytes:
    if not is_hex(text) or len(text) != 64:
        raise RestError(400, f"Invalid hash: {text}")
    return hum_to_rev(text)


def _reply(kind: str, raw: bytes, json_value) -> web.Response:
    if kind == "bin":
        return web.Response(body=raw, content_type="application/octet-stream")
    if kind == "hex":
        return web.Response(body=(raw.hex() + "\n").encode(), content_type="text/plain")
    return web.Response(body=(dumps(json_value() if callable(json_value) else json_value) + "\n").encode(), content_type="application/json")


def rest_tx(node, part: str) -> web.Response:
    text, kind = _split_format(part)
    found = node.chainstate.find_transaction(_parse_hash(text))
    if found is None:
        raise RestError(404, f"{text} not found")
    tx, entry = found
    if not kind:
        raise RestError(404, AVAILABLE)
    view = node.chainstate.view()
    block = {"blockhash": entry.hash_hum, "height": None}
    if view.contains(entry):
        block.update(height=entry.height, confirmations=view.height - entry.height + 1, time=entry.time)
    return _reply(kind, tx.to_bytes(), lambda: tx_to_json(tx, node.params.base58, block))


def rest_block(node, part: str, details: bool) -> web.Response:
    text, kind = _split_format(part)
    view = node.chainstate.view()
    entry = view.lookup(_parse_hash(text))
    if entry is None or not entry.have_data():
        raise RestError(404, f"{text} not found")
    if not kind:
        raise RestError(404, AVAILABLE)
    block = node.chainstate.read_block(entry)
    return _reply(kind, block.to_bytes(), lambda: block_json(node, entry, block, details, view))


def rest_headers(node, part: str) -> web.Response:
    text, kind = _split_format(part)
    path = text.split("/")
    if len(path) != 2:
        raise RestError(400, "No header count specified. Use /rest/headers/<count>/<hash>.<ext>.")
    count = int(path[0]) if path[0].lstrip("-").isdigit() else 0
    if not 1 <= count <= 2000:
        raise RestError(400, f"Header count out of range: {path[0]}")
    view = node.chainstate.view()
    entry = view.lookup(_parse_hash(path[1]))
    headers = []
    while entry is not None and view.contains(entry) and len(headers) < count:
        headers.append(entry)
        entry = view.at(entry.height + 1)
    if not kind or kind not in FORMATS:
        raise RestError(404, "output format not found (available: .bin, .hex)")
    raw = b"".join(item.header.to_bytes() for item in headers)
    return _reply(kind, raw, lambda: [header_json(node, item, view) for item in headers])


def rest_chaininfo(node, part: str) -> web.Response:
    _, kind = _split_format(part)
    if kind != "json":
        raise RestError(404, "output format not found (available: json)")
    return _reply("json", b"", rpc_getblockchaininfo(node, []))


def rest_routes(node, table, executor) -> list[web.RouteDef]:
    async def serve(request: web.Request, handler, *extra) -> web.Response:
        if table.in_warmup:
            return web.Response(status=503, text="Service temporarily unavailable: warming up\r\n")
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, handler, node, request.match_info["part"], *extra)
        except RestError as error:
            return web.Response(status=error.status, body=(error.message + "\r\n").encode(), content_type="text/plain")

    async def serve_utxos(request: web.Request) -> web.Response:
        if table.in_warmup:
            return web.Response(status=503, text="Service temporarily unavailable: warming up\r\n")
        body = await request.read()
        try:
            loop = asyncio.get_running_loop()
            content_type, payload = await loop.run_in_executor(executor, getutxos, node, request.match_info["part"], body)
        except UtxoRequestError as error:
            return web.Response(status=error.status, body=(error.message + "\r\n").encode(), content_type="text/plain")
        if isinstance(payload, bytes):
            return web.Response(body=payload, content_type=content_type)
        return web.Response(body=payload.encode(), content_type=content_type)

    return [
        web.route("*", "/rest/getutxos{part:.*}", serve_utxos),
        web.get("/rest/tx/{part:.+}", lambda request: serve(request, rest_tx)),
        web.get("/rest/block/notxdetails/{part:.+}", lambda request: serve(request, rest_block, False)),
        web.get("/rest/block/{part:[^/]+}", lambda request: serve(request, rest_block, True)),
        web.get("/rest/headers/{part:.+}", lambda request: serve(request, rest_headers)),
        web.get("/rest/{part:chaininfo.*}", lambda request: serve(request, rest_chaininfo)),
    ]
