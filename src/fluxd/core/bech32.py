"""Bech32 (BIP 173) as C++ bech32.cpp decodes it (up to 1,023 characters), for Sapling addresses, and ConvertBits."""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    pass


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for index, generator in enumerate(_GENERATORS):
            if (top >> index) & 1:
                checksum ^= generator
    return checksum


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def encode(hrp: str, data: list[int]) -> str:
    checksum = _polymod(_expand_hrp(hrp) + data + [0] * 6) ^ 1
    return hrp + "1" + "".join(CHARSET[value] for value in data + [(checksum >> 5 * (5 - i)) & 31 for i in range(6)])


def decode(text: str) -> tuple[str, list[int]]:
    """(hrp, 5-bit data without the checksum); Bech32Error as C++ returns an empty pair."""
    if len(text) > 1023 or any(not 33 <= ord(char) <= 126 for char in text):  # C++: 1023, not BIP 173's 90
        raise Bech32Error("invalid characters or length")
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case")
    text = text.lower()
    position = text.rfind("1")
    if position < 1 or position + 7 > len(text):
        raise Bech32Error("no separator")
    hrp, body = text[:position], text[position + 1:]
    if any(char not in CHARSET for char in body):
        raise Bech32Error("invalid character")
    values = [CHARSET.index(char) for char in body]
    if _polymod(_expand_hrp(hrp) + values) != 1:
        raise Bech32Error("bad checksum")
    return hrp, values[:-6]


def convert_bits(data, from_bits: int, to_bits: int, pad: bool) -> list[int] | None:
    """C++ ConvertBits; None where it returns false."""
    accumulator = bits = 0
    result = []
    maximum = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & maximum)
    if pad:
        if bits:
            result.append((accumulator << (to_bits - bits)) & maximum)
    elif bits >= from_bits or (accumulator << (to_bits - bits)) & maximum:
        return None
    return result
