"""Amounts: integer zatoshi, the money range, and exact 8-decimal text for RPC.

C++ amount.h (COIN, MAX_MONEY, MoneyRange) and rpc/server.cpp
(AmountFromValue / ValueFromAmount).  No floats are used for conversion.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

COIN = 100_000_000
CENT = 1_000_000
MAX_MONEY = 440_000_000 * COIN


class AmountError(ValueError):
    """An amount that is not a valid 8-decimal value within the money range."""


def money_range(value: int) -> bool:
    """MoneyRange: 0 <= value <= MAX_MONEY."""
    return 0 <= value <= MAX_MONEY


def format_amount(value: int) -> str:
    """ValueFromAmount as text: sign, whole coins, '.', exactly 8 decimals."""
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(abs(value), COIN)
    return f"{sign}{whole}.{fraction:08d}"


def amount_to_decimal(value: int) -> Decimal:
    """The exact Decimal an RPC result carries (serialised with 8 decimals)."""
    return Decimal(format_amount(value))


def parse_amount(value: object) -> int:
    """AmountFromValue: a JSON number/string with at most 8 decimals -> zatoshi.

    Raises AmountError("Invalid amount") for malformed text, too many decimals,
    and AmountError("Amount out of range") outside the money range, as C++ does.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise AmountError("Amount is not a number or string")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise AmountError("Invalid amount") from exc
    if not number.is_finite():
        raise AmountError("Invalid amount")
    scaled = number * COIN
    if scaled != scaled.to_integral_value():
        raise AmountError("Invalid amount")
    zatoshi = int(scaled)
    if abs(zatoshi) > 10**18:
        raise AmountError("Invalid amount")
    if not money_range(zatoshi):
        raise AmountError("Amount out of range")
    return zatoshi


def parse_money(text: str) -> int | None:
    """ParseMoney (utilmoneystr.cpp): 'whole[.fraction]' with surrounding spaces; None when invalid.

    Digits beyond the eighth decimal are ignored, as in C++.
    """
    stripped = text.lstrip(" \t\n\v\f\r")
    whole, units, pos = "", 0, 0
    while pos < len(stripped):
        char = stripped[pos]
        if char == ".":
            pos += 1
            multiplier = CENT * 10
            while pos < len(stripped) and stripped[pos].isdigit() and stripped[pos].isascii() and multiplier > 0:
                units += multiplier * int(stripped[pos])
                multiplier //= 10
                pos += 1
            break
        if char in " \t\n\v\f\r":
            break
        if not (char.isdigit() and char.isascii()):
            return None
        whole += char
        pos += 1
    if stripped[pos:].strip(" \t\n\v\f\r"):
        return None
    if len(whole) > 10 or units > COIN:
        return None
    return (int(whole) if whole else 0) * COIN + units


def format_money(value: int) -> str:
    """FormatMoney: 8 decimals with trailing zeros trimmed down to two ('0.18', '1.00')."""
    text = format_amount(value)
    while text.endswith("0") and text[-3] != ".":
        text = text[:-1]
    return text
