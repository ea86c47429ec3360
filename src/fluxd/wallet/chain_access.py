"""What the wallet asks of the chain and the mempool: depth, finality, block times (C++ GetDepthInMainChain).

``NodeChain`` answers from the chainstate's published view and the mempool;
tests give the wallet their own object with the same methods.
"""

from __future__ import annotations

from typing import Protocol

from fluxd.consensus.tx_contextual import COINBASE_MATURITY, is_final_tx
from fluxd.core.transaction import Transaction
from fluxd.wallet.wallet_tx import WalletTx


class ChainAccess(Protocol):
    def tip_height(self) -> int: ...

    def block_height(self, block_hash_rev: bytes) -> int | None:
        """The height of a block on the active chain, None when it is not on it."""

    def block_time(self, block_hash_rev: bytes) -> int | None: ...

    def in_mempool(self, txid_rev: bytes) -> bool: ...

    def now(self) -> int: ...


def depth_in_main_chain(chain: ChainAccess, wtx: WalletTx) -> int:
    """Confirmations; 0 unconfirmed in the mempool; -1 neither in the chain nor the mempool (conflicted)."""
    if wtx.block_hash_rev is not None and wtx.block_index >= 0:
        height = chain.block_height(wtx.block_hash_rev)
        if height is not None:
            return chain.tip_height() - height + 1
    return 0 if chain.in_mempool(wtx.txid_rev) else -1


def blocks_to_maturity(chain: ChainAccess, wtx: WalletTx) -> int:
    if not wtx.is_coinbase:
        return 0
    return max(0, COINBASE_MATURITY + 1 - depth_in_main_chain(chain, wtx))


def is_final(chain: ChainAccess, tx: Transaction) -> bool:
    """CheckFinalTx against the next block: tip height + 1 and the adjusted time."""
    return is_final_tx(tx, chain.tip_height() + 1, chain.now())


class NodeChain:
    """ChainAccess over a running node's chainstate view and mempool."""

    def __init__(self, chainstate, mempool_getter, clock) -> None:
        self._chainstate = chainstate
        self._mempool_getter = mempool_getter  # the mempool may start after the wallet
        self._clock = clock

    def tip_height(self) -> int:
        return self._chainstate.view().height

    def block_height(self, block_hash_rev: bytes) -> int | None:
        view = self._chainstate.view()
        entry = view.lookup(block_hash_rev)
        if entry is None or not view.contains(entry):
            return None
        return entry.height

    def block_time(self, block_hash_rev: bytes) -> int | None:
        entry = self._chainstate.view().lookup(block_hash_rev)
        return None if entry is None else entry.time

    def in_mempool(self, txid_rev: bytes) -> bool:
        pool = self._mempool_getter()
        return pool is not None and pool.get(txid_rev) is not None

    def now(self) -> int:
        return self._clock.now()
