"""REST /rest/getutxos (C++ rest.cpp rest_getutxos, BIP 64) over the committed coins and the mempool.

As C++: outputs spent by a mempool transaction are never reported (pruneSpent
runs with or without "checkmempool"), and "checkmempool" also shows the outputs
of mempool transactions (height 2147483647, CCoinsViewMemPool asks the pool
first).  Binary/hex request bodies are read the
way this C++ version reads them: the body is first written into the stream
as a length-prefixed string (``oss << strRequestMutable``), then a bool and a
vector of outpoints are read back from that stream.
"""

from __future__ import annotations

import re

from fluxd.core.amount import amount_to_decimal
from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.tx_json import script_pubkey_json
from fluxd.util.serialize import DecodeError, Reader, Writer, compact_size_bytes
from fluxd.util.univalue import dumps

MAX_GETUTXOS_OUTPOINTS = 15
FORMATS = {"bin": "bin", "hex": "hex", "json": "json"}
_INT32 = re.compile(r"[+-]?[0-9]+")


class UtxoRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def parse_int32(text: str) -> int | None:
    """ParseInt32: strtol over the whole string, no surrounding space, int32 range."""
    if not _INT32.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**31) <= value < 2**31 else None


def is_hex(text: str) -> bool:
    """utilstrencodings IsHex: non-empty, even length, hex digits only."""
    return bool(text) and len(text) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", text) is not None


def set_hex_rev(text: str) -> bytes:
    """uint256::SetHex: the last 64 hex digits as a big-endian number, internal (reversed) bytes."""
    digits = text[-64:].rjust(64, "0")
    return bytes.fromhex(digits)[::-1]


def parse_hex_lenient(text: str) -> bytes:
    """ParseHex: pairs of hex digits, spaces skipped, stopping at the first other character."""
    out = bytearray()
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\n\r\f\v":
            position += 1
        pair = text[position : position + 2]
        if len(pair) < 2 or not all(char in "0123456789abcdefABCDEF" for char in pair):
            return bytes(out)
        out.append(int(pair, 16))
        position += 2


def outpoints_from_uri(parts: list[str]) -> tuple[bool, list[OutPoint]]:
    check_mempool = bool(parts) and parts[0] == "checkmempool"
    outpoints = []
    for part in parts[1 if check_mempool else 0 :]:
        txid_text, _, _ = part.partition("-")
        output_text = part[part.find("-") + 1 :] if "-" in part else part
        output = parse_int32(output_text)
        if output is None or not is_hex(txid_text):
            raise UtxoRequestError(500, "Parse error")
        outpoints.append(OutPoint(set_hex_rev(txid_text), output & 0xFFFFFFFF))
    if not outpoints:
        raise UtxoRequestError(500, "Error: empty request")
    return check_mempool, outpoints


def outpoints_from_body(body: bytes) -> tuple[bool, list[OutPoint]]:
    reader = Reader(compact_size_bytes(len(body)) + body)
    try:
        check_mempool = reader.u8() != 0
        outpoints = [OutPoint.read(reader) for _ in range(reader.count(36))]
    except DecodeError:
        raise UtxoRequestError(500, "Parse error") from None
    return check_mempool, outpoints


def parse_request(part: str, body: bytes) -> tuple[bool, str, list[OutPoint]]:
    """(checkmempool, format, outpoints): everything rest_getutxos checks before looking at the coins, in its order."""
    pieces = part.split(".")
    kind = FORMATS.get(pieces[1], "") if len(pieces) > 1 else ""
    uri_parts = pieces[0][1:].split("/") if len(pieces[0]) > 1 else []
    if not body and not uri_parts:
        raise UtxoRequestError(500, "Error: empty request")
    outpoints: list[OutPoint] = []
    check_mempool = False
    if uri_parts:
        check_mempool, outpoints = outpoints_from_uri(uri_parts)
    if kind in ("bin", "hex"):
        raw = parse_hex_lenient(body.decode("latin-1")) if kind == "hex" else body
        if raw:
            if uri_parts:
                raise UtxoRequestError(500, "Combination of URI scheme inputs and raw post data is not allowed")
            check_mempool, outpoints = outpoints_from_body(raw)
    elif kind == "json":
        if not uri_parts:
            raise UtxoRequestError(500, "Error: empty request")
    else:
        raise UtxoRequestError(404, "output format not found (available: .bin, .hex, .json)")
    if len(outpoints) > MAX_GETUTXOS_OUTPOINTS:
        raise UtxoRequestError(500, f"Error: max outpoints exceeded (max: {MAX_GETUTXOS_OUTPOINTS}, tried: {len(outpoints)})")
    return check_mempool, kind, outpoints


def _binary_reply(height: int, tip_rev: bytes, bitmap: bytes, coins: list) -> bytes:
    writer = Writer()
    writer.i32(height)
    writer.write(tip_rev)
    writer.var_bytes(bitmap)
    writer.compact_size(len(coins))
    for coin in coins:
        writer.u32(coin.tx_version & 0xFFFFFFFF)
        writer.u32(coin.height)
        writer.i64(coin.value)
        writer.var_bytes(coin.script_pubkey)
    return writer.getvalue()


def _bitmap(hits: list[bool]) -> bytes:
    return bytes(sum(1 << bit for bit, hit in enumerate(hits[start : start + 8]) if hit) for start in range(0, len(hits), 8))


def getutxos(node, part: str, body: bytes) -> tuple[str, bytes | str]:
    """(content type, payload) for /rest/getutxos<part>; raises UtxoRequestError as RESTERR."""
    check_mempool, kind, outpoints = parse_request(part, body)
    chainstate = node.chainstate
    pool = node.mempool
    tip, found = chainstate.run_command(lambda: (chainstate.tip, _coins(chainstate, pool, outpoints, check_mempool)))
    coins = [coin for coin in found if coin is not None]
    hits = [coin is not None for coin in found]
    if kind == "json":
        reply = {
            "chainHeight": tip.height,
            "chaintipHash": tip.hash_hum,
            "bitmap": "".join("1" if hit else "0" for hit in hits),
            "utxos": [_coin_json(node, coin) for coin in coins],
        }
        return "application/json", dumps(reply) + "\n"
    raw = _binary_reply(tip.height, tip.hash_rev, _bitmap(hits), coins)
    return ("application/octet-stream", raw) if kind == "bin" else ("text/plain", raw.hex() + "\n")


def _coins(chainstate, pool, outpoints: list[OutPoint], check_mempool: bool) -> list:
    if pool is None:
        return [chainstate.get_coin(outpoint) for outpoint in outpoints]
    found = []
    with pool.lock:
        for outpoint in outpoints:
            coin = pool.output_coin(outpoint) if check_mempool else None
            if coin is None:
                coin = chainstate.get_coin(outpoint)
            found.append(None if outpoint in pool.spent_by else coin)
    return found


def _coin_json(node, coin) -> dict:
    signed_version = coin.tx_version - (1 << 32) if coin.tx_version >= 1 << 31 else coin.tx_version
    return {
        "txvers": signed_version,
        "height": coin.height,
        "value": amount_to_decimal(coin.value),
        "scriptPubKey": script_pubkey_json(coin.script_pubkey, node.params.base58),
    }
