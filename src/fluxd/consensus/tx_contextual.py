"""The contextual transaction rules (C++ ContextualCheckTransaction, ContextualCheckBlock's transaction part,
IsFinalTx, CheckTxInputs' value rules; CONSENSUS_TRANSACTIONS.md §3.3-3.5, §4).

Pure functions of the parameters, the height and the transaction (and, for the
input rules, the coins it spends: anything with ``value``, ``height`` and
``is_coinbase``); the chainstate's connect and the mempool call them.
"""

from __future__ import annotations

from fluxd.consensus.coinbase import check_coinbase_value, check_required_outputs, required_outputs
from fluxd.consensus.shielded.verify import check_shielded_signatures
from fluxd.consensus.validation import ValidationError, reject
from fluxd.core.amount import money_range
from fluxd.core.block import Block
from fluxd.core.fluxnode_tx import (
    FLUXNODE_INTERNAL_NORMAL_TX_VERSION,
    FLUXNODE_INTERNAL_P2SH_TX_VERSION,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    has_delegates_feature,
)
from fluxd.core.script import push_int
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, current_epoch_branch_id, network_upgrade_active

COINBASE_MATURITY = 100
LOCKTIME_THRESHOLD = 500_000_000
MAX_TX_SIZE_BEFORE_SAPLING = 100_000
BIP34_HEIGHT = 20


def is_final_tx(tx: Transaction, height: int, block_time: int) -> bool:
    if tx.lock_time == 0:
        return True
    threshold = height if tx.lock_time < LOCKTIME_THRESHOLD else block_time
    if tx.lock_time < threshold:
        return True
    return all(txin.sequence == 0xFFFFFFFF for txin in tx.vin)


def contextual_check_transaction(params: ChainParams, tx: Transaction, height: int, dos: int = 100,
                                 joinsplit_sig_dos: int = 100, shielded: bool = True) -> None:
    """ContextualCheckTransaction in C++ order (``dos`` is its dosLevel: 100 in blocks; ``joinsplit_sig_dos``
    the joinSplitSig failure's, 0 during initial block download; ``shielded=False`` leaves the shielded
    signature and proof checks to the caller)."""
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
    if shielded:
        check_shielded_signatures(tx, current_epoch_branch_id(params, height), joinsplit_sig_dos)


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


def contextual_check_block_transactions(params: ChainParams, block: Block, height: int, shielded: bool = True) -> None:
    """ContextualCheckBlock after its PoN part: every transaction by height, finality at the block's time, then BIP34."""
    for tx in block.transactions:
        contextual_check_transaction(params, tx, height, shielded=shielded)
        if not is_final_tx(tx, height, block.header.time):
            reject("bad-txns-nonfinal", 10)
    if height > BIP34_HEIGHT and not block.transactions[0].vin[0].script_sig.startswith(push_int(height)):
        reject("bad-cb-height")


def check_coinbase_amount(params: ChainParams, block: Block, height: int, fees: int) -> None:
    """ConnectBlock's bad-cb-amount (consensus/coinbase.py)."""
    check_coinbase_value(required_outputs(params, height, fees), block.transactions[0], height)


def value_in(params: ChainParams, tx: Transaction, spent: list[Coin], height: int) -> int:
    """The CheckTxInputs part over the spent coins: maturity, protected coinbase (before FLUX), value ranges."""
    value_in = 0
    for coin in spent:
        if coin.is_coinbase and height - coin.height < COINBASE_MATURITY:
            reject("bad-txns-premature-spend-of-coinbase", 0)
        if coin.is_coinbase and tx.vout and coinbase_protected(params, height):
            reject("bad-txns-coinbase-spend-has-transparent-outputs", 0)
        value_in += coin.value
        if not money_range(coin.value) or not money_range(value_in):
            reject("bad-txns-inputvalues-outofrange")
    return value_in


def coinbase_protected(params: ChainParams, height: int) -> bool:
    return params.coinbase_must_be_protected and not network_upgrade_active(params, height, Upgrade.FLUX)


def tx_fee(tx: Transaction, value_in: int) -> int:
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
