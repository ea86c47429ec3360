"""The spent index (C++ insightexplorer spent index: txdb.cpp DB_SPENTINDEX 'p', spentindex.h).

An index module: for every transparent output spent on the active chain, the
spending transaction, its input index and height, and what the output was (its
value and, for P2PKH / P2SH scripts, the address type and hash160; type 0 and
zeros otherwise, as C++).  Disconnecting a block erases the records of its
inputs, so no undo record is kept.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from fluxd.chainstate.address_index import spending_transactions, spent_address_keys
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import BYTES, Column, StateReader, StateWriter, layer_writes
from fluxd.core.tx_parts import OutPoint

FAMILY = "spentindex"
SPENT_COLUMN = Column("spentindex.spent", family=FAMILY, prefix=b"p", key=BYTES, value=BYTES)
_VALUE = struct.Struct("<32sIIqB20s")  # spending txid_rev, input index, height, satoshis, address type, hash160
NO_ADDRESS = bytes(21)


@dataclass(frozen=True, slots=True)
class SpentInfo:
    """C++ CSpentIndexValue."""

    txid_rev: bytes  # the spending transaction
    input_index: int
    height: int
    satoshis: int
    address_key: bytes  # type ‖ hash160; 21 zero bytes for other scripts

    @property
    def address_type(self) -> int:
        return self.address_key[0]

    def to_bytes(self) -> bytes:
        return _VALUE.pack(self.txid_rev, self.input_index, self.height, self.satoshis, self.address_key[0], self.address_key[1:])

    @classmethod
    def from_bytes(cls, data: bytes) -> "SpentInfo":
        txid_rev, input_index, height, satoshis, kind, hash160 = _VALUE.unpack(data)
        return cls(txid_rev, input_index, height, satoshis, bytes((kind,)) + hash160)


def spent_key(outpoint_txid_rev: bytes, index: int) -> bytes:
    return outpoint_txid_rev + index.to_bytes(4, "little")


class SpentIndex:
    """An index module: C++ ConnectBlock / DisconnectBlock with fSpentIndex."""

    name = "spentindex"
    kind = "index"
    columns = (SPENT_COLUMN,)

    def connect_block(self, context: BlockContext, state: StateWriter) -> None:
        """SpentInfo(...).to_bytes() of every input, packed in place, written straight into the top layer (BYTES codecs)."""
        height = context.height
        writes = layer_writes(state.top, SPENT_COLUMN)
        prefix, pack = SPENT_COLUMN.prefix, _VALUE.pack
        for (_, tx, coins), keys in zip(spending_transactions(context), spent_address_keys(context)):
            txid_rev = tx.txid_rev
            for index, (txin, coin, address) in enumerate(zip(tx.vin, coins, keys)):
                address = address or NO_ADDRESS
                prevout = txin.prevout
                writes[prefix + prevout.txid_rev + prevout.n.to_bytes(4, "little")] = pack(txid_rev, index, height, coin.value, address[0], address[1:])
        return None

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        for _, tx, _coins in spending_transactions(context):
            for txin in tx.vin:
                state.delete(SPENT_COLUMN, spent_key(txin.prevout.txid_rev, txin.prevout.n))


def spent_info(reader: StateReader, outpoint: OutPoint) -> SpentInfo | None:
    """C++ GetSpentIndex (the database part): who spent ``outpoint`` on the active chain."""
    raw = reader.get(SPENT_COLUMN, spent_key(outpoint.txid_rev, outpoint.n))
    return None if raw is None else SpentInfo.from_bytes(raw)
