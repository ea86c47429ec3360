"""JSON text exactly as the C++ node's UniValue writes it.

Compact form (``indent=0``) has no spaces: ``{"result":null,"error":null}``.
Pretty form matches ``UniValue::write(indent)`` (flux-cli uses 2, flux-tx 4).
Decimals are written as their exact text (amounts: 8 decimals), floats with
16 significant digits like UniValue::setFloat, ``RawNumber`` verbatim.
"""

from __future__ import annotations

import re
from decimal import Decimal

try:  # a declared dependency; without it (a --no-deps install of the CLI tools) the exact writer does all
    import orjson
except ImportError:  # pragma: no cover
    orjson = None


class RawNumber(str):
    """A number already formatted as text (e.g. FormatMoney output)."""


class NoFloats(dict):
    """A JSON object whose values (at any depth) hold no ``float``.

    The compact encoder hands such an object to orjson whole: orjson writes every other type the
    way UniValue does (strings escaped alike except DEL, which is checked for), but floats with
    the shortest round-trip digits instead of UniValue's 16 significant ones.  The builders of big
    float-free answers (transaction JSON) return it; anything orjson refuses (ints beyond 64 bits,
    lone surrogates, non-string keys) or any DEL character falls back to the exact Python writer.
    """


class NoFloatsList(list):
    """A JSON array whose items (at any depth) hold no ``float``: written in one orjson call as ``NoFloats``
    (the answers of 100,000s of plain objects, getaddressdeltas / getaddressutxos)."""


class RepeatedKeys(dict):
    """A JSON object written with a key more than once: C++ UniValue::pushKV appends, it never replaces.

    As a dict it holds each key once (the last value, what a JSON reader keeps); the writers
    iterate ``items()``, which gives every pair in the order pushed.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__(pairs)
        self.pairs = list(pairs)

    def items(self):  # type: ignore[override]
        return list(self.pairs)


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')


def escape_string(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def format_float(value: float) -> str:
    text = format(value, ".16g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").lstrip("0").rjust(2, "0")
        text = f"{mantissa}e{sign}{digits}"
    return text


def _scalar(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, str):
        return escape_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return format_float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value, indent: int = 0) -> str:
    """UniValue::write(indent)."""
    if not indent:
        return "".join(_compact(value, []))
    parts: list[str] = []
    _write(value, indent, 1, parts)
    return "".join(parts)


def _write(value, indent: int, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        _write_object(value, indent, level, out)
    elif isinstance(value, (list, tuple)):
        _write_array(value, indent, level, out)
    else:
        out.append(_scalar(value))


def _write_array(values, indent: int, level: int, out: list[str]) -> None:
    out.append("[")
    if indent:
        out.append("\n")
    for position, item in enumerate(values):
        if indent:
            out.append(" " * (indent * level))
        _write(item, indent, level + 1, out)
        if position != len(values) - 1:
            out.append(",")
        if indent:
            out.append("\n")
    if indent:
        out.append(" " * (indent * (level - 1)))
    out.append("]")


def _write_object(values: dict, indent: int, level: int, out: list[str]) -> None:
    out.append("{")
    if indent:
        out.append("\n")
    items = list(values.items())
    for position, (key, item) in enumerate(items):
        if indent:
            out.append(" " * (indent * level))
        out.append(escape_string(str(key)) + ":")
        if indent:
            out.append(" ")
        _write(item, indent, level + 1, out)
        if position != len(items) - 1:
            out.append(",")
        if indent:
            out.append("\n")
    if indent:
        out.append(" " * (indent * (level - 1)))
    out.append("}")


def _orjson_default(value):
    if isinstance(value, str):
        return orjson.Fragment(str(value) if isinstance(value, RawNumber) else escape_string(value))
    if isinstance(value, Decimal):
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, int):  # int subclasses (bool is written natively)
        return orjson.Fragment(str(value))
    raise TypeError(type(value).__name__)


def _no_floats(value: NoFloats | NoFloatsList) -> str | None:
    if orjson is None:
        return None
    try:
        data = orjson.dumps(value, default=_orjson_default, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if b"\x7f" in data:
        return None
    return data.decode()


_COMPACT_KEYS: dict[str, str] = {}


def _compact(value, out: list[str]) -> list[str]:
    """The indent=0 writer: the same text as _write, with type dispatch and escaping fast paths."""
    kind = type(value)
    if kind is str:
        out.append('"' + value + '"' if _NEEDS_ESCAPE.search(value) is None else escape_string(value))
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is dict:
        _compact_object(value, out)
    elif kind is list or kind is tuple:
        _compact_array(value, out)
    elif kind is RawNumber:
        out.append(str(value))
    elif kind is Decimal:
        out.append(format(value, "f"))
    elif kind is NoFloats or kind is NoFloatsList:
        text = _no_floats(value)
        if text is None:
            (_compact_object if kind is NoFloats else _compact_array)(value, out)
        else:
            out.append(text)
    elif isinstance(value, dict):
        _compact_object(value, out)
    elif isinstance(value, (list, tuple)):
        _compact_array(value, out)
    else:
        out.append(_scalar(value))
    return out


def _compact_array(values, out: list[str]) -> None:
    if not values:
        out.append("[]")
        return
    out.append("[")
    for item in values:
        _compact(item, out)
        out.append(",")
    out[-1] = "]"


def _compact_object(values: dict, out: list[str]) -> None:
    if not values:
        out.append("{}")
        return
    out.append("{")
    keys = _COMPACT_KEYS
    for key, item in values.items():
        prefix = keys.get(key) if type(key) is str else None
        if prefix is None:
            prefix = escape_string(str(key)) + ":"
            if type(key) is str and len(keys) < 4096:
                keys[key] = prefix
        out.append(prefix)
        _compact(item, out)
        out.append(",")
    out[-1] = "}"
