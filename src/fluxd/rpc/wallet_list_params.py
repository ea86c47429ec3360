"""Optional positional parameters read as C++ reads them: present means parsed (a null fails get_int/get_bool)."""

from __future__ import annotations

from fluxd.rpc.errors import RPC_TYPE_ERROR, RPCError
from fluxd.rpc.params import get_bool, get_int, type_name
from fluxd.util.univalue import RawNumber
from fluxd.wallet.ismine import ISMINE_ALL, ISMINE_SPENDABLE

_KINDS = {"number": (int, float, RawNumber), "bool": (bool,), "array": (list,), "object": (dict,), "string": (str,)}


def int_at(params: list, position: int, default: int) -> int:
    """``if (params.size() > n) value = params[n].get_int();``"""
    return get_int(params[position]) if len(params) > position else default


def flag_at(params: list, position: int) -> bool:
    return get_bool(params[position]) if len(params) > position else False


def filter_at(params: list, position: int) -> int:
    """includeWatchonly: ISMINE_SPENDABLE, with ISMINE_WATCH_ONLY when true."""
    return ISMINE_ALL if flag_at(params, position) else ISMINE_SPENDABLE


def is_kind(value, kind: str) -> bool:
    """UniValue type test: bools are not numbers; a number text (RawNumber) is a number, not a string."""
    if kind == "number":
        return isinstance(value, _KINDS["number"]) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str) and not isinstance(value, RawNumber)
    return isinstance(value, _KINDS[kind])


def type_check(params: list, kinds: list[str]) -> None:
    """RPCTypeCheck (nulls not allowed): "Expected type X, got Y"."""
    for value, kind in zip(params, kinds):
        if not is_kind(value, kind):
            raise RPCError(RPC_TYPE_ERROR, f"Expected type {kind}, got {type_name(value)}")


def type_check_obj(obj: dict, kinds: dict[str, str]) -> None:
    """RPCTypeCheckObj (nulls not allowed), fields in name order: "Missing x" / "Expected type X for x, got Y"."""
    for name in sorted(kinds):
        value = obj.get(name)
        if value is None:
            raise RPCError(RPC_TYPE_ERROR, f"Missing {name}")
        if not is_kind(value, kinds[name]):
            raise RPCError(RPC_TYPE_ERROR, f"Expected type {kinds[name]} for {name}, got {type_name(value)}")
