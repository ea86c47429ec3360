"""``/daemon/<method>`` HTTP endpoints as fluxd-rust serves them (FluxOS-style calls).

GET query parameters become positional params in order (``true``/``false``,
integers and decimals are typed, everything else is a string; ``params=<json
array>`` gives them all at once); a POST body may be a JSON array, an object
with "params", or one value.  The answer is always HTTP 200 with a JSON-RPC reply.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from fluxd.rpc.errors import RPC_INVALID_REQUEST, RPC_PARSE_ERROR, RPCError
from fluxd.util.univalue import RawNumber

_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def query_value(text: str):
    value = text.strip()
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _INTEGER.match(value) and -(2**63) <= int(value) < 2**63:
        return int(value)
    if any(char in value for char in ".eE"):
        try:
            float(value)
        except ValueError:
            return value
        return RawNumber(value)
    return value


def params_from_query(query: str) -> list:
    params = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "params":
            if not value:
                return []
            try:
                decoded = json.loads(value, parse_float=RawNumber)
            except ValueError as exc:
                raise RPCError(RPC_INVALID_REQUEST, f"invalid params: {exc}") from None
            return decoded if isinstance(decoded, list) else [decoded]
        params.append(query_value(value))
    return params


def params_from_body(body: bytes) -> list:
    if not body:
        return []
    try:
        value = json.loads(body, parse_float=RawNumber)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RPCError(RPC_PARSE_ERROR, f"parse error: {exc}") from None
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if "params" in value:
            inner = value["params"]
            return inner if isinstance(inner, list) else [] if inner is None else [inner]
        return [value]
    return [] if value is None else [value]
