"""Unspent transaction outputs: the coin record, its encoding, and a write-back cache.

A coin is keyed by its outpoint (txid_rev ‖ n as 4 bytes big-endian, so the
outputs of one transaction sort together).  The cache keeps dirty/fresh flags
as C++ CCoinsViewCache does: a *fresh* coin was created in the cache and is not
in the backing store, so spending it before a flush just forgets it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol

from fluxd.core.tx_parts import OutPoint
from fluxd.util.serialize import DecodeError, Reader, compact_size_bytes

_I64 = struct.Struct("<q")
_U32 = struct.Struct("<I")
_HEAD_U16_CODE = struct.Struct("<BHqB")  # compact-size code 0xFD + u16, value, one-byte script length


@dataclass(frozen=True, slots=True)
class Coin:
    value: int
    script_pubkey: bytes
    height: int
    is_coinbase: bool
    tx_version: int = 1  # version of the creating transaction (gettxout "version", as C++ CCoins)

    def to_bytes(self) -> bytes:
        code = self.height * 2 + (1 if self.is_coinbase else 0)
        script = self.script_pubkey
        version = _U32.pack(self.tx_version & 0xFFFFFFFF)
        if len(script) < 0xFD and 0xFD <= code <= 0xFFFF:  # the usual shape, packed at once
            return _HEAD_U16_CODE.pack(0xFD, code, self.value, len(script)) + script + version
        return b"".join((compact_size_bytes(code), _I64.pack(self.value), compact_size_bytes(len(script)), script, version))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Coin":
        reader = Reader(data)
        code = reader.compact_size(range_check=False)
        value = reader.i64()
        script = reader.var_bytes()
        tx_version = reader.u32()
        reader.expect_end("coin")
        return cls(value, script, code >> 1, bool(code & 1), tx_version)

    def approx_memory(self) -> int:
        return 120 + len(self.script_pubkey)


def outpoint_key(outpoint: OutPoint) -> bytes:
    return outpoint.txid_rev + outpoint.n.to_bytes(4, "big")


def outpoint_from_key(key: bytes) -> OutPoint:
    if len(key) != 36:
        raise DecodeError("coin key must be 36 bytes")
    return OutPoint(key[:32], int.from_bytes(key[32:], "big"))


class CoinsBacking(Protocol):
    """Where the cache reads coins it does not hold (the committed database)."""

    def get_coin(self, outpoint: OutPoint) -> Coin | None: ...


@dataclass(slots=True)
class _Entry:
    coin: Coin | None  # None = spent
    dirty: bool
    fresh: bool


ENTRY_OVERHEAD = 240  # a cache slot (dict entry, outpoint key, flags) in CPython, roughly


class CoinsCache:
    """A write-back cache of coins over a backing store (C++ CCoinsViewCache).

    ``memory_usage`` estimates the Python memory held (coins plus slots), the
    figure -dbcache is compared with.
    """

    def __init__(
        self,
        backing: CoinsBacking | Callable[[OutPoint], Coin | None],
        any_unspent_below: Callable[[list[OutPoint]], bool] | None = None,
    ) -> None:
        self._fetch = backing.get_coin if hasattr(backing, "get_coin") else backing
        self._any_below = any_unspent_below  # a batched form of the backing store's lookups (optional)
        self._entries: dict[OutPoint, _Entry] = {}
        self._memory = 0

    def layered(self) -> "CoinsCache":
        """A scratch cache over this one (one block's changes)."""
        return CoinsCache(self.get_coin, self.any_unspent)

    @property
    def memory_usage(self) -> int:
        return self._memory

    def rebase(self, parent: "CoinsCache") -> None:
        """Read through ``parent`` from now on (the layer between was absorbed into it)."""
        self._fetch = parent.get_coin
        self._any_below = parent.any_unspent

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, outpoint: OutPoint) -> _Entry | None:
        entry = self._entries.get(outpoint)
        return entry if entry is not None else self._load(outpoint)

    def _load(self, outpoint: OutPoint) -> _Entry | None:
        """Cache the backing store's coin for an outpoint this cache does not hold."""
        coin = self._fetch(outpoint)
        if coin is None:
            return None
        entry = _Entry(coin, dirty=False, fresh=False)
        self._entries[outpoint] = entry
        self._memory += coin.approx_memory() + ENTRY_OVERHEAD
        return entry

    def get_coin(self, outpoint: OutPoint) -> Coin | None:
        entry = self._entries.get(outpoint)  # _lookup inlined: layered caches call this per lookup
        if entry is None:
            entry = self._load(outpoint)
            if entry is None:
                return None
        return entry.coin

    def peek(self, outpoint: OutPoint) -> Coin | None:
        """The coin as get_coin sees it, without caching what is read from the backing store."""
        entry = self._entries.get(outpoint)
        if entry is not None:
            return entry.coin
        return self._fetch(outpoint)

    def have_coin(self, outpoint: OutPoint) -> bool:
        return self.get_coin(outpoint) is not None

    def any_unspent(self, outpoints: list[OutPoint]) -> bool:
        """True when one of ``outpoints`` is an unspent coin (nothing is cached: BIP30's question)."""
        entries = self._entries
        below = []
        for outpoint in outpoints:
            entry = entries.get(outpoint)
            if entry is None:
                below.append(outpoint)
            elif entry.coin is not None:
                return True
        if not below:
            return False
        if self._any_below is not None:
            return self._any_below(below)
        fetch = self._fetch
        return any(fetch(outpoint) is not None for outpoint in below)

    def add_coin(self, outpoint: OutPoint, coin: Coin, possible_overwrite: bool = False) -> None:
        """C++ AddCoin: a new entry is FRESH unless it may overwrite a stored coin."""
        entry = self._entries.get(outpoint)
        if entry is None:
            self._entries[outpoint] = _Entry(coin, True, not possible_overwrite)
            self._memory += ENTRY_OVERHEAD + coin.approx_memory()
            return
        if entry.coin is not None:
            if not possible_overwrite:
                raise ValueError("attempted to overwrite an unspent coin")
            self._memory -= entry.coin.approx_memory()
        fresh = not possible_overwrite and not entry.dirty
        entry.coin = coin
        entry.dirty = True
        entry.fresh = entry.fresh or fresh
        self._memory += coin.approx_memory()

    def spend_coin(self, outpoint: OutPoint) -> Coin | None:
        """Spend a coin and return it (None if it does not exist)."""
        entry = self._lookup(outpoint)
        if entry is None or entry.coin is None:
            return None
        coin = entry.coin
        self._memory -= coin.approx_memory()
        if entry.fresh:
            del self._entries[outpoint]
            self._memory -= ENTRY_OVERHEAD
        else:
            entry.coin = None
            entry.dirty = True
        return coin

    def dirty_items(self) -> Iterator[tuple[OutPoint, Coin | None]]:
        """Every change to write: (outpoint, coin) to store, (outpoint, None) to delete."""
        for outpoint, entry in self._entries.items():
            if entry.dirty and not (entry.fresh and entry.coin is None):
                yield outpoint, entry.coin

    def mark_flushed(self, keep_clean: bool = True) -> None:
        """After the dirty items are committed: drop spent entries, keep (or drop) clean coins."""
        if not keep_clean:
            self._entries.clear()
            self._memory = 0
            return
        for outpoint in [op for op, entry in self._entries.items() if entry.coin is None]:
            del self._entries[outpoint]
            self._memory -= ENTRY_OVERHEAD
        for entry in self._entries.values():
            entry.dirty = False
            entry.fresh = False

    def absorb(self, child: "CoinsCache") -> None:
        """Take the changes of a cache layered over this one (C++ CCoinsViewCache::BatchWrite).

        A coin the child created and spent is dropped; a coin fresh here and
        spent by the child is forgotten, so it never reaches the store.
        """
        for outpoint, theirs in child._entries.items():
            if not theirs.dirty:
                continue
            ours = self._entries.get(outpoint)
            if ours is None:
                if theirs.fresh and theirs.coin is None:
                    continue
                self._entries[outpoint] = theirs  # dirty, fresh as theirs: moved, the child is emptied below
                self._memory += ENTRY_OVERHEAD + (theirs.coin.approx_memory() if theirs.coin else 0)
                continue
            if theirs.fresh and ours.coin is not None:
                raise ValueError("FRESH flag misapplied to a coin that exists in the parent cache")
            if ours.coin is not None:
                self._memory -= ours.coin.approx_memory()
            if ours.fresh and theirs.coin is None:
                del self._entries[outpoint]
                self._memory -= ENTRY_OVERHEAD
                continue
            ours.coin = theirs.coin
            ours.dirty = True
            if theirs.coin is not None:
                self._memory += theirs.coin.approx_memory()
        child._entries.clear()
        child._memory = 0
