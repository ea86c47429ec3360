"""C++ CreateNewBlock (miner.cpp): a block template on top of the tip, filled from the mempool.

The coinbase pays the subsidy plus the fees of the chosen transactions to the
given script, then the exchange / foundation / swap-pool outputs due at the
height.  There is no fluxnode list yet, so no tier is payable and, as in
C++'s FillBlockPayeeWithDeterministicPayouts when GetNextPayment finds no
node, the coinbase has no fluxnode outputs and the miner output keeps the
whole subsidy.

The header is left unsolved: nonce zero, no Equihash solution, and for PoN
the given collateral (null for getblocktemplate) and no signature.  PoW time
is max(MTP + 1, now) (UpdateTime); PoN time is ``enforce_time`` when given,
else now.  ``hashFinalSaplingRoot`` is the Sapling tree root after the tip:
chainstate keeps no Sapling tree yet, so it is the tip's own root, or the
empty tree's root when the tip carries none (a chain without any Sapling
block); transactions with Sapling outputs are left out of templates since
their commitments cannot be added to a root we do not have.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from fluxd.chainstate.block_index import BlockIndexEntry
from fluxd.chainstate.coins import Coin, CoinsCache
from fluxd.chainstate.shielded_state import ShieldedView
from fluxd.consensus.tx_contextual import COINBASE_MATURITY
from fluxd.consensus.difficulty import median_time_past, next_work_required
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch, check_batch
from fluxd.consensus.script_errors import MANDATORY_SCRIPT_VERIFY_FLAGS
from fluxd.consensus.sigops import legacy_sigop_count
from fluxd.chainstate.fluxnodes.attach import next_block_payees
from fluxd.consensus.coinbase import coinbase_outputs, required_outputs
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import address_to_script
from fluxd.core.block import PON_VERSION, Block, BlockHeader
from fluxd.core.merkle import block_merkle_root
from fluxd.core.opcodes import OP_0
from fluxd.core.script import push_int
from fluxd.core.transaction import SAPLING_TX_VERSION, SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, current_epoch_branch_id, is_pon_active, network_upgrade_active
from fluxd.rpc.block_validity import check_block_validity
from fluxd.rpc.tx_selection import InputsCheck, Selection, SelectionContext, SelectionLimits, select_transactions

log = logging.getLogger("fluxd.miner")

CURRENT_BLOCK_VERSION = 4  # CBlockHeader::CURRENT_VERSION
# SaplingMerkleTree::empty_root(), in wire order (display 3e49b5f9...c30f4c2fb)


@dataclass
class BlockTemplate:
    """C++ CBlockTemplate: the block and, per transaction, its fee (coinbase: minus the total) and sigops."""

    block: Block
    fees: list[int]
    sigops: list[int]
    prev: BlockIndexEntry
    size: int  # nLastBlockSize
    tx_count: int  # nLastBlockTx

    @property
    def height(self) -> int:
        return self.prev.height + 1


@dataclass(frozen=True)
class AssemblerSettings:
    limits: SelectionLimits = SelectionLimits()
    block_version: int = CURRENT_BLOCK_VERSION  # -blockversion (regtest only)

    @classmethod
    def from_args(cls, args, params: ChainParams) -> "AssemblerSettings":
        version = CURRENT_BLOCK_VERSION
        if params.mine_blocks_on_demand:
            version = args.get_int("-blockversion", CURRENT_BLOCK_VERSION) & 0xFFFFFFFF
            version = version - (1 << 32) if version >= 1 << 31 else version
        return cls(SelectionLimits.from_args(args), version)


def coinbase_transaction(params: ChainParams, height: int, script: bytes, fees: int,
                         fluxnode_payees: Sequence[tuple[bytes, int]] = ()) -> Transaction:  # fmt: skip
    """The coinbase CreateNewBlock builds: ``<height> OP_0``, the miner's share first, the fluxnode payees, the funding outputs."""
    outputs = coinbase_outputs(required_outputs(params, height, fees, fluxnode_payees), script)
    txin = TxIn(OutPoint.null(), push_int(height) + bytes([OP_0]), 0xFFFFFFFF)
    if network_upgrade_active(params, height, Upgrade.ACADIA):  # CreateNewContextualCMutableTransaction
        return Transaction(
            version=SAPLING_TX_VERSION, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID, vin=(txin,), vout=tuple(outputs)
        )
    return Transaction(version=1, vin=(txin,), vout=tuple(outputs))


def inputs_check(params: ChainParams, height: int) -> InputsCheck:
    """ContextualCheckInputs with MANDATORY_SCRIPT_VERIFY_FLAGS: coinbase maturity, amounts, then the scripts."""
    branch_id = current_epoch_branch_id(params, height)

    def check(tx: Transaction, spent: list[Coin]) -> bool:
        if any(coin.is_coinbase and height - coin.height < COINBASE_MATURITY for coin in spent):
            return False
        if _value_in(tx, spent) < _value_out(tx):
            return False
        outputs = tuple(SpentOutput(coin.script_pubkey, coin.value) for coin in spent)
        return check_batch(TxScriptBatch(tx, outputs, MANDATORY_SCRIPT_VERIFY_FLAGS, branch_id)) is None

    return check


def _value_in(tx: Transaction, spent: list[Coin]) -> int:
    return sum(coin.value for coin in spent) + sum(js.vpub_new for js in tx.joinsplits) + max(0, tx.value_balance)


def _value_out(tx: Transaction) -> int:
    return sum(out.value for out in tx.vout) + sum(js.vpub_old for js in tx.joinsplits) + max(0, -tx.value_balance)


def final_sapling_root(chainstate, transactions: Sequence[Transaction]) -> bytes:
    """CreateNewBlock: the tip's Sapling tree with the block's output commitments appended, its root."""
    view = ShieldedView(chainstate.state_reader())
    tree = view.tree_at("sapling", view.best_root("sapling"))
    for tx in transactions:
        for output in tx.shielded_outputs:
            tree.append(output.cmu)
    return tree.root()


def _pool_entries(mempool) -> list:
    return [] if mempool is None else list(mempool.ordered_for_block())


def select_for_block(params: ChainParams, chainstate, mempool, prev: BlockIndexEntry, limits: SelectionLimits) -> Selection:
    height = prev.height + 1
    context = SelectionContext(height, median_time_past(prev), CoinsCache(chainstate.get_coin), limits, inputs_check(params, height))
    return select_transactions(_pool_entries(mempool), context)


def create_new_block(
    chainstate,
    mempool,
    script: bytes,
    now: int,
    settings: AssemblerSettings = AssemblerSettings(),
    collateral: OutPoint | None = None,
    enforce_time: int = 0,
) -> BlockTemplate:
    """CreateNewBlock as one chain-writer command; raises ValidationError when the result fails TestBlockValidity."""
    return chainstate.run_command(_create_new_block, chainstate, mempool, script, now, settings, collateral, enforce_time)


def _create_new_block(chainstate, mempool, script, now, settings, collateral, enforce_time) -> BlockTemplate:
    params = chainstate.params
    prev = chainstate.tip
    height = prev.height + 1
    selection = select_for_block(params, chainstate, mempool, prev, settings.limits)
    for txid in selection.dropped_fluxnode_txs:
        mempool.remove(txid, recursive=False)
    coinbase = coinbase_transaction(params, height, script, selection.total_fees, next_block_payees(chainstate))
    transactions = (coinbase, *selection.transactions)
    header = _header(params, prev, transactions, now, settings, collateral, enforce_time,
                     final_sapling_root(chainstate, transactions))  # fmt: skip
    block = Block(header, transactions)
    if selection.transactions or not _valid_by_construction(params, height, script):
        try:
            check_block_validity(chainstate, block, check_pow=False, check_merkle_root=False, check_pon_signature=False)
        except ValidationError as failure:
            if failure.invalid_txid is not None and failure.invalid_txid in mempool:
                log.info("Removing transaction from mempool that is causing block to fail validity check. %s",
                         failure.invalid_txid[::-1].hex())
                mempool.remove(failure.invalid_txid, recursive=False)
            raise
    fees = [-selection.total_fees, *selection.fees]
    sigops = [legacy_sigop_count(coinbase), *selection.sigops]
    return BlockTemplate(block, fees, sigops, prev, selection.size, len(selection.transactions))


def _valid_by_construction(params: ChainParams, height: int, script: bytes) -> bool:
    """A coinbase-only block needs no second connect (C++ runs TestBlockValidity always), except under PoN
    when the coinbase does not pay the dev fund: C++ getblocktemplate then fails with
    ``tx-coinbase-missing-dev-funding`` (or ``bad-txns-not-paying-correct-fluxnodes``), so must we."""
    if not is_pon_active(params, height):
        return True
    return script == address_to_script(params.dev_fund_address, params.base58)


def _header(params, prev, transactions, now, settings, collateral, enforce_time, sapling_root: bytes) -> BlockHeader:
    height = prev.height + 1
    merkle_root, _ = block_merkle_root([tx.txid_rev for tx in transactions])
    pon = is_pon_active(params, height)
    if pon:
        block_time = enforce_time if enforce_time > 0 else now
    else:
        block_time = max(median_time_past(prev) + 1, now)  # UpdateTime
    header = BlockHeader(
        version=PON_VERSION if pon else settings.block_version,
        prev_block_rev=prev.hash_rev,
        merkle_root_rev=merkle_root,
        final_sapling_root_rev=sapling_root,
        time=block_time,
        bits=next_work_required(params, prev, block_time),
    )
    if pon:
        header = header.copy_with(collateral=collateral or OutPoint.null())
    return header


def update_time(template: BlockTemplate, params: ChainParams, now: int) -> None:
    """UpdateTime for a cached template: time max(MTP + 1, now); bits again where min-difficulty blocks exist."""
    header = template.block.header
    block_time = max(median_time_past(template.prev) + 1, now)
    bits = header.bits
    if params.pow_allow_min_difficulty_blocks_after_height is not None:
        bits = next_work_required(params, template.prev, block_time)
    template.block = Block(header.copy_with(time=block_time, bits=bits), template.block.transactions)

