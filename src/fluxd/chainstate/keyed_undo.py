"""A consensus module's undo as the value every key it wrote had before the block.

``RecordingWriter`` wraps the block's ``StateWriter`` for a fixed tuple of columns and remembers, the first
time each key is written, what it held; ``undo()`` encodes that record (a compact size, then per key the
column's index, the database key, a presence flag and the old value) and ``apply_keyed_undo`` writes the
old values back at disconnect.  The fluxnode list keeps its own writer (it maintains secondary keys) and
encodes its record with ``encode_keyed_undo``.
"""

from __future__ import annotations

from typing import Any

from fluxd.chainstate.state_columns import Column, StateWriter
from fluxd.util.serialize import Reader, Writer


class RecordingWriter:
    def __init__(self, state: StateWriter, columns: tuple[Column, ...]) -> None:
        self.state = state
        self.columns = columns
        self._index = {column: index for index, column in enumerate(columns)}
        self._before: dict[tuple[int, bytes], bytes | None] = {}

    def get(self, column: Column, key: Any) -> Any:
        return self.state.get(column, key)

    def put(self, column: Column, key: Any, value: Any) -> None:
        self._remember(column, key)
        self.state.put(column, key, value)

    def delete(self, column: Column, key: Any) -> None:
        self._remember(column, key)
        self.state.delete(column, key)

    def _remember(self, column: Column, key: Any) -> None:
        db_key = column.db_key(key)
        slot = (self._index[column], db_key)
        if slot not in self._before:
            self._before[slot] = self.state.get_raw(column, db_key)

    def undo(self) -> bytes:
        return encode_keyed_undo(self._before)


def encode_keyed_undo(before: dict[tuple[int, bytes], bytes | None]) -> bytes:
    """(column index, database key) -> the value before the block (None: absent), as the undo record."""
    writer = Writer()
    writer.compact_size(len(before))
    for (column_index, db_key), value in before.items():
        writer.u8(column_index)
        writer.var_bytes(db_key)
        writer.boolean(value is not None)
        if value is not None:
            writer.var_bytes(value)
    return writer.getvalue()


def decode_keyed_undo(undo: bytes, what: str) -> list[tuple[int, bytes, bytes | None]]:
    """(column index, database key, value before the block or None) for every key of the record."""
    reader = Reader(undo)
    entries = []
    for _ in range(reader.compact_size()):
        column_index, db_key = reader.u8(), reader.var_bytes()
        entries.append((column_index, db_key, reader.var_bytes() if reader.boolean() else None))
    reader.expect_end(what)
    return entries


def apply_keyed_undo(state: StateWriter, columns: tuple[Column, ...], undo: bytes, what: str) -> None:
    """Put back every key a block wrote as it was before the block."""
    for column_index, db_key, value in decode_keyed_undo(undo, what):
        column = columns[column_index]
        key = db_key[len(column.prefix):]
        if value is not None:
            state.put(column, key, value)
        else:
            state.delete(column, key)
