"""AcceptToMemoryPool (C++ main.cpp ~L2031), in the C++ order of checks.

A rejection raises ``MempoolRejected``.  Like C++ it comes in three kinds:
``invalid`` (a reject code and reason: sendrawtransaction answers -26
"<code>: <reason>", a peer may be penalised by ``dos``), ``missing_inputs``
(an orphan: -25 "Missing inputs"), or a plain refusal whose ``reason`` may be
empty (C++ ``return false`` / ``state.Error``: -25 with that text).
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.chainstate import Chainstate
from fluxd.chainstate.coins import Coin
from fluxd.chainstate.shielded_state import ShieldedView, have_shielded_requirements
from fluxd.consensus.tx_contextual import COINBASE_MATURITY, contextual_check_transaction, is_final_tx
from fluxd.consensus.script_check import SpentOutput, TxScriptBatch, check_batch
from fluxd.consensus.script_errors import STANDARD_NOT_MANDATORY_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS
from fluxd.consensus.sigops import legacy_sigop_count, p2sh_tx_sigop_count
from fluxd.consensus.tx_check import check_transaction
from fluxd.mempool.fluxnode_rules import check_against_list, update_confirm_due
from fluxd.consensus.validation import REJECT_INVALID, ValidationError
from fluxd.core.amount import money_range
from fluxd.core.fluxnode_tx import FLUXNODE_CONFIRM_TX_TYPE, FLUXNODE_START_TX_TYPE
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.free_limiter import FreeRelayLimiter
from fluxd.mempool.policy import ABSURD_FEE_FACTOR, MAX_STANDARD_TX_SIGOPS, inputs_standard, min_relay_fee, nonstandard_reason, relay_fee
from fluxd.mempool.pool import MEMPOOL_HEIGHT, Mempool, MempoolEntry, tx_nullifiers
from fluxd.params.fluxnode_tiers import tier_from_collateral
from fluxd.params.upgrades import current_epoch_branch_id

REJECT_NONSTANDARD = 0x40
REJECT_DUPLICATE = 0x12
REJECT_INSUFFICIENTFEE = 0x42
TX_EXPIRING_SOON_THRESHOLD = 3
FLUXNODE_MAX_SIG_TIME = 3600
FLUXNODE_MIN_CONFIRMATION = 100


class MempoolRejected(Exception):
    def __init__(self, reason: str, code: int = 0, dos: int = 0, invalid: bool = True, missing_inputs: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.dos = dos
        self.invalid = invalid
        self.missing_inputs = missing_inputs


def _refuse(reason: str = "") -> MempoolRejected:
    return MempoolRejected(reason, invalid=False)


@dataclass
class AcceptContext:
    """What one acceptance needs: the pool, the chain, the clock and the caller's options."""

    pool: Mempool
    chainstate: Chainstate
    now: int  # adjusted network time
    limit_free: bool = True  # peers: True; sendrawtransaction: False
    reject_absurd_fee: bool = True
    free_limiter: FreeRelayLimiter | None = None


def accept_to_memory_pool(context: AcceptContext, tx: Transaction) -> MempoolEntry:
    """Check ``tx`` against chain + pool and add it; the new entry, or MempoolRejected."""
    pool, chainstate = context.pool, context.chainstate
    params, next_height = chainstate.params, chainstate.height + 1
    txid = tx.txid_rev
    if pool.recently_evicted.contains(txid, context.now) or pool.recently_in_block.contains(txid, context.now):
        raise _refuse()
    if tx.is_fluxnode_tx() and txid in pool.seen_fluxnode:
        raise _refuse()
    fluxnodes = chainstate.fluxnode_list() if tx.is_fluxnode_tx() else None
    if fluxnodes is not None and not update_confirm_due(params, tx, fluxnodes, next_height):
        raise _refuse()  # C++ ATMP: CheckConfirmationHeights from the mempool, silently
    _consensus_checks(context, tx, next_height, fluxnodes)
    if params.require_standard:
        reason = nonstandard_reason(params, tx, next_height)
        if reason is not None:
            raise MempoolRejected(reason, REJECT_NONSTANDARD)
    if not is_final_tx(tx, next_height, context.now):
        raise MempoolRejected("non-final", REJECT_NONSTANDARD)
    if txid in pool:
        raise _refuse()
    if tx.is_fluxnode_tx():
        _fluxnode_pool_rules(context, tx)
    _no_conflicts(pool, tx)
    spent = _spent_coins(context, tx, next_height)
    return _priced_and_scripted(context, tx, spent, next_height)


def _consensus_checks(context: AcceptContext, tx: Transaction, next_height: int, fluxnodes=None) -> None:
    params = context.chainstate.params
    try:
        check_transaction(params, tx, fluxnodes)
        contextual_check_transaction(params, tx, next_height, dos=10)  # C++ ATMP passes dosLevel 10
        if fluxnodes is not None:
            check_against_list(params, tx, fluxnodes, context.chainstate.get_coin, next_height, dos=10)
    except ValidationError as failure:
        raise MempoolRejected(failure.reason, failure.code, failure.dos) from None
    if tx.expiry_height and not tx.is_coinbase() and next_height + TX_EXPIRING_SOON_THRESHOLD > tx.expiry_height:
        raise MempoolRejected("tx-expiring-soon", REJECT_INVALID)
    if tx.is_coinbase():
        raise MempoolRejected("coinbase", REJECT_INVALID, 100)


def _fluxnode_pool_rules(context: AcceptContext, tx: Transaction) -> None:
    """One fluxnode transaction per collateral (a newer sigTime replaces), signatures at most an hour old."""
    pool, payload = context.pool, tx.fluxnode
    current_txid = pool.by_collateral.get(payload.collateral)
    if current_txid is not None:
        current = pool.lookup(current_txid)
        if current is None:
            del pool.by_collateral[payload.collateral]
            pool.seen_fluxnode.pop(current_txid, None)
        elif payload.sig_time > current.fluxnode.sig_time:
            pool.remove(current_txid, recursive=False)
        else:
            raise MempoolRejected("fluxnode-tx-outpoint-sigTime-older-cant-replace", REJECT_DUPLICATE)
    if context.now - payload.sig_time > FLUXNODE_MAX_SIG_TIME:
        raise MempoolRejected("fluxnode-tx-sig-to-old", REJECT_DUPLICATE)
    if payload.n_type == FLUXNODE_CONFIRM_TX_TYPE and context.now - payload.benchmark_sig_time > FLUXNODE_MAX_SIG_TIME:
        raise MempoolRejected("fluxnode-tx-bench-sig-to-old", REJECT_DUPLICATE)


def _no_conflicts(pool: Mempool, tx: Transaction) -> None:
    """No replacement: an outpoint or nullifier the pool already spends refuses the transaction (C++ return false)."""
    if any(txin.prevout in pool.spent_by for txin in tx.vin):
        raise _refuse()
    if any(nullifier in pool.nullifiers for nullifier in tx_nullifiers(tx)):
        raise _refuse()


def _coin(context: AcceptContext, outpoint: OutPoint) -> Coin | None:
    return context.pool.output_coin(outpoint) or context.chainstate.get_coin(outpoint)


def _has_unspent_output(context: AcceptContext, txid_rev: bytes) -> bool:
    """CCoinsViewMemPool::HaveCoins(txid): the pool has the transaction or one of its outputs is unspent in the chain."""
    return txid_rev in context.pool or context.chainstate.unspent_output_height(txid_rev) is not None


def _spent_coins(context: AcceptContext, tx: Transaction, next_height: int) -> list[Coin]:
    if _has_unspent_output(context, tx.txid_rev):
        raise _refuse()
    if tx.is_fluxnode_tx():
        _fluxnode_collateral(context, tx, next_height)
    spent = [_coin(context, txin.prevout) for txin in tx.vin]
    missing = [txin.prevout.txid_rev for txin, coin in zip(tx.vin, spent) if coin is None]
    if not all(_has_unspent_output(context, txid) for txid in missing):
        raise MempoolRejected("", invalid=False, missing_inputs=True)
    if missing:
        raise MempoolRejected("bad-txns-inputs-spent", REJECT_DUPLICATE)
    if tx.has_shielded() and not have_shielded_requirements(tx, ShieldedView(context.chainstate.state_reader())):
        raise MempoolRejected("bad-txns-shielded-requirements-not-met", REJECT_DUPLICATE)
    return spent


def _fluxnode_collateral(context: AcceptContext, tx: Transaction, next_height: int) -> None:
    """CheckFluxnodeTxInput (the coin parts): the collateral is unspent, old enough and a tier amount."""
    payload = tx.fluxnode
    if payload.n_type not in (FLUXNODE_START_TX_TYPE, FLUXNODE_CONFIRM_TX_TYPE):
        return
    coin = context.chainstate.get_coin(payload.collateral)
    message = None
    if coin is None:
        message = "Coins not available"
    elif next_height - coin.height < FLUXNODE_MIN_CONFIRMATION:
        message = "Minimum height requirement not met"
    elif tier_from_collateral(context.chainstate.params, next_height, coin.value) is None:
        message = "Couldn't get coin tier from amount"
    if message is not None:
        raise MempoolRejected(f"bad-txns-fluxnode-inputs-invalid-spent-or-bad-value-{message}", REJECT_INVALID, 10)


def _priced_and_scripted(context: AcceptContext, tx: Transaction, spent: list[Coin], next_height: int) -> MempoolEntry:
    params, tip_height = context.chainstate.params, next_height - 1
    branch_id = current_epoch_branch_id(params, next_height)
    if params.require_standard and not inputs_standard(tx, lambda index: spent[index].script_pubkey, branch_id):
        raise _refuse()
    scripts = {txin.prevout: coin.script_pubkey for txin, coin in zip(tx.vin, spent)}
    sigops = legacy_sigop_count(tx) + p2sh_tx_sigop_count(tx, scripts.__getitem__)
    if sigops > MAX_STANDARD_TX_SIGOPS:
        raise MempoolRejected("bad-txns-too-many-sigops", REJECT_NONSTANDARD)
    value_in = sum(coin.value for coin in spent) + _shielded_value_in(tx)
    fee = value_in - _value_out(tx)
    size = len(tx.to_bytes())
    _fee_policy(context, tx, fee, size)
    _check_inputs(tx, spent, next_height, value_in)
    _check_scripts(tx, spent, branch_id)
    entry = _entry(context, tx, spent, fee, size, tip_height, sigops)
    context.pool.add(entry, context.now)
    if tx.is_fluxnode_tx():
        context.pool.expire_seen_fluxnode(context.now)
    return entry


def _shielded_value_in(tx: Transaction) -> int:
    return sum(js.vpub_new for js in tx.joinsplits) + max(0, tx.value_balance)


def _value_out(tx: Transaction) -> int:
    return sum(out.value for out in tx.vout) + sum(js.vpub_old for js in tx.joinsplits) + max(0, -tx.value_balance)


def _fee_policy(context: AcceptContext, tx: Transaction, fee: int, size: int) -> None:
    priority_delta, fee_delta = context.pool.deltas.get(tx.txid_rev, (0.0, 0))
    prioritised = priority_delta > 0 or fee_delta > 0
    if context.limit_free and not prioritised and fee < min_relay_fee(size, allow_free=True):
        raise MempoolRejected("insufficient fee", REJECT_INSUFFICIENTFEE)
    if context.limit_free and fee < relay_fee(size) and context.free_limiter is not None:
        if not context.free_limiter.admit(size, context.now):
            raise MempoolRejected("rate limited free transaction", REJECT_INSUFFICIENTFEE)
    limit = relay_fee(size) * ABSURD_FEE_FACTOR
    if context.reject_absurd_fee and fee > limit:
        raise _refuse(f"AcceptToMemoryPool: absurdly high fees {tx.txid_hum}, {fee} > {limit}")


def _check_inputs(tx: Transaction, spent: list[Coin], spend_height: int, value_in: int) -> None:
    """Consensus::CheckTxInputs at the next height."""
    running = 0
    for coin in spent:
        if coin.is_coinbase and spend_height - coin.height < COINBASE_MATURITY:
            raise MempoolRejected("bad-txns-premature-spend-of-coinbase", REJECT_INVALID)
        running += coin.value
        if not money_range(coin.value) or not money_range(running):
            raise MempoolRejected("bad-txns-inputvalues-outofrange", REJECT_INVALID, 100)
    if value_in < _value_out(tx):
        raise MempoolRejected("bad-txns-in-belowout", REJECT_INVALID, 100)
    if not money_range(value_in - _value_out(tx)):
        raise MempoolRejected("bad-txns-fee-outofrange", REJECT_INVALID, 100)


def _check_scripts(tx: Transaction, spent: list[Coin], branch_id: int) -> None:
    """ContextualCheckInputs with STANDARD flags; a failure that passes the mandatory flags is non-mandatory."""
    if not tx.vin:
        return
    outputs = tuple(SpentOutput(coin.script_pubkey, coin.value) for coin in spent)
    failure = check_batch(TxScriptBatch(tx, outputs, STANDARD_SCRIPT_VERIFY_FLAGS, branch_id))
    if failure is None:
        return
    relaxed = check_batch(TxScriptBatch(tx, outputs, STANDARD_SCRIPT_VERIFY_FLAGS & ~STANDARD_NOT_MANDATORY_VERIFY_FLAGS, branch_id))
    if relaxed is None:
        raise MempoolRejected(f"non-mandatory-script-verify-flag ({failure.error.message})", REJECT_NONSTANDARD)
    raise MempoolRejected(f"mandatory-script-verify-flag-failed ({failure.error.message})", REJECT_INVALID, 100)


def _entry(context: AcceptContext, tx: Transaction, spent: list[Coin], fee: int, size: int, tip_height: int, sigops: int) -> MempoolEntry:
    in_chain = [coin for coin in spent if coin.height != MEMPOOL_HEIGHT]
    priority_sum = 0.0  # C++ CCoinsViewCache::GetPriority adds doubles input by input
    for coin in in_chain:
        if coin.height < tip_height:
            priority_sum += float(coin.value * (tip_height - coin.height))
    modified_size = _modified_size(tx, size)
    return MempoolEntry(
        tx=tx,
        fee=fee,
        size=size,
        time=context.now,
        height=tip_height,
        starting_priority=priority_sum / modified_size,
        in_chain_input_value=sum(coin.value for coin in in_chain),
        modified_size=modified_size,
        spends_coinbase=any(coin.is_coinbase for coin in spent),
        sigops=sigops,
        spent_coins=tuple(spent),
    )


def _modified_size(tx: Transaction, size: int) -> int:
    """CTransaction::CalculateModifiedSize: inputs' fixed part and up to 110 bytes of scriptSig are not counted."""
    for txin in tx.vin:
        offset = 41 + min(110, len(txin.script_sig))
        if size > offset:
            size -= offset
    return max(size, 1)
