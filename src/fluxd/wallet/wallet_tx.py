"""A transaction the wallet keeps (C++ CWalletTx / CMerkleTx), and its rows in the wallet file.

The block a transaction was seen in (``block_hash_rev`` and its position) is
kept when that block is disconnected, as C++ does: its depth is computed when
asked, from the chain view and the mempool (C++ GetDepthInMainChain), so a
reorganisation needs no rewrite of the wallet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.transaction import Transaction
from fluxd.wallet.wallet_file import TxRow


@dataclass(eq=False)
class WalletTx:
    tx: Transaction
    block_hash_rev: bytes | None = None
    block_index: int = -1
    time_received: int = 0
    time_smart: int = 0
    order_pos: int = 0
    from_me: bool = False
    map_value: dict = field(default_factory=dict)  # "comment", "to", "fromaccount", ...

    @property
    def txid_rev(self) -> bytes:
        return self.tx.txid_rev

    @property
    def txid_hum(self) -> str:
        return self.tx.txid_hum

    @property
    def is_coinbase(self) -> bool:
        return self.tx.is_coinbase()

    @property
    def tx_time(self) -> int:
        """GetTxTime: the smart time when known, else the time received."""
        return self.time_smart or self.time_received

    def to_row(self) -> TxRow:
        return TxRow(
            self.txid_rev, self.tx.to_bytes(), self.block_hash_rev, self.block_index, self.time_received,
            self.time_smart, self.order_pos, self.from_me, dict(self.map_value),
        )

    @classmethod
    def from_row(cls, row: TxRow) -> "WalletTx":
        tx = Transaction.from_bytes(row.raw)
        return cls(
            tx, row.block_hash_rev, row.block_index, row.time_received, row.time_smart, row.order_pos,
            row.from_me, dict(row.map_value),
        )
