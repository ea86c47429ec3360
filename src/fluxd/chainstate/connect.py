"""Applying a block's transparent rules to the coin set (C++ ConnectBlock, CheckTxInputs, ContextualCheck*).

CONSENSUS_TRANSACTIONS.md §3.3–3.5, §4, §5.1, §5.3.  ``connect_transactions``
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
from fluxd.consensus.coinbase import check_coinbase_value, check_required_outputs, required_outputs
from fluxd.consensus.validation import ValidationError, reject
from fluxd.core.amount import money_range
from fluxd.core.block import Block
from fluxd.core.script import is_p2sh, push_int
from fluxd.core.fluxnode_tx import (
    FLUXNODE_INTERNAL_NORMAL_TX_VERSION,
    FLUXNODE_INTERNAL_P2SH_TX_VERSION,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    has_delegates_feature,
)
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, current_epoch_branch_id, network_upgrade_active

COINBASE_MATURITY = 100
LOCKTIME_THRESHOLD = 500_000_000
MAX_TX_SIZE_BEFORE_SAPLING = 100_000
BIP34_HEIGHT = 20


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


def is_final_tx(tx: Transaction, height: int, block_time: int) -> bool:
    if tx.lock_time == 0:
        return True
    threshold = height if tx.lock_time < LOCKTIME_THRESHOLD else block_time
    if tx.lock_time < threshold:
        return True
    return all(txin.sequence == 0xFFFFFFFF for txin in tx.vin)


def contextual_check_transaction(params: ChainParams, tx: Transaction, height: int, dos: int = 100) -> None:
    """ContextualCheckTransaction in C++ order (``dos`` is its dosLevel: 100 in blocks)."""
    if tx.is_coinbase():
        check_required_outputs(required_outputs(params, height), tx, dos)
    acadia = network_upgrade_active(params, height, Upgrade.ACADIA)
    if not acadia and tx.overwintered:
        reject("tx-overwinter-not-active", dos)
    if tx.is_fluxnode_tx():
        try:
            _check_fluxnode_activation(params, tx, height, dos)
        except ValidationError as failure:
            raise failure.blaming(tx.txid_rev)  # C++ DoSTx
        return
    if acadia:
        _check_sapling_format(tx, height, dos)
    elif len(tx.to_bytes()) > MAX_TX_SIZE_BEFORE_SAPLING:
        reject("bad-txns-oversize")
    if network_upgrade_active(params, height, Upgrade.FLUX) and tx.vin and (tx.joinsplits or tx.shielded_outputs):
        reject("bad-txns-fluxrebrand-vprivacy-not-empty", 10)


def _check_fluxnode_activation(params: ChainParams, tx: Transaction, height: int, dos: int) -> None:
    if not network_upgrade_active(params, height, Upgrade.KAMATA):
        reject("tx-fluxnodes-not-active", dos)
    if tx.version != FLUXNODE_TX_UPGRADEABLE_VERSION:
        return
    if not network_upgrade_active(params, height, Upgrade.P2SHNODES):
        reject("tx-p2shnodes-not-active", dos)
    flux_tx_version = getattr(tx.fluxnode, "flux_tx_version", None)  # v6 CONFIRMs carry none (§9.8)
    if flux_tx_version is not None and not network_upgrade_active(params, height, Upgrade.PON):
        if flux_tx_version not in (FLUXNODE_INTERNAL_NORMAL_TX_VERSION, FLUXNODE_INTERNAL_P2SH_TX_VERSION):
            reject("tx-bit-features-not-active", dos)
        if has_delegates_feature(flux_tx_version):
            reject("tx-delegates-not-active", dos)


def _check_sapling_format(tx: Transaction, height: int, dos: int) -> None:
    """From ACADIA every ordinary transaction is a v4 Sapling transaction and not expired."""
    if tx.version >= 4 and not tx.overwintered:
        reject("tx-overwintered-flag-not-set", dos)
    if tx.overwintered and tx.version_group_id != SAPLING_VERSION_GROUP_ID:
        reject("bad-sapling-tx-version-group-id", dos)
    if tx.overwintered and tx.version < 4:
        reject("bad-tx-sapling-version-too-low")
    if tx.overwintered and tx.version > 4:
        reject("bad-tx-sapling-version-too-high")
    if not tx.overwintered:
        reject("tx-sapling-active", dos)
    if _is_expired(tx, height):
        reject("tx-sapling-expired", dos if _is_expired(tx, height - 1) else 0)


def _is_expired(tx: Transaction, height: int) -> bool:
    return tx.expiry_height != 0 and not tx.is_coinbase() and height > tx.expiry_height


def check_coinbase_amount(params: ChainParams, block: Block, height: int, fees: int) -> None:
    """ConnectBlock's bad-cb-amount (consensus/coinbase.py)."""
    check_coinbase_value(required_outputs(params, height, fees), block.transactions[0], height)


def _fetch_inputs(tx: Transaction, coins: CoinsCache) -> list[Coin]:
    """HaveInputs: every prevout must be an unspent coin."""
    spent = [coins.get_coin(txin.prevout) for txin in tx.vin]
    if any(coin is None for coin in spent):
        reject("bad-txns-inputs-missingorspent", 0)
    return spent


def _value_in(params: ChainParams, tx: Transaction, spent: list[Coin], height: int) -> int:
    """The CheckTxInputs part over the spent coins: maturity, protected coinbase (before FLUX), value ranges."""
    value_in = 0
    for coin in spent:
        if coin.is_coinbase and height - coin.height < COINBASE_MATURITY:
            reject("bad-txns-premature-spend-of-coinbase", 0)
        if coin.is_coinbase and tx.vout and _coinbase_protected(params, height):
            reject("bad-txns-coinbase-spend-has-transparent-outputs", 0)
        value_in += coin.value
        if not money_range(coin.value) or not money_range(value_in):
            reject("bad-txns-inputvalues-outofrange")
    return value_in


def _coinbase_protected(params: ChainParams, height: int) -> bool:
    return params.coinbase_must_be_protected and not network_upgrade_active(params, height, Upgrade.FLUX)


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


def contextual_check_block_transactions(params: ChainParams, block: Block, height: int) -> None:
    """ContextualCheckBlock after its PoN part: every transaction by height, finality at the block's time, then BIP34."""
    for tx in block.transactions:
        contextual_check_transaction(params, tx, height)
        if not is_final_tx(tx, height, block.header.time):
            reject("bad-txns-nonfinal", 10)
    if height > BIP34_HEIGHT and not block.transactions[0].vin[0].script_sig.startswith(push_int(height)):
        reject("bad-cb-height")


def _tx_fee(tx: Transaction, value_in: int) -> int:
    value_out = sum([out.value for out in tx.vout])
    if tx.joinsplits or tx.value_balance:
        value_in += sum(js.vpub_new for js in tx.joinsplits) + max(0, tx.value_balance)
        value_out += sum(js.vpub_old for js in tx.joinsplits) + max(0, -tx.value_balance)
    if value_in < value_out:
        reject("bad-txns-in-belowout")
    fee = value_in - value_out
    if not money_range(fee):
        reject("bad-txns-fee-outofrange")
    return fee


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
            fees += _tx_fee(tx, _value_in(params, tx, spent, height))
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
