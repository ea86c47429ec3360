"""Conversions between internal (wire-order, ``_rev``) hashes and display hex (``_hum``)."""

from __future__ import annotations


class HexError(ValueError):
    """Raised for malformed hex input."""


def rev_to_hum(hash_rev: bytes) -> str:
    """Internal little-endian hash bytes -> big-endian display hex (what RPC shows)."""
    return hash_rev[::-1].hex()


def hum_to_rev(hash_hum: str, size: int = 32) -> bytes:
    """Display hex -> internal bytes; the hex must encode exactly ``size`` bytes."""
    raw = parse_hex(hash_hum)
    if len(raw) != size:
        raise HexError(f"expected {size * 2} hex characters, got {len(hash_hum)}")
    return raw[::-1]


def parse_hex(text: str) -> bytes:
    """Strict hex decoding (even length, hex digits only)."""
    if not isinstance(text, str):
        raise HexError("hex must be a string")
    if len(text) % 2:
        raise HexError("hex string has odd length")
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise HexError("invalid hex string") from exc


def is_hex(text: str) -> bool:
    """C++ IsHex: non-empty, even length, only hex digits."""
    if not text or len(text) % 2:
        return False
    return all(ch in "0123456789abcdefABCDEF" for ch in text)
