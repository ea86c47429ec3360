"""Per-block undo data: what disconnecting a block must restore.

``spent_coins`` holds, for every non-coinbase transaction in block order, the
coins its inputs spent (in input order).  ``extensions`` carries opaque undo
records of later subsystems (fluxnode list, shielded trees) under a name, so
they travel in the same record and the same atomic batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.chainstate.coins import Coin
from fluxd.util.serialize import DecodeError, Reader, Writer

UNDO_FORMAT_VERSION = 1
_MIN_COIN_SIZE = 14


@dataclass(frozen=True, slots=True)
class BlockUndo:
    spent_coins: tuple[tuple[Coin, ...], ...] = ()
    extensions: tuple[tuple[str, bytes], ...] = field(default=())

    def to_bytes(self) -> bytes:
        writer = Writer()
        writer.u8(UNDO_FORMAT_VERSION)
        writer.compact_size(len(self.spent_coins))
        for coins in self.spent_coins:
            writer.compact_size(len(coins))
            for coin in coins:
                writer.var_bytes(coin.to_bytes())
        writer.compact_size(len(self.extensions))
        for name, payload in self.extensions:
            writer.var_bytes(name.encode())
            writer.var_bytes(payload)
        return writer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "BlockUndo":
        reader = Reader(data)
        version = reader.u8()
        if version != UNDO_FORMAT_VERSION:
            raise DecodeError(f"unknown undo format version {version}")
        txs = []
        for _ in range(reader.count(1)):
            txs.append(tuple(Coin.from_bytes(reader.var_bytes()) for _ in range(reader.count(_MIN_COIN_SIZE))))
        extensions = []
        for _ in range(reader.count(2)):
            name = reader.var_bytes().decode("utf-8", "replace")
            extensions.append((name, reader.var_bytes()))
        reader.expect_end("block undo")
        return cls(tuple(txs), tuple(extensions))

    def extension(self, name: str) -> bytes | None:
        for key, payload in self.extensions:
            if key == name:
                return payload
        return None
