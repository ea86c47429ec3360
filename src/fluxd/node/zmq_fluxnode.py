"""Flux's fluxnode ZMQ topics (C++ src/zmq/zmqpublishnotifier.cpp): fluxnodelistdelta and fluxnodestatus.

**fluxnodelistdelta**, on every new tip (C++ UpdatedBlockTip), says how the confirmed list changed since the
last delta.  Body: LE32 from height, LE32 to height, the from and to block hashes (display order), a flags
byte (bit 0: a reorganisation came in between), then three lists, each a compact size and its entries in
outpoint order (txid internal bytes, then n, as C++ std::map<COutPoint>):

- added and updated nodes: outpoint (txid display order, LE32 n), collateral pubkey and operator pubkey
  (compact size + bytes), LE32 confirmed height, LE32 last paid height, tier and status (one byte each),
  ip (compact size + bytes);
- removed nodes: the outpoint only.

The first tip after start-up sends nothing: it only fixes where the next delta starts (clients read the
list once with getfluxnodesnapshot).  The from hash is the active chain's block at the from height, or,
after a reorganisation, the old tip.

C++ records the changes as its cache flush makes them (FluxNodeDelta::RecordAdded/Removed/Updated).  Here
the fluxnode list module logs the records each connected or disconnected block leaves; the chain writer
hands them on with each chain event, and ``DeltaTracker`` (publisher thread) keeps the confirmed records
as of the last delta, loaded once at start-up, and compares: not confirmed before and confirmed now is
added, the reverse is removed, confirmed in both is updated (as C++, also when a reorganisation put the
same record back: a payment undone and made again).  That is C++'s merged result, with one difference
where C++ keeps a copy from the moment of the change: an added entry carries the record as of the to
block (C++: as of its confirmation, when more blocks came in between, such as its first payment in the
same reorganisation).

**fluxnodestatus**, only with -fluxnode: this node's own entry whenever its location, tier, heights or ip
changed since the last message (and at the first tip): LE32 height, location (1 started, 2 DoS, 3
confirmed, 5 expired: in no list) and tier bytes, LE32 confirmed, last confirmed and last paid heights,
the outpoint (txid display order, LE32 n) and the ip (compact size + bytes).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from fluxd.chainstate.fluxnodes.records import CONFIRMED, FluxnodeRecord
from fluxd.core.tx_parts import OutPoint
from fluxd.util.serialize import Writer

FLUXNODE_TX_EXPIRED = 5  # C++ location of an outpoint in no list
NULL_OUTPOINT = OutPoint(b"\x00" * 32, 0xFFFFFFFF)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value & 0xFFFFFFFF)


def _outpoint(outpoint: OutPoint) -> bytes:
    return outpoint.txid_rev[::-1] + _u32(outpoint.n)


def _var_bytes(data: bytes) -> bytes:
    writer = Writer()
    writer.var_bytes(data)
    return writer.getvalue()


def _compact_size(count: int) -> bytes:
    writer = Writer()
    writer.compact_size(count)
    return writer.getvalue()


def node_entry(record: FluxnodeRecord) -> bytes:
    """One added or updated node of the delta."""
    return b"".join((
        _outpoint(record.collateral), _var_bytes(record.collateral_pubkey), _var_bytes(record.operator_pubkey),
        _u32(record.confirmed_height), _u32(record.last_paid_height),
        bytes([record.tier & 0xFF, record.status & 0xFF]), _var_bytes(record.ip.encode("utf-8", "surrogateescape")),
    ))  # fmt: skip


def _order(outpoint: OutPoint) -> tuple[bytes, int]:
    return outpoint.txid_rev, outpoint.n


@dataclass
class Delta:
    added: dict[OutPoint, FluxnodeRecord] = field(default_factory=dict)
    removed: set[OutPoint] = field(default_factory=set)
    updated: dict[OutPoint, FluxnodeRecord] = field(default_factory=dict)

    def body_tail(self) -> bytes:
        parts = [_compact_size(len(self.added))]
        parts += [node_entry(self.added[key]) for key in sorted(self.added, key=_order)]
        parts.append(_compact_size(len(self.removed)))
        parts += [_outpoint(key) for key in sorted(self.removed, key=_order)]
        parts.append(_compact_size(len(self.updated)))
        parts += [node_entry(self.updated[key]) for key in sorted(self.updated, key=_order)]
        return b"".join(parts)


def delta_header(from_height: int, to_height: int, from_hash_rev: bytes, to_hash_rev: bytes, reorg: bool) -> bytes:
    return _u32(from_height) + _u32(to_height) + from_hash_rev[::-1] + to_hash_rev[::-1] + bytes([1 if reorg else 0])


class DeltaTracker:
    """The fluxnodelistdelta notifier's state (publisher thread): where the last delta ended, and the confirmed
    records as of then."""

    def __init__(self) -> None:
        self.last_height: int | None = None  # None until the first tip after start-up
        self.reorg_from = None  # the old tip of a reorganisation since the last delta
        self.confirmed: dict[OutPoint, FluxnodeRecord] = {}

    def load(self, confirmed: list[FluxnodeRecord]) -> None:
        """The confirmed list when the records start being logged (start-up)."""
        self.confirmed = {record.collateral: record for record in confirmed}

    def on_reorg(self, old_tip) -> None:
        if self.last_height is not None:
            self.reorg_from = old_tip

    def changes(self, current: dict[OutPoint, FluxnodeRecord | None]) -> Delta:
        """Classify the changed collaterals' records now against the confirmed ones of the last delta, and
        take them as the new last."""
        delta = Delta()
        for outpoint, record in current.items():
            now = record if record is not None and record.status == CONFIRMED else None
            before = self.confirmed.get(outpoint)
            if now is not None and before is None:
                delta.added[outpoint] = now
            elif now is None and before is not None:
                delta.removed.add(outpoint)
            elif now is not None:
                delta.updated[outpoint] = now
        for outpoint in delta.removed:
            del self.confirmed[outpoint]
        self.confirmed.update(delta.added)
        self.confirmed.update(delta.updated)
        return delta

    def start(self, tip, current: dict[OutPoint, FluxnodeRecord | None]) -> None:
        """The first tip after start-up: nothing is sent (C++ 'skipping first delta')."""
        self.changes(current)
        self.last_height, self.reorg_from = tip.height, None

    def body(self, tip, from_entry, current: dict[OutPoint, FluxnodeRecord | None]) -> tuple[bytes, Delta] | None:
        """The delta up to ``tip``; ``from_entry``: the active chain's block at ``last_height`` (None if gone)."""
        source = self.reorg_from if self.reorg_from is not None else from_entry
        reorg = self.reorg_from is not None
        self.reorg_from = None
        delta = self.changes(current)
        if source is None:
            return None  # C++ "FluxNode delta skipped (null block index)"
        header = delta_header(self.last_height, tip.height, source.hash_rev, tip.hash_rev, reorg)
        self.last_height = tip.height
        return header + delta.body_tail(), delta


@dataclass
class StatusTracker:
    """The fluxnodestatus notifier's last message (publisher thread)."""

    last: tuple | None = None

    @staticmethod
    def fields(record: FluxnodeRecord | None) -> tuple:
        if record is None:
            return (FLUXNODE_TX_EXPIRED, 0, 0, 0, 0, "")
        return (record.status, record.tier, record.confirmed_height, record.last_confirmed_height,
                record.last_paid_height, record.ip)  # fmt: skip

    def body(self, height: int, outpoint: OutPoint | None, record: FluxnodeRecord | None) -> tuple | None:
        """(body, fields) when anything changed since the last message sent, else None."""
        fields = self.fields(record)
        if fields == self.last:
            return None
        location, tier, confirmed, last_confirmed, last_paid, ip = fields
        body = b"".join((
            _u32(height), bytes([location & 0xFF, tier & 0xFF]), _u32(confirmed), _u32(last_confirmed), _u32(last_paid),
            _outpoint(outpoint or NULL_OUTPOINT), _var_bytes(ip.encode("utf-8", "surrogateescape")),
        ))  # fmt: skip
        return body, fields

    def sent(self, fields: tuple) -> None:
        self.last = fields
