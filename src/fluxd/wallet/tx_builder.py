"""Building a wallet transaction to transparent recipients (C++ CWallet::CreateTransaction).

Pure: the caller passes the candidate coins (AvailableCoins), the chain height, the fee settings
and estimator, a change-script callback and a signing callback, and a ``random.Random`` (lock-time
jitter, coin shuffles, the change position).  Errors raise ``TxBuildError`` with the C++ message.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from fluxd.consensus.tx_check import MAX_TX_SIZE_AFTER_SAPLING, TX_EXPIRY_HEIGHT_THRESHOLD
from fluxd.consensus.tx_contextual import MAX_TX_SIZE_BEFORE_SAPLING
from fluxd.core.script import push_data
from fluxd.core.standard import TX_MULTISIG, TX_PUBKEY, TX_PUBKEYHASH, TX_SCRIPTHASH, solver
from fluxd.core.transaction import SAPLING_TX_VERSION, SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.policy import dust_threshold, relay_fee
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, current_epoch_branch_id, network_upgrade_active
from fluxd.wallet.coin_select import CandidateCoin, select_coins
from fluxd.wallet.fee_policy import FeeEstimates, FeePolicy, can_send_free, minimum_fee
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

DEFAULT_TX_EXPIRY_DELTA = 20  # -txexpirydelta
WALLET_INPUT_SEQUENCE = 0xFFFFFFFE  # max()-1 so that nLockTime applies

SignFn = Callable[[Transaction, Sequence[CandidateCoin]], "Transaction | None"]


class TxBuildError(Exception):
    """CreateTransaction's strFailReason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.fee_required = 0


@dataclass(frozen=True, slots=True)
class Recipient:
    """CRecipient."""

    script_pubkey: bytes
    amount: int
    subtract_fee_from_amount: bool = False


@dataclass(frozen=True, slots=True)
class ChainContext:
    """What CreateTransaction reads from the chain: the tip height (chainActive.Height())."""

    params: ChainParams
    tip_height: int
    expiry_delta: int = DEFAULT_TX_EXPIRY_DELTA
    mempool_tx_input_limit: int = 0  # -mempooltxinputlimit (ignored once Acadia is active)

    @property
    def next_height(self) -> int:
        return self.tip_height + 1

    @property
    def branch_id(self) -> int:
        """The consensus branch id the inputs are signed with (CurrentEpochBranchId at the next height)."""
        return current_epoch_branch_id(self.params, self.next_height)


@dataclass(frozen=True, slots=True)
class CoinChoice:
    """The coin-control part of SelectCoins (see ``select_coins``)."""

    preset: tuple[OutPoint, ...] = ()
    wallet_coin: Callable[[OutPoint], CandidateCoin | None] = lambda outpoint: None
    allow_other_inputs: bool = True
    spend_zero_conf_change: bool = True


@dataclass(frozen=True, slots=True)
class BuiltTransaction:
    tx: Transaction
    fee: int  # nFeeRet
    change_position: int  # -1 without a change output
    coins: tuple[CandidateCoin, ...]  # the inputs, in vin order


@dataclass
class _Round:
    """One pass of the fee loop."""

    vout: list[TxOut] = field(default_factory=list)
    coins: tuple[CandidateCoin, ...] = ()
    value_in: int = 0
    priority_inputs: float = 0.0
    change_position: int = -1


# ----- the transaction's frame --------------------------------------------------------------


def new_contextual_transaction(context: ChainContext) -> Transaction:
    """CreateNewContextualCMutableTransaction at the next height: v4 Sapling once Acadia is active."""
    height = context.next_height
    if not network_upgrade_active(context.params, height, Upgrade.ACADIA):
        return Transaction()
    expiry = height + context.expiry_delta
    if expiry <= 0 or expiry >= TX_EXPIRY_HEIGHT_THRESHOLD:
        raise TxBuildError("nExpiryHeight must be less than TX_EXPIRY_HEIGHT_THRESHOLD.")
    return Transaction(
        version=SAPLING_TX_VERSION, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID, expiry_height=expiry
    )


def wallet_lock_time(tip_height: int, rng: random.Random) -> int:
    """Anti fee sniping: ten blocks back, and one time in ten up to 99 further back."""
    lock_time = max(0, tip_height - 10)
    if rng.randrange(10) == 0:
        lock_time = max(0, lock_time - rng.randrange(100))
    return lock_time


def max_tx_size(context: ChainContext) -> int:
    if network_upgrade_active(context.params, context.next_height, Upgrade.ACADIA):
        return MAX_TX_SIZE_AFTER_SAPLING
    return MAX_TX_SIZE_BEFORE_SAPLING


# ----- recipients --------------------------------------------------------------------------


def _total_value(recipients: Sequence[Recipient]) -> int:
    if not recipients or any(r.amount < 0 for r in recipients):
        raise TxBuildError("Transaction amounts must be positive")
    return sum(r.amount for r in recipients)


def recipient_outputs(recipients: Sequence[Recipient], fee: int, min_relay_fee_per_kb: int) -> list[TxOut]:
    """The payees' outputs with the fee split equally over the subtracting recipients; the first
    of them also pays the remainder.  A dust output is refused."""
    n_subtract = sum(1 for r in recipients if r.subtract_fee_from_amount)
    first = True
    outputs = []
    for recipient in recipients:
        value = recipient.amount
        if recipient.subtract_fee_from_amount:
            value -= fee // n_subtract
            if first:
                first = False
                value -= fee % n_subtract
        out = TxOut(value, recipient.script_pubkey)
        if _is_dust(out, min_relay_fee_per_kb):
            raise TxBuildError(_dust_reason(recipient, fee, value))
        outputs.append(out)
    return outputs


def _dust_reason(recipient: Recipient, fee: int, value: int) -> str:
    if recipient.subtract_fee_from_amount and fee > 0:
        if value < 0:
            return "The transaction amount is too small to pay the fee"
        return "The transaction amount is too small to send after the fee has been deducted"
    return "Transaction amount too small"


def _is_dust(out: TxOut, min_relay_fee_per_kb: int) -> bool:
    return out.value < dust_threshold(out, min_relay_fee_per_kb)


# ----- change ------------------------------------------------------------------------------


def _coin_priority(coins: Sequence[CandidateCoin]) -> float:
    """Sum of value x age, the age one block on (an unconfirmed coin stays at 0)."""
    total = 0.0
    for coin in coins:
        age = coin.depth + 1 if coin.depth != 0 else 0
        total += float(coin.value) * age
    return total


def _add_change(
    state: _Round, recipients: Sequence[Recipient], change: int, change_script: bytes, fee_rate: int, rng: random.Random
) -> int:
    """Place the change output; returns the dust added to the fee (0 when the change was kept)."""
    out = TxOut(change, change_script)
    if any(r.subtract_fee_from_amount for r in recipients) and _is_dust(out, fee_rate):
        missing = dust_threshold(out, fee_rate) - out.value
        out = TxOut(out.value + missing, change_script)
        _take_from_first_subtracting(state, recipients, missing, fee_rate)
    if _is_dust(out, fee_rate):
        return change
    state.change_position = rng.randrange(len(state.vout) + 1)
    state.vout.insert(state.change_position, out)
    return 0


def _take_from_first_subtracting(state: _Round, recipients: Sequence[Recipient], amount: int, fee_rate: int) -> None:
    for i, recipient in enumerate(recipients):
        if recipient.subtract_fee_from_amount:
            out = state.vout[i]
            state.vout[i] = TxOut(out.value - amount, out.script_pubkey)
            if _is_dust(state.vout[i], fee_rate):
                raise TxBuildError("The transaction amount is too small to send after the fee has been deducted")
            return


# ----- one round ---------------------------------------------------------------------------


def _inputs(coins: Sequence[CandidateCoin]) -> tuple[TxIn, ...]:
    return tuple(TxIn(coin.outpoint, b"", WALLET_INPUT_SEQUENCE) for coin in coins)


def _ordered(coins: Sequence[CandidateCoin]) -> tuple[CandidateCoin, ...]:
    """C++ walks a std::set keyed by wallet-transaction address; we use (txid, index) order."""
    return tuple(sorted(coins, key=lambda coin: (coin.txid_raw, coin.index)))


def _check_input_limit(context: ChainContext, count: int) -> None:
    limit = context.mempool_tx_input_limit
    if network_upgrade_active(context.params, context.next_height, Upgrade.ACADIA):
        limit = 0
    if limit > 0 and count > limit:
        raise TxBuildError(f"Too many transparent inputs {count} > limit {limit}")


def modified_size(tx: Transaction, size: int) -> int:
    """CalculateModifiedSize: each input's 41 fixed bytes and up to 110 scriptSig bytes don't count."""
    for txin in tx.vin:
        offset = 41 + min(110, len(txin.script_sig))
        if size > offset:
            size -= offset
    return size


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """Everything CreateTransaction uses besides the randomness.

    ``change_script()`` is called at most once, when a round first has change (coin control's
    change address, or a reserved key-pool key); if the result's ``change_position`` is -1 the
    script went unused (C++ ReturnKey).  ``sign(unsigned_tx, coins)`` gets the transaction with
    empty scriptSigs and the coins in vin order, and returns it signed, or None.
    """

    recipients: tuple[Recipient, ...]
    coins: tuple[CandidateCoin, ...]
    context: ChainContext
    policy: FeePolicy
    estimates: FeeEstimates
    change_script: Callable[[], bytes]
    sign: SignFn
    choice: CoinChoice = CoinChoice()
    keep_signatures: bool = True  # False: sign only to measure (C++ sign=false, fundrawtransaction)


def _select(request: BuildRequest, target: int, rng: random.Random):
    choice = request.choice
    selection = select_coins(
        target,
        request.coins,
        rng,
        preset=choice.preset,
        wallet_coin=choice.wallet_coin,
        allow_other_inputs=choice.allow_other_inputs,
        spend_zero_conf_change=choice.spend_zero_conf_change,
    )
    if selection is None:
        raise TxBuildError("Insufficient funds")
    return selection


def _build_round(request: BuildRequest, value: int, fee: int, rng: random.Random, cache: dict) -> tuple[_Round, int]:
    """Outputs, coins and change for this fee; returns the round and the dust added to the fee."""
    rate = request.policy.min_relay_fee_per_kb
    subtracting = any(r.subtract_fee_from_amount for r in request.recipients)
    state = _Round(vout=recipient_outputs(request.recipients, fee, rate))
    target = value if subtracting else value + fee
    selection = _select(request, target, rng)
    state.coins = _ordered(selection.coins)
    state.value_in = selection.total
    state.priority_inputs = _coin_priority(state.coins)
    change = selection.total - value - (0 if subtracting else fee)
    dust_to_fee = 0
    if change > 0:
        if "script" not in cache:
            cache["script"] = request.change_script()
        dust_to_fee = _add_change(state, request.recipients, change, cache["script"], rate, rng)
    return state, dust_to_fee


def _signed(request: BuildRequest, frame: Transaction, state: _Round) -> tuple[Transaction, int]:
    _check_input_limit(request.context, len(state.coins))
    unsigned = frame.copy_with(vin=_inputs(state.coins), vout=tuple(state.vout))
    signed = request.sign(unsigned, state.coins)
    if signed is None:
        raise TxBuildError("Signing transaction failed")
    size = signed.size
    if not request.keep_signatures:
        signed = unsigned
    if size >= max_tx_size(request.context):
        raise TxBuildError("Transaction too large")
    return signed, size


def create_transaction(request: BuildRequest, rng: random.Random) -> BuiltTransaction:
    """CreateTransaction: raise the fee until it covers GetMinimumFee for the signed size."""
    value = _total_value(request.recipients)
    frame = new_contextual_transaction(request.context)
    frame = frame.copy_with(lock_time=wallet_lock_time(request.context.tip_height, rng))
    policy, cache = request.policy, {}
    fee = 0
    while True:
        try:
            state, dust_to_fee = _build_round(request, value, fee, rng, cache)
        except TxBuildError as exc:
            exc.fee_required = fee  # nFeeRet at the failure (SendMoney words its error with it)
            raise
        fee += dust_to_fee
        tx, size = _signed(request, frame, state)
        built = BuiltTransaction(tx, fee, state.change_position, state.coins)
        priority = _priority(tx, state.priority_inputs, size)
        if can_send_free(size, priority, policy, request.estimates):
            return built
        needed = minimum_fee(size, policy, request.estimates)
        if needed < relay_fee(size, policy.min_relay_fee_per_kb):
            raise TxBuildError("Transaction too large for fee policy")
        if fee >= needed:
            return built
        fee = needed


def fund_transaction(
    tx: Transaction, request: BuildRequest, rng: random.Random
) -> tuple[Transaction, int, int]:
    """FundTransaction: (funded tx, fee, change position) for a raw transaction's outputs.

    ``request.recipients`` and ``request.choice`` are derived here from ``tx`` (its outputs, none
    subtracting the fee; its inputs preset with other inputs allowed; ``choice.wallet_coin`` and
    ``choice.spend_zero_conf_change`` are kept).  The request's signer should be a dummy one: C++
    builds with sign=false and keeps no signature.  The transaction keeps its own fields, inputs
    and outputs; the change output is inserted at its position and the new inputs appended.
    """
    recipients = tuple(Recipient(out.script_pubkey, out.value, False) for out in tx.vout)
    choice = CoinChoice(
        preset=tuple(txin.prevout for txin in tx.vin),
        wallet_coin=request.choice.wallet_coin,
        allow_other_inputs=True,
        spend_zero_conf_change=request.choice.spend_zero_conf_change,
    )
    built = create_transaction(replace(request, recipients=recipients, choice=choice, keep_signatures=False), rng)
    vout = list(tx.vout)
    if built.change_position != -1:
        vout.insert(built.change_position, built.tx.vout[built.change_position])
    known = {txin.prevout for txin in tx.vin}
    vin = list(tx.vin) + [txin for txin in built.tx.vin if txin.prevout not in known]
    return tx.copy_with(vin=tuple(vin), vout=tuple(vout)), built.fee, built.change_position


def _priority(tx: Transaction, priority_inputs: float, size: int) -> float:
    """ComputePriority with the measured size (the stored transaction's scriptSigs are discounted)."""
    mod_size = modified_size(tx, size)
    return 0.0 if mod_size == 0 else priority_inputs / mod_size


# ----- signing callbacks ---------------------------------------------------------------------

SIGHASH_ALL = 1
DUMMY_SIGNATURE = bytes([0x30, 69, 0x02, 33, 0x01]) + bytes(32) + bytes([0x02, 32, 0x01]) + bytes(31) + bytes([SIGHASH_ALL])


def keystore_signer(store: KeyStore, branch_id: int) -> SignFn:
    """TransactionSignatureCreator with SIGHASH_ALL: None unless every input is complete."""

    def sign(unsigned: Transaction, coins: Sequence[CandidateCoin]) -> Transaction | None:
        vin = list(unsigned.vin)
        for index, coin in enumerate(coins):
            spec = SigningInput(unsigned, index, coin.value, SIGHASH_ALL, branch_id)
            script_sig, complete = produce_signature(store, coin.script_pubkey, spec)
            if not complete:
                return None
            vin[index] = TxIn(vin[index].prevout, script_sig, vin[index].sequence)
        return unsigned.copy_with(vin=tuple(vin))

    return sign


def dummy_signer(pubkey_for: Callable[[bytes], bytes | None], script_for: Callable[[bytes], bytes | None]) -> SignFn:
    """DummySignatureCreator: 72-byte placeholder signatures, for sizing (fundrawtransaction).

    ``pubkey_for(key_id)`` and ``script_for(script_id)`` are the wallet's GetPubKey / GetCScript.
    """

    def sign(unsigned: Transaction, coins: Sequence[CandidateCoin]) -> Transaction | None:
        vin = list(unsigned.vin)
        for index, coin in enumerate(coins):
            pushes = _dummy_pushes(coin.script_pubkey, pubkey_for, script_for, True)
            if pushes is None:
                return None
            vin[index] = TxIn(vin[index].prevout, b"".join(push_data(p) for p in pushes), vin[index].sequence)
        return unsigned.copy_with(vin=tuple(vin))

    return sign


def _dummy_pushes(script: bytes, pubkey_for, script_for, outer: bool) -> list[bytes] | None:
    kind, solutions = solver(script)
    if kind == TX_PUBKEY:
        return [DUMMY_SIGNATURE]
    if kind == TX_PUBKEYHASH:
        pubkey = pubkey_for(solutions[0])
        return None if pubkey is None else [DUMMY_SIGNATURE, pubkey]
    if kind == TX_MULTISIG:
        return [b""] + [DUMMY_SIGNATURE] * solutions[0][0]
    if kind == TX_SCRIPTHASH and outer:
        redeem = script_for(solutions[0])
        inner = None if redeem is None else _dummy_pushes(redeem, pubkey_for, script_for, False)
        return None if inner is None else [*inner, redeem]
    return None
