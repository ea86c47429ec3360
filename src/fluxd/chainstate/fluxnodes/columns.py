"""The fluxnode list's columns and key layouts (all in the ``ext`` family).

- ``NODES``: outpoint → record (one per collateral: started, DoS-listed or confirmed);
- ``QUEUE``: status ‖ added height (u32 BE) ‖ outpoint → b"": started and DoS entries by age;
- ``LAST_CONFIRMED``: last confirmed height (u32 BE) ‖ outpoint → b"": confirmed nodes by age of their last confirm;
- ``PAY_ORDER``: tier ‖ compared height (u32 BE) ‖ paid ‖ txid_rev ‖ n (u32 BE) → b"": confirmed nodes in
  C++ payout order (FluxnodeListData::operator<), so the next payee of a tier is its first key;
- ``DELEGATES``: outpoint → the stored delegate starting keys.

An outpoint is ``txid_rev ‖ n (u32 LE)``, the wire form.
"""

from __future__ import annotations

from fluxd.chainstate.fluxnodes.records import FluxnodeRecord
from fluxd.chainstate.state_columns import BYTES, Column
from fluxd.core.tx_parts import OutPoint

NODES = Column("fluxnodes.node", family="ext", prefix=b"fn/n", key=BYTES, value=BYTES)
QUEUE = Column("fluxnodes.queue", family="ext", prefix=b"fn/q", key=BYTES, value=BYTES)
LAST_CONFIRMED = Column("fluxnodes.last_confirmed", family="ext", prefix=b"fn/c", key=BYTES, value=BYTES)
PAY_ORDER = Column("fluxnodes.pay_order", family="ext", prefix=b"fn/p", key=BYTES, value=BYTES)
DELEGATES = Column("fluxnodes.delegates", family="ext", prefix=b"fn/d", key=BYTES, value=BYTES)
ALL_COLUMNS = (NODES, QUEUE, LAST_CONFIRMED, PAY_ORDER, DELEGATES)


def outpoint_key(collateral: OutPoint) -> bytes:
    return collateral.txid_rev + collateral.n.to_bytes(4, "little")


def outpoint_from_key(key: bytes) -> OutPoint:
    return OutPoint(key[:32], int.from_bytes(key[32:36], "little"))


def queue_key(status: int, added_height: int, collateral: OutPoint) -> bytes:
    return bytes([status]) + added_height.to_bytes(4, "big") + outpoint_key(collateral)


def last_confirmed_key(record: FluxnodeRecord) -> bytes:
    return record.last_confirmed_height.to_bytes(4, "big") + outpoint_key(record.collateral)


def pay_order_key(record: FluxnodeRecord) -> bytes:
    compared, paid, txid_rev, n = record.payment_key()
    return bytes([record.tier]) + compared.to_bytes(4, "big") + bytes([paid]) + txid_rev + n.to_bytes(4, "big")


def pay_order_outpoint(key: bytes) -> OutPoint:
    return OutPoint(key[6:38], int.from_bytes(key[38:42], "big"))
