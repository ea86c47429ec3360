"""Address manager: known peer addresses in "new" and "tried" buckets, persisted to peers.dat.

Modeled on C++ CAddrMan: addresses heard of go to one of 1024 new buckets
chosen by a keyed hash of their network group and source group, addresses we
connected to successfully move to one of 256 tried buckets.  A full bucket
slot evicts the older entry.  ``peers.dat`` holds the network magic, a format
version, the bucket key and every entry, closed by a sha256d checksum.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from fluxd.core.hashes import sha256d
from fluxd.p2p.netaddress import NetAddress
from fluxd.util.serialize import DecodeError, Reader, Writer

NEW_BUCKET_COUNT = 1024
TRIED_BUCKET_COUNT = 256
BUCKET_SIZE = 64
GETADDR_MAX_PCT = 23
GETADDR_MAX = 2500
PEERS_FILE_VERSION = 1
RETRY_AFTER = 600  # seconds before an address tried is dialled again (C++ ThreadOpenConnections)


class PeersFileError(Exception):
    """peers.dat is unreadable; the node starts with an empty address manager."""


@dataclass
class AddrInfo:
    address: NetAddress
    source: NetAddress
    attempts: int = 0
    last_try: int = 0
    last_success: int = 0
    tried: bool = False


def _group(address: NetAddress) -> bytes:
    """The network group: /16 for IPv4, /32 for IPv6 (C++ GetGroup, simplified)."""
    return address.ip16[12:14] if address.is_ipv4 else address.ip16[:4]


class AddrMan:
    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)
        self.entries: dict[tuple[bytes, int], AddrInfo] = {}
        self.slots: dict[tuple[bool, int, int], tuple[bytes, int]] = {}  # (tried, bucket, position) -> key

    def __len__(self) -> int:
        return len(self.entries)

    def _hash(self, *parts: bytes) -> int:
        return int.from_bytes(hashlib.sha256(self.key + b"".join(parts)).digest()[:8], "little")

    def _slot(self, info: AddrInfo, tried: bool) -> tuple[bool, int, int]:
        key = info.address.ip16 + info.address.port.to_bytes(2, "big")
        if tried:
            bucket = self._hash(b"T", key, _group(info.address)) % TRIED_BUCKET_COUNT
        else:
            bucket = self._hash(b"N", _group(info.address), _group(info.source)) % NEW_BUCKET_COUNT
        return tried, bucket, self._hash(b"P", bytes([tried]), bucket.to_bytes(2, "big"), key) % BUCKET_SIZE

    def _place(self, info: AddrInfo) -> None:
        slot = self._slot(info, info.tried)
        occupant = self.slots.get(slot)
        if occupant is not None and occupant != info.address.key:
            self.entries.pop(occupant, None)
        self.slots[slot] = info.address.key
        self.entries[info.address.key] = info

    def _unplace(self, info: AddrInfo) -> None:
        slot = self._slot(info, info.tried)
        if self.slots.get(slot) == info.address.key:
            del self.slots[slot]

    def add(self, addresses: list[NetAddress], source: NetAddress, now: int | None = None) -> int:
        """Add addresses heard from ``source``; returns how many were new."""
        added = 0
        now = now or int(time.time())
        for address in addresses:
            if not address.is_routable():  # C++ CAddrMan::Add_: loopback, private and unset addresses are not kept
                continue
            existing = self.entries.get(address.key)
            if existing is not None:
                if address.time > existing.address.time:
                    existing.address = address
                continue
            stamped = address if address.time else NetAddress(address.ip16, address.port, address.services, now)
            self._place(AddrInfo(stamped, source))
            added += 1
        return added

    def good(self, address: NetAddress, now: int | None = None) -> None:
        """A connection to ``address`` succeeded: move it to the tried table (C++ Good_: unknown addresses are ignored)."""
        info = self.entries.get(address.key)
        if info is None:
            return
        self._unplace(info)
        info.last_success = info.last_try = now or int(time.time())
        info.attempts = 0
        info.tried = True
        self._place(info)

    def attempt(self, address: NetAddress, now: int | None = None) -> None:
        info = self.entries.get(address.key)
        if info is not None:
            info.attempts += 1
            info.last_try = now or int(time.time())

    def select(self, rng: random.Random | None = None, now: int | None = None) -> NetAddress | None:
        """A random address to dial, tried and new with equal chance when both exist.

        As C++ ThreadOpenConnections, an address tried less than RETRY_AFTER seconds ago is
        passed over, so a peer we just dropped is not dialled straight back.
        """
        now = now or int(time.time())
        ready = [info for info in self.entries.values() if now - info.last_try >= RETRY_AFTER]
        if not ready:
            return None
        rng = rng or random.Random()
        tried = [info for info in ready if info.tried]
        fresh = [info for info in ready if not info.tried]
        pool = tried if tried and (not fresh or rng.random() < 0.5) else fresh
        return rng.choice(pool).address

    def get_addr(self, rng: random.Random | None = None) -> list[NetAddress]:
        """What a getaddr answer holds: a random 23% of the entries, at most 2500."""
        rng = rng or random.Random()
        items = [info.address for info in self.entries.values()]
        count = min(GETADDR_MAX, len(items) * GETADDR_MAX_PCT // 100)
        return rng.sample(items, count)

    # ----- peers.dat ----------------------------------------------------------------------------
    def save(self, path: Path, magic: bytes) -> None:
        writer = Writer()
        writer.write(magic)
        writer.u32(PEERS_FILE_VERSION)
        writer.write(self.key)
        writer.compact_size(len(self.entries))
        for info in self.entries.values():
            info.address.write(writer, with_time=True)
            info.source.write(writer, with_time=False)
            writer.u32(info.attempts)
            writer.i64(info.last_try)
            writer.i64(info.last_success)
            writer.boolean(info.tried)
        body = writer.getvalue()
        _atomic_write(path, body + sha256d(body))

    @classmethod
    def load(cls, path: Path, magic: bytes) -> "AddrMan":
        data = path.read_bytes()
        body, digest = data[:-32], data[-32:]
        if len(data) < 32 or sha256d(body) != digest:
            raise PeersFileError(f"{path.name}: checksum mismatch (file corrupt)")
        try:
            reader = Reader(body)
            if reader.read(4) != magic:
                raise PeersFileError(f"{path.name}: written for another network")
            if reader.u32() != PEERS_FILE_VERSION:
                raise PeersFileError(f"{path.name}: unknown format version")
            manager = cls(reader.read(32))
            for _ in range(reader.count(30 + 26 + 21)):
                address = NetAddress.read(reader, with_time=True)
                source = NetAddress.read(reader, with_time=False)
                info = AddrInfo(address, source, reader.u32(), reader.i64(), reader.i64(), reader.boolean())
                manager._place(info)
            reader.expect_end("peers.dat")
        except DecodeError as exc:
            raise PeersFileError(f"{path.name}: {exc}") from None
        return manager


def _atomic_write(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".new")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
