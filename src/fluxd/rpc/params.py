"""Parameter helpers for RPC handlers: C++ type errors and messages (RPCTypeCheck, get_int, ParseHashV).

UniValue's get_int/get_bool/get_str throw std::runtime_error, which
CRPCTable::execute turns into RPC_MISC_ERROR (-1) with the same text; only
RPCTypeCheck ("Expected type ..., got ...") answers RPC_TYPE_ERROR (-3).
"""

from __future__ import annotations

import re

from fluxd.rpc.errors import RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RPCError
from fluxd.util.hexutil import hum_to_rev, is_hex
from fluxd.util.univalue import RawNumber

_TYPE_NAMES = {bool: "bool", int: "int", str: "str", list: "array", dict: "object", type(None): "null"}


def type_name(value) -> str:
    if isinstance(value, RawNumber) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return "number"
    return {bool: "bool", str: "string", list: "array", dict: "object", type(None): "null"}.get(type(value), "value")


def get_int(value, name: str = "") -> int:
    """UniValue::get_int: a JSON number without fraction that fits in int32."""
    if isinstance(value, bool) or not isinstance(value, (int, RawNumber)):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an integer as expected")
    if isinstance(value, RawNumber):
        raise RPCError(RPC_MISC_ERROR, "JSON integer out of range")  # a number with a fraction or exponent fails ParseInt32
    if not -(2**31) <= value < 2**31:
        raise RPCError(RPC_MISC_ERROR, "JSON integer out of range")
    return value


def get_int64(value) -> int:
    if isinstance(value, RawNumber):
        raise RPCError(RPC_MISC_ERROR, "JSON integer out of range")
    if isinstance(value, bool) or not isinstance(value, int):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an integer as expected")
    if not -(2**63) <= value < 2**63:
        raise RPCError(RPC_MISC_ERROR, "JSON integer out of range")
    return value


def get_bool(value) -> bool:
    if not isinstance(value, bool):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not a boolean as expected")
    return value


def get_str(value) -> str:
    if not isinstance(value, str) or isinstance(value, RawNumber):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not a string as expected")
    return value


def uint256_from_text(text: str) -> bytes:
    """uint256S / base_blob::SetHex: spaces and 0x skipped, the leading run of hex digits, its last 64 -> hash _rev."""
    text = text.lstrip(" \t\n\r\f\v")
    if text[:2].lower() == "0x":
        text = text[2:]
    run = re.match(r"[0-9a-fA-F]*", text).group(0)
    return bytes.fromhex(run[-64:].rjust(64, "0"))[::-1]


def parse_hash(value, name: str) -> bytes:
    """ParseHashV: 64 hex characters -> hash _rev."""
    text = get_str(value)
    if not is_hex(text):
        raise RPCError(RPC_INVALID_PARAMETER, f"{name} must be hexadecimal string (not '{text}')")
    if len(text) != 64:
        raise RPCError(RPC_INVALID_PARAMETER, f"{name} must be of length 64 (not {len(text)})")
    return hum_to_rev(text)


def parse_hex_param(value, name: str) -> bytes:
    """ParseHexV: a value that is not a string reads as '' (and fails the hex check)."""
    text = value if isinstance(value, str) and not isinstance(value, RawNumber) else ""
    if not is_hex(text):
        raise RPCError(RPC_INVALID_PARAMETER, f"{name} must be hexadecimal string (not '{text}')")
    return bytes.fromhex(text)


def check_count(params: list, low: int, high: int, help_text: str) -> None:
    """fHelp || params.size() outside [low, high] -> the help text as a misc error, as C++ does."""
    if not low <= len(params) <= high:
        raise RPCError(-1, help_text)
