"""Consensus state beyond the coins that must move with every block: the place the fluxnode list and the
shielded trees/nullifiers plug into (C++ keeps them in g_fluxnodeCache and the coins view, flushed with it).

An extension sees each block after the transparent rules passed.  It reads its
state through ``ExtensionView`` (its pending writes over the committed ones),
writes there, may reject the block with ValidationError, and returns an undo
record for the block.  Its writes and undo records join the chainstate's
tip cache and reach the database in the same atomic batch as coins, undo
and tip; a rejected block's writes are dropped.  Keys live in the ``ext``
column (state) and ``ext_undo`` column (per-block undo), prefixed by the
extension's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from fluxd.chainstate.block_index import BlockIndexEntry
from fluxd.core.block import Block
from fluxd.storage.kv import StorageError

STATE_COLUMN = "ext"
UNDO_COLUMN = "ext_undo"


class ExtensionView:
    """Key/value state of one extension for one block: reads fall through to ``committed``."""

    def __init__(self, name: str, committed: Callable[[str, bytes], bytes | None]) -> None:
        self.name = name
        self._committed = committed
        self.writes: dict[bytes, bytes | None] = {}  # key -> value, None = deleted

    def _key(self, key: bytes) -> bytes:
        return self.name.encode() + b"/" + key

    def get(self, key: bytes) -> bytes | None:
        full = self._key(key)
        if full in self.writes:
            return self.writes[full]
        return self._committed(STATE_COLUMN, full)

    def put(self, key: bytes, value: bytes) -> None:
        self.writes[self._key(key)] = value

    def delete(self, key: bytes) -> None:
        self.writes[self._key(key)] = None


class StateExtension(Protocol):
    name: str

    def connect_block(self, block: Block, entry: BlockIndexEntry, view: ExtensionView) -> bytes:
        """Apply the block (raise ValidationError to reject it); the undo record to keep for it."""

    def disconnect_block(self, block: Block, entry: BlockIndexEntry, undo: bytes, view: ExtensionView) -> None:
        """Revert what connect_block did, from its undo record."""


def undo_key(extension: StateExtension, block_hash_rev: bytes) -> bytes:
    return extension.name.encode() + b"/" + block_hash_rev


class BlockExtensionWork:
    """What every extension wrote for one block (state writes and undo records), committed or dropped together."""

    def __init__(self) -> None:
        self.state: dict[bytes, bytes | None] = {}
        self.undo: dict[bytes, bytes | None] = {}

    def add(self, view: ExtensionView) -> None:
        self.state.update(view.writes)


def connect_extensions(
    extensions: list[StateExtension], block: Block, entry: BlockIndexEntry, committed: Callable[[str, bytes], bytes | None]
) -> BlockExtensionWork:
    work = BlockExtensionWork()
    for extension in extensions:
        view = ExtensionView(extension.name, _layered(committed, work))
        work.undo[undo_key(extension, entry.hash_rev)] = extension.connect_block(block, entry, view)
        work.add(view)
    return work


def disconnect_extensions(
    extensions: list[StateExtension], block: Block, entry: BlockIndexEntry, committed: Callable[[str, bytes], bytes | None]
) -> BlockExtensionWork:
    work = BlockExtensionWork()
    for extension in reversed(extensions):
        key = undo_key(extension, entry.hash_rev)
        undo = committed(UNDO_COLUMN, key)
        if undo is None:
            raise StorageError(f"The {extension.name} undo record for block {entry.hash_hum} is missing. Restart with -reindex.")
        view = ExtensionView(extension.name, _layered(committed, work))
        extension.disconnect_block(block, entry, undo, view)
        work.add(view)
        work.undo[key] = None
    return work


def _layered(committed: Callable[[str, bytes], bytes | None], work: BlockExtensionWork) -> Callable[[str, bytes], bytes | None]:
    """Earlier extensions' writes of this block are visible to later ones."""

    def read(column: str, key: bytes) -> bytes | None:
        if column == STATE_COLUMN and key in work.state:
            return work.state[key]
        return committed(column, key)

    return read
