"""Transparent addresses: base58check of a network prefix and a 20-byte hash (C++ key_io.cpp).

Functions take the network's prefixes explicitly (any object with
``pubkey_address`` and ``script_address`` bytes, e.g. ``ChainParams.base58``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fluxd.core.base58 import Base58Error, b58check_decode, b58check_encode
from fluxd.core.script import is_p2pkh, is_p2sh, p2pkh_script, p2sh_script

HASH160_SIZE = 20


class AddressPrefixes(Protocol):
    pubkey_address: bytes
    script_address: bytes


class AddressError(ValueError):
    """Text that is not a transparent address of the given network."""


@dataclass(frozen=True, slots=True)
class Destination:
    """CKeyID (kind 'pubkeyhash') or CScriptID (kind 'scripthash')."""

    kind: str
    hash160: bytes

    def script_pubkey(self) -> bytes:
        return p2pkh_script(self.hash160) if self.kind == "pubkeyhash" else p2sh_script(self.hash160)


def encode_destination(destination: Destination, prefixes: AddressPrefixes) -> str:
    prefix = prefixes.pubkey_address if destination.kind == "pubkeyhash" else prefixes.script_address
    return b58check_encode(prefix + destination.hash160)


def decode_destination(text: str, prefixes: AddressPrefixes) -> Destination:
    """DecodeDestination; raises AddressError where C++ returns CNoDestination."""
    try:
        data = b58check_decode(text)
    except Base58Error as exc:
        raise AddressError("Invalid address") from exc
    for kind, prefix in (("pubkeyhash", prefixes.pubkey_address), ("scripthash", prefixes.script_address)):
        if len(data) == HASH160_SIZE + len(prefix) and data.startswith(prefix):
            return Destination(kind, data[len(prefix):])
    raise AddressError("Invalid address")


def is_valid_address(text: str, prefixes: AddressPrefixes) -> bool:
    try:
        decode_destination(text, prefixes)
    except AddressError:
        return False
    return True


def destination_from_script(script_pubkey: bytes) -> Destination | None:
    """ExtractDestination for the two address kinds (P2PKH, P2SH); None otherwise."""
    if is_p2pkh(script_pubkey):
        return Destination("pubkeyhash", script_pubkey[3:23])
    if is_p2sh(script_pubkey):
        return Destination("scripthash", script_pubkey[2:22])
    return None


def address_to_script(text: str, prefixes: AddressPrefixes) -> bytes:
    return decode_destination(text, prefixes).script_pubkey()


def script_to_address(script_pubkey: bytes, prefixes: AddressPrefixes) -> str | None:
    destination = destination_from_script(script_pubkey)
    return None if destination is None else encode_destination(destination, prefixes)
