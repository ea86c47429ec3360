"""State modules: chain state beyond the coins that moves with every block (C++ keeps such state in
g_fluxnodeCache, the coins view's trees and nullifiers, and the insight indexes of the block-tree DB).

Two kinds, both declaring their typed ``Column``s:

- a **consensus module** (``kind = "consensus"``: the fluxnode list, the
  shielded trees, anchors and nullifiers) sees each block at connect, after the
  transparent rules, and may refuse it with ``ValidationError``.  Its writes go
  into the block's own layer over the pending blocks' layers, exactly as the
  coins do, so pipelined blocks stay pipelined; the layer joins the tip cache
  only when the block becomes the tip, and is dropped with a failed block.
- an **index module** (``kind = "index"``: the transaction index, the
  timestamp index, next the address / spent / block-delta indexes) cannot
  refuse a block.  It sees the block when it becomes the tip, with its height
  and its undo (the coins its inputs spent), and writes straight into the tip
  cache.

Each module returns an undo record per block (index modules may return None);
it is kept in ``UNDO_COLUMN`` and handed back at disconnect.  Everything a
module writes reaches the database in the chainstate's one atomic flush with
coins, undo, block index and tip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from fluxd.chainstate.block_index import BlockIndexEntry
from fluxd.chainstate.coins import CoinsCache
from fluxd.chainstate.state_columns import BYTES, Column, StateLayer, StateReader, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.core.block import Block
from fluxd.storage.kv import KVReader, StorageError

UNDO_COLUMN = Column("module_undo", family="ext_undo", prefix=b"", key=BYTES, value=BYTES)


@dataclass(frozen=True, slots=True)
class BlockContext:
    """What a module sees of one block: the block, its index entry, the block's coins view and the spent coins."""

    block: Block
    entry: BlockIndexEntry
    coins: CoinsCache | None  # the coins as this block leaves them (connect) or restores them (disconnect)
    undo: BlockUndo | None  # the coins spent by the block's inputs, in input order

    @property
    def height(self) -> int:
        return self.entry.height


class StateModule(Protocol):
    name: str
    kind: Literal["consensus", "index"]
    columns: tuple[Column, ...]

    def connect_block(self, context: BlockContext, state: StateWriter) -> bytes | None:
        """Apply the block; the undo record to keep for it (consensus modules may raise ValidationError)."""

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        """Revert what connect_block did for this block, from its undo record."""


def undo_key(module: StateModule, block_hash_rev: bytes) -> bytes:
    return module.name.encode() + b"/" + block_hash_rev


def check_columns(modules: list[StateModule]) -> None:
    """Column names and key ranges must not overlap (one module's writes can never land in another's keys)."""
    seen: dict[str, Column] = {}
    ranges: list[tuple[str, bytes, str]] = []
    for module in modules:
        for column in module.columns:
            if column.name in seen:
                raise ValueError(f"state column {column.name!r} is declared twice")
            seen[column.name] = column
            for family, prefix, other in ranges:
                if family == column.family and (prefix.startswith(column.prefix) or column.prefix.startswith(prefix)):
                    raise ValueError(f"state columns {other!r} and {column.name!r} overlap")
            ranges.append((column.family, column.prefix, column.name))


def connect_modules(modules: list[StateModule], context: BlockContext, layer: StateLayer, below: list[StateLayer],
                    store: KVReader) -> None:  # fmt: skip
    """Run each module's connect in registration order; its writes and undo record go into ``layer``."""
    writer = StateWriter(layer, below, store)
    for module in modules:
        undo = module.connect_block(context, writer)
        if undo is not None:
            writer.put(UNDO_COLUMN, undo_key(module, context.entry.hash_rev), undo)


def disconnect_modules(modules: list[StateModule], context: BlockContext, layer: StateLayer, below: list[StateLayer],
                       store: KVReader) -> None:  # fmt: skip
    """Revert the block in every module, last registered first; their undo records are erased."""
    writer = StateWriter(layer, below, store)
    for module in reversed(modules):
        key = undo_key(module, context.entry.hash_rev)
        undo = writer.get(UNDO_COLUMN, key)
        if undo is None and module.kind == "consensus":
            raise StorageError(f"The {module.name} undo record for block {context.entry.hash_hum} is missing. Restart with -reindex.")
        module.disconnect_block(context, undo, writer)
        writer.delete(UNDO_COLUMN, key)


def reader_over(layers: list[StateLayer], store: KVReader) -> StateReader:
    return StateReader(layers, store)
