"""JSON text exactly as the C++ node's UniValue writes it.

Compact form (``indent=0``) has no spaces: ``{"result":null,"error":null}``.
Pretty form matches ``UniValue::write(indent)`` (flux-cli uses 2, flux-tx 4).
Decimals are written as their exact text (amounts: 8 decimals), floats with
16 significant digits like UniValue::setFloat, ``RawNumber`` verbatim.
"""

from __future__ import annotations

from decimal import Decimal


class RawNumber(str):
    """A number already formatted as text (e.g. FormatMoney output)."""


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_string(text: str) -> str:
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
