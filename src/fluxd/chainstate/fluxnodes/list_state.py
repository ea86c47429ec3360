"""The fluxnode list read and written through state layers.

``FluxnodeList`` reads one state (a ``StateReader``: the tip for RPCs, the
parent of a block at connect) and answers both the reader protocol of RPCs and
the ``FluxnodeKeys`` lookups of the signature and PoN checks.
``FluxnodeListWriter`` keeps the secondary keys (queue, last confirmed, payout
order) in step with every record it writes, and records the value every key had
before the block touched it: that record is the block's undo.
"""

from __future__ import annotations

from collections.abc import Iterator

from fluxd.chainstate.fluxnodes.columns import (
    ALL_COLUMNS,
    DELEGATES,
    LAST_CONFIRMED,
    NODES,
    PAY_ORDER,
    QUEUE,
    last_confirmed_key,
    outpoint_from_key,
    outpoint_key,
    pay_order_key,
    pay_order_outpoint,
    queue_key,
)
from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED, FluxnodeRecord
from fluxd.chainstate.keyed_undo import apply_keyed_undo, decode_keyed_undo, encode_keyed_undo
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.core.tx_parts import OutPoint
from fluxd.util.serialize import Reader, Writer

TIERS = (1, 2, 3)


class FluxnodeList:
    """The list as of one state (read-only)."""

    def __init__(self, state: StateReader, tip_height: int) -> None:
        self.state = state
        self.tip_height = tip_height

    def get(self, collateral: OutPoint) -> FluxnodeRecord | None:
        raw = self.state.get_raw(NODES, NODES.prefix + outpoint_key(collateral))
        return None if raw is None else FluxnodeRecord.from_bytes(collateral, raw)

    def get_many(self, collaterals: list[OutPoint]) -> list[FluxnodeRecord | None]:
        """``get`` of each collateral, the database read at once (the spent outpoints of a block)."""
        raws = self.state.get_many_raw(NODES, [NODES.prefix + outpoint_key(collateral) for collateral in collaterals])
        return [None if raw is None else FluxnodeRecord.from_bytes(collateral, raw) for collateral, raw in zip(collaterals, raws)]

    def confirmed_in_payment_order(self, tier: int) -> Iterator[FluxnodeRecord]:
        for key, _ in self.state.iterate_raw(PAY_ORDER, bytes([tier])):
            record = self.get(pay_order_outpoint(key[len(PAY_ORDER.prefix):]))
            if record is not None and record.status == CONFIRMED:
                yield record

    def next_payee(self, tier: int) -> FluxnodeRecord | None:
        """GetNextPayment: the first confirmed node of the tier in payout order."""
        return next(self.confirmed_in_payment_order(tier), None)

    def confirmed_count(self) -> int:
        return sum(1 for _ in self.state.iterate_raw(LAST_CONFIRMED))

    def confirmed(self) -> Iterator[FluxnodeRecord]:
        """Confirmed nodes, oldest last confirm first."""
        for key, _ in self.state.iterate_raw(LAST_CONFIRMED):
            record = self.get(outpoint_from_key(key[len(LAST_CONFIRMED.prefix) + 4:]))
            if record is not None:
                yield record

    def confirmed_last_before(self, height: int) -> Iterator[FluxnodeRecord]:
        """Confirmed nodes whose last confirm is below ``height``."""
        for key, _ in self.state.iterate_raw(LAST_CONFIRMED):
            body = key[len(LAST_CONFIRMED.prefix):]
            if int.from_bytes(body[:4], "big") >= height:
                return
            record = self.get(outpoint_from_key(body[4:]))
            if record is not None:
                yield record

    def with_status(self, status: int, added_at_most: int | None = None) -> Iterator[FluxnodeRecord]:
        """STARTED or DOS records, oldest first; with ``added_at_most``, only those added at or below that height."""
        for key, _ in self.state.iterate_raw(QUEUE, bytes([status])):
            body = key[len(QUEUE.prefix):]
            if added_at_most is not None and int.from_bytes(body[1:5], "big") > added_at_most:
                return
            record = self.get(outpoint_from_key(body[5:]))
            if record is not None:
                yield record

    def added_at(self, status: int, height: int) -> Iterator[FluxnodeRecord]:
        """STARTED or DOS records added at exactly ``height``."""
        if height < 0:
            return
        for key, _ in self.state.iterate_raw(QUEUE, bytes([status]) + height.to_bytes(4, "big")):
            record = self.get(outpoint_from_key(key[len(QUEUE.prefix) + 5:]))
            if record is not None:
                yield record

    def delegate_keys(self, collateral: OutPoint) -> list[bytes] | None:
        raw = self.state.get_raw(DELEGATES, DELEGATES.prefix + outpoint_key(collateral))
        return None if raw is None else decode_keys(raw)

    # FluxnodeKeys (consensus/fluxnode_sigs.py)
    def operator_pubkey(self, collateral: OutPoint) -> bytes | None:
        record = self.get(collateral)
        return None if record is None else record.operator_pubkey


class FluxnodeListWriter(FluxnodeList):
    """Writes records and their secondary keys; ``undo()`` gives every touched key's value before the block."""

    def __init__(self, state: StateWriter, tip_height: int) -> None:
        super().__init__(state, tip_height)
        self.writer = state
        self._before: dict[tuple[int, bytes], bytes | None] = {}
        self._records: dict[OutPoint, FluxnodeRecord | None] = {}  # records read or written by this block

    def get(self, collateral: OutPoint) -> FluxnodeRecord | None:
        if collateral in self._records:
            return self._records[collateral]
        record = self._records[collateral] = super().get(collateral)
        return record

    def _put(self, column_index: int, key: bytes, value: bytes | None) -> None:
        column = ALL_COLUMNS[column_index]
        db_key = column.prefix + key
        if (column_index, db_key) not in self._before:
            self._before[(column_index, db_key)] = self.writer.get_raw(column, db_key)
        if value is None:
            self.writer.delete(column, key)
        else:
            self.writer.put(column, key, value)

    def put(self, record: FluxnodeRecord) -> None:
        self.remove(record.collateral)
        self._put(0, outpoint_key(record.collateral), record.to_bytes())
        self._records[record.collateral] = record
        if record.status == CONFIRMED:
            self._put(2, last_confirmed_key(record), b"")
            self._put(3, pay_order_key(record), b"")
        else:
            self._put(1, queue_key(record.status, record.added_height, record.collateral), b"")

    def remove(self, collateral: OutPoint) -> None:
        old = self.get(collateral)
        if old is None:
            return
        self._put(0, outpoint_key(collateral), None)
        self._records[collateral] = None
        if old.status == CONFIRMED:
            self._put(2, last_confirmed_key(old), None)
            self._put(3, pay_order_key(old), None)
        else:
            self._put(1, queue_key(old.status, old.added_height, collateral), None)

    def set_delegates(self, collateral: OutPoint, keys: list[bytes] | None) -> None:
        self._put(4, outpoint_key(collateral), None if not keys else encode_keys(keys))

    def written_records(self) -> dict[OutPoint, FluxnodeRecord | None]:
        """The records this block wrote or removed, as it left them."""
        written = (outpoint_from_key(db_key[len(NODES.prefix):]) for column_index, db_key in self._before if column_index == 0)
        return {collateral: self._records.get(collateral) for collateral in written}

    def undo(self) -> bytes:
        return encode_keyed_undo(self._before)


def apply_undo(state: StateWriter, undo: bytes) -> None:
    """Put back every key a block touched as it was before the block."""
    apply_keyed_undo(state, ALL_COLUMNS, undo, "fluxnode undo")


def undo_records(undo: bytes) -> dict[OutPoint, FluxnodeRecord | None]:
    """The records (None: no record) a block's undo puts back, by collateral."""
    records: dict[OutPoint, FluxnodeRecord | None] = {}
    for column_index, db_key, value in decode_keyed_undo(undo, "fluxnode undo"):
        if column_index == 0:
            collateral = outpoint_from_key(db_key[len(NODES.prefix):])
            records[collateral] = None if value is None else FluxnodeRecord.from_bytes(collateral, value)
    return records


def encode_keys(keys: list[bytes]) -> bytes:
    writer = Writer()
    writer.compact_size(len(keys))
    for key in keys:
        writer.var_bytes(key)
    return writer.getvalue()


def decode_keys(raw: bytes) -> list[bytes]:
    reader = Reader(raw)
    return [reader.var_bytes() for _ in range(reader.compact_size())]


__all__ = ["CONFIRMED", "DOS", "STARTED", "FluxnodeList", "FluxnodeListWriter", "apply_undo", "undo_records", "TIERS"]
