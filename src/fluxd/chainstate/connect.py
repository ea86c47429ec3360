"""Applying a block's transparent rules to the coin set (C++ ConnectBlock's state part, HaveInputs, BIP30).

The rules themselves are in ``consensus/`` (``tx_contextual.py``, ``coinbase.py``, sigops, scripts);
this module fetches and spends the coins they judge (CONSENSUS_TRANSACTIONS.md §5.1, §5.3).  ``connect_transactions``
works on a CoinsCache layered over the committed coins: on success the cache
holds the block's changes and the returned BlockUndo restores them; on
failure it raises ValidationError and the caller drops the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.coins import Coin, CoinsCache
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.script_workers import PendingChecks
from fluxd.chainstate.undo import BlockUndo
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch
from fluxd.consensus.script_errors import BLOCK_SCRIPT_VERIFY_FLAGS
from fluxd.consensus.sigops import MAX_BLOCK_SIGOPS, legacy_sigop_count, p2sh_tx_sigop_count
from fluxd.consensus.tx_contextual import check_coinbase_amount, contextual_check_block_transactions, tx_fee, value_in
from fluxd.consensus.validation import ValidationError, reject
from fluxd.core.block import Block
from fluxd.core.script import is_p2sh
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import current_epoch_branch_id



@dataclass(frozen=True)
class ConnectResult:
    undo: BlockUndo
    fees: int
    tx_count: int
    scripts: PendingChecks | None = None  # the block's script checks, maybe still running

    def check_scripts(self) -> None:
        """Wait for the script checks; raises ValidationError as C++ ConnectBlock after control.Wait()."""
        failure = self.scripts.failure() if self.scripts is not None else None
        if failure is not None:
            raise ValidationError(f"mandatory-script-verify-flag-failed ({failure.error.message})", 100)


def _fetch_inputs(tx: Transaction, coins: CoinsCache) -> list[Coin]:
    """HaveInputs: every prevout must be an unspent coin."""
    spent = [coins.get_coin(txin.prevout) for txin in tx.vin]
    if any(coin is None for coin in spent):
        reject("bad-txns-inputs-missingorspent", 0)
    return spent


def _p2sh_sigops(tx: Transaction, spent: list[Coin]) -> int:
    if not any(is_p2sh(coin.script_pubkey) for coin in spent):
        return 0  # what p2sh_tx_sigop_count would count, without its prevout map
    scripts = {txin.prevout: coin.script_pubkey for txin, coin in zip(tx.vin, spent)}
    return p2sh_tx_sigop_count(tx, scripts.__getitem__)


def _check_bip30(block: Block, coins: CoinsCache) -> list[OutPoint]:
    """No transaction may overwrite one with unspent outputs (checked for the whole block first, as C++).

    Returns every outpoint the block creates, in order, for the connect loop to reuse.
    """
    created = [OutPoint(tx.txid_rev, index) for tx in block.transactions for index in range(len(tx.vout))]
    if coins.any_unspent(created):
        reject("bad-txns-BIP30")
    return created


def connect_transactions(
    params: ChainParams,
    block: Block,
    height: int,
    coins: CoinsCache,
    verify_scripts: bool,
    verifier: ScriptVerifier | None = None,
    wait_for_scripts: bool = True,
    contextually_checked: bool = False,
    legacy_sigops: list[int] | None = None,
) -> ConnectResult:
    """Spend and create coins for every transaction; raises ValidationError on the first broken rule.

    With ``wait_for_scripts=False`` the script checks may still be running when
    this returns: the caller must call ``check_scripts()`` on the result before
    it relies on the block.  ``contextually_checked``: AcceptBlock has just run
    ContextualCheckBlock on this very block at this height (C++ runs it again here; same result).
    ``legacy_sigops``: the per-transaction counts CheckBlock returned for this block.
    """
    branch_id = current_epoch_branch_id(params, height)
    if not contextually_checked:
        contextual_check_block_transactions(params, block, height)
    created = iter(_check_bip30(block, coins))
    fees, sigops = 0, 0
    spent_per_tx: list[tuple[Coin, ...]] = []
    batches: list[TxScriptBatch] = []
    spend_coin, add_coin = coins.spend_coin, coins.add_coin
    counts = legacy_sigops if legacy_sigops is not None else [legacy_sigop_count(tx) for tx in block.transactions]
    for tx, legacy in zip(block.transactions, counts):
        sigops += legacy
        if sigops > MAX_BLOCK_SIGOPS:
            reject("bad-blk-sigops")
        coinbase = tx.is_coinbase()
        if not coinbase and not tx.is_fluxnode_tx():
            spent = _fetch_inputs(tx, coins)
            sigops += _p2sh_sigops(tx, spent)
            if sigops > MAX_BLOCK_SIGOPS:
                reject("bad-blk-sigops")
            fees += tx_fee(tx, value_in(params, tx, spent, height))
            if verify_scripts:
                outputs = tuple([SpentOutput(coin.script_pubkey, coin.value) for coin in spent])
                batches.append(TxScriptBatch(tx, outputs, BLOCK_SCRIPT_VERIFY_FLAGS, branch_id))
            for txin in tx.vin:
                spend_coin(txin.prevout)
            spent_per_tx.append(tuple(spent))
        version = tx.version
        for output in tx.vout:
            add_coin(next(created), Coin(output.value, output.script_pubkey, height, coinbase, version))
    check_coinbase_amount(params, block, height, fees)
    scripts = (verifier or ScriptVerifier()).submit(batches) if batches else None
    result = ConnectResult(BlockUndo(tuple(spent_per_tx)), fees, len(block.transactions), scripts)
    if wait_for_scripts:
        result.check_scripts()
    return result


def disconnect_transactions(block: Block, undo: BlockUndo, coins: CoinsCache) -> None:
    """Remove the block's outputs and restore the coins its inputs spent (in reverse order)."""
    spending = [tx for tx in block.transactions if not tx.is_coinbase() and not tx.is_fluxnode_tx()]
    if len(spending) != len(undo.spent_coins):
        raise ValueError("undo data does not match the block")
    restores = dict(zip((id(tx) for tx in spending), undo.spent_coins))
    for tx in reversed(block.transactions):
        for index in range(len(tx.vout)):
            coins.spend_coin(OutPoint(tx.txid_rev, index))
        if id(tx) in restores:
            for txin, coin in zip(tx.vin, restores[id(tx)]):
                coins.add_coin(txin.prevout, coin, possible_overwrite=True)
