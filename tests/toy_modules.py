"""Two small but real state modules for tests and benches: one consensus module, one index module.

``BlockCounter`` (consensus) counts connected blocks, keeps a record per block
height and per coinbase output script, and can refuse one chosen height.
``SpentValueIndex`` (index) records, for every transaction that spends coins,
the total value it spent, read from the block's undo (the spent coins).
"""

from __future__ import annotations

from fluxd.chainstate.state_columns import BYTES, Column, fixed_bytes, unsigned
from fluxd.consensus.validation import ValidationError

TOTAL = Column("counter.total", family="ext", prefix=b"counter/t", key=BYTES, value=unsigned(4, "big"))
HEIGHTS = Column("counter.heights", family="ext", prefix=b"counter/h", key=unsigned(4, "big"), value=fixed_bytes(32))
SPENT = Column("spentvalue.tx", family="ext", prefix=b"spentvalue/", key=fixed_bytes(32), value=unsigned(8, "little"))
TOTAL_KEY = b""


class BlockCounter:
    name = "counter"
    kind = "consensus"
    columns = (TOTAL, HEIGHTS)

    def __init__(self, refuse_height: int | None = None) -> None:
        self.refuse_height = refuse_height

    def connect_block(self, context, state) -> bytes:
        if context.height == self.refuse_height:
            raise ValidationError("bad-counter-height", 100)
        before = state.get(TOTAL, TOTAL_KEY)
        state.put(TOTAL, TOTAL_KEY, (before or 0) + 1)
        state.put(HEIGHTS, context.height, context.entry.hash_rev)
        return (before or 0).to_bytes(4, "big") if before is not None else b""

    def disconnect_block(self, context, undo: bytes | None, state) -> None:
        if undo:
            state.put(TOTAL, TOTAL_KEY, int.from_bytes(undo, "big"))
        else:
            state.delete(TOTAL, TOTAL_KEY)
        state.delete(HEIGHTS, context.height)


class SpentValueIndex:
    name = "spentvalue"
    kind = "index"
    columns = (SPENT,)

    def connect_block(self, context, state) -> None:
        spenders = [tx for tx in context.block.transactions if not tx.is_coinbase() and not tx.is_fluxnode_tx()]
        state.put_many(SPENT, ((tx.txid_rev, sum(coin.value for coin in spent)) for tx, spent in zip(spenders, context.undo.spent_coins)))
        return None

    def disconnect_block(self, context, undo: bytes | None, state) -> None:
        for tx in context.block.transactions:
            if not tx.is_coinbase():
                state.delete(SPENT, tx.txid_rev)


def counted(chainstate) -> int:
    return chainstate.state_reader().get(TOTAL, TOTAL_KEY) or 0


def module_state(chainstate) -> dict:
    """Every record of both toy modules as a reader sees them at the tip."""
    reader = chainstate.state_reader()
    return {column.name: list(reader.iterate(column)) for column in (TOTAL, HEIGHTS, SPENT)}
