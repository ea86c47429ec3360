"""C++ TestBlockValidity: every block check against the current tip, without storing or connecting anything.

Used by the block assembler (a template must be valid, C++ checks it with
PoW, merkle root and PoN signature checks off) and by getblocktemplate's
``proposal`` mode (merkle root and PoN signature on, PoW off).  Raises the
ValidationError of the first broken rule.
"""

from __future__ import annotations

from fluxd.chainstate.coins import CoinsCache
from fluxd.chainstate.connect import connect_transactions
from fluxd.chainstate.fluxnodes.attach import next_block_payees
from fluxd.consensus.coinbase import check_fluxnode_payouts
from fluxd.consensus.tx_contextual import contextual_check_block_transactions
from fluxd.consensus.block_check import check_block, contextual_check_block_header, contextual_check_pon_block
from fluxd.consensus.validation import ValidationError, reject
from fluxd.core.block import Block
from fluxd.params.upgrades import is_pon_active


def check_block_validity(
    chainstate,
    block: Block,
    check_pow: bool = False,
    check_merkle_root: bool = True,
    check_pon_signature: bool = True,
) -> None:
    """ContextualCheckBlockHeader, CheckBlock, ContextualCheckBlock and ConnectBlock in a scratch coins view."""
    prev = chainstate.tip
    if block.header.prev_block_rev != prev.hash_rev:
        raise ValidationError("inconclusive-not-best-prevblk", 0)
    params, now, tip_height = chainstate.params, chainstate.now(), chainstate.height
    height = prev.height + 1
    checkpoint_known = (lambda hash_rev: chainstate.view().lookup(hash_rev) is not None) if chainstate.checkpoints_enabled else None
    contextual_check_block_header(params, block.header, prev, tip_height, checkpoint_known)
    checked = block if check_merkle_root else _with_own_merkle_root(block)
    # CheckBlock's fluxnode signatures against the list (C++ g_fluxnodeCache): a START signed by a delegate key
    check_block(params, checked, now, tip_height, check_pow, keys=chainstate.fluxnodes)
    _contextual_check_pon(chainstate, block, height, check_pon_signature)
    contextual_check_block_transactions(params, block, height)  # ContextualCheckBlock, before ConnectBlock
    _check_fluxnode_payouts(chainstate, block, height)
    connect_transactions(params, block, height, CoinsCache(chainstate.get_coin), True, chainstate.verifier,
                         contextually_checked=True)  # fmt: skip


def _check_fluxnode_payouts(chainstate, block: Block, height: int) -> None:
    """ConnectBlock's CheckFluxnodePayout (fJustCheck too): the payees of the writer's list, before the txs."""
    if chainstate.module("fluxnodes") is None or height < chainstate.params.start_fluxnode_payments_height:
        return
    check_fluxnode_payouts(chainstate.params, height, block.transactions[0], next_block_payees(chainstate))


def _with_own_merkle_root(block: Block) -> Block:
    """fCheckMerkleRoot=false: the root is taken as whatever the transactions give."""
    root, _mutated = block.compute_merkle_root()
    if root == block.header.merkle_root_rev:
        return block
    return Block(block.header.copy_with(merkle_root_rev=root), block.transactions)


def _contextual_check_pon(chainstate, block: Block, height: int, check_signature: bool) -> None:
    params = chainstate.params
    if check_signature:
        contextual_check_pon_block(params, block.header, height, chainstate.height, chainstate.fluxnodes)
    elif is_pon_active(params, height) and not block.header.is_pon:  # the rest was ContextualCheckBlockHeader's
        reject("not-pon-block")
