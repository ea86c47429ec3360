"""The operator's fluxnode settings the RPCs read (C++ fFluxnode, activeFluxnode.deterministicOutPoint,
strFluxnodePrivKey, pubKeyFluxnode) and the entries of fluxnode.conf (C++ fluxnodeConfig)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.tx_parts import OutPoint
from fluxd.wallet.fluxnode_config import FluxnodeEntry


@dataclass(frozen=True)
class ActiveFluxnode:
    enabled: bool = False  # -zelnode / -fluxnode
    outpoint: OutPoint | None = None  # -zelnodeoutpoint and -zelnodeindex (when enabled)
    privkey: str = ""  # -zelnodeprivkey (WIF), when enabled
    pubkey: bytes = b""  # its public key
    entries: tuple[FluxnodeEntry, ...] = field(default_factory=tuple)  # fluxnode.conf
    conf_lock: bool = True  # -znconflock

    def conf_outpoints(self) -> list[OutPoint]:
        """The collaterals of fluxnode.conf whose index converts (C++ skips the others)."""
        outpoints = []
        for entry in self.entries:
            index = entry.index()
            if index is not None:
                outpoints.append(OutPoint(uint256_from_hex(entry.txhash), index & 0xFFFFFFFF))
        return outpoints


def uint256_from_hex(text: str) -> bytes:
    """uint256S / SetHex: blanks and "0x" skipped, hex digits read up to the first other character, the
    rightmost 64 kept; returns the internal (reversed) bytes."""
    body = text.lstrip(" \t\n\r\f\v")
    if body[:2].lower() == "0x":
        body = body[2:]
    digits = ""
    for char in body:
        if char not in "0123456789abcdefABCDEF":
            break
        digits += char
    digits = digits[-64:].rjust(64, "0")
    return bytes.fromhex(digits)[::-1]
