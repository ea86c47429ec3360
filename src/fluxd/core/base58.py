"""Base58 and Base58Check (C++ base58.cpp), with the same size limits on decode."""

from __future__ import annotations

from fluxd.core.hashes import sha256d

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}
_WHITESPACE = " \t\n\v\f\r"


class Base58Error(ValueError):
    """Text that is not valid base58 / base58check."""


def b58encode(data: bytes) -> str:
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(ALPHABET[remainder])
    return "1" * leading_zeros + "".join(reversed(digits))


def b58decode(text: str, max_len: int = 1 << 30) -> bytes:
    """DecodeBase58: leading/trailing whitespace allowed, anything else must be base58."""
    stripped = text.strip(_WHITESPACE)
    leading_ones = len(stripped) - len(stripped.lstrip("1"))
    if leading_ones > max_len:
        raise Base58Error("too many leading zeros")
    number = 0
    for char in stripped[leading_ones:]:
        if char not in _INDEX:
            raise Base58Error("invalid base58 character")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    decoded = b"\x00" * leading_ones + body
    if len(decoded) > max_len:
        raise Base58Error("decoded data too long")
    return decoded


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text: str, max_payload_len: int = 1 << 30) -> bytes:
    """DecodeBase58Check: payload without its 4-byte checksum; errors on a bad checksum."""
    raw = b58decode(text, max_payload_len + 4)
    if len(raw) < 4:
        raise Base58Error("base58check data too short")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise Base58Error("base58check checksum mismatch")
    return payload
