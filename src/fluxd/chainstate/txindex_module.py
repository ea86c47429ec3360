"""The transaction index (-txindex) as an index module: txid -> (block hash, position in the block).

C++ keeps CDiskTxPos records in the block-tree DB; ours name the block and the
transaction's position in it, written when a block becomes the tip and erased
when it is disconnected.
"""

from __future__ import annotations

from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import Column, StateReader, StateWriter, fixed_bytes

TXINDEX_COLUMN = Column("txindex", family="txindex", prefix=b"", key=fixed_bytes(32), value=fixed_bytes(36))


class TxIndex:
    name = "txindex"
    kind = "index"
    columns = (TXINDEX_COLUMN,)

    def connect_block(self, context: BlockContext, state: StateWriter) -> None:
        block_hash_rev = context.entry.hash_rev
        records = ((tx.txid_rev, block_hash_rev + position.to_bytes(4, "little")) for position, tx in enumerate(context.block.transactions))
        state.put_many(TXINDEX_COLUMN, records)
        return None

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        for tx in context.block.transactions:
            state.delete(TXINDEX_COLUMN, tx.txid_rev)


def lookup(reader: StateReader, txid_rev: bytes) -> tuple[bytes, int] | None:
    """(block hash, position) of an indexed transaction, or None."""
    record = reader.get(TXINDEX_COLUMN, txid_rev)
    if record is None:
        return None
    return record[:32], int.from_bytes(record[32:36], "little")
