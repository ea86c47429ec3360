"""CreateTransaction for transparent recipients: fee loop, change, fee subtraction, errors, signatures."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.consensus.interpreter import SignatureChecker, verify_script
from fluxd.consensus.script_errors import STANDARD_SCRIPT_VERIFY_FLAGS, ScriptError
from fluxd.consensus.tx_check import check_transaction
from fluxd.consensus.tx_contextual import contextual_check_transaction
from fluxd.core.amount import COIN
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script, p2sh_script
from fluxd.core.standard import multisig_script
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import TxIn, TxOut
from fluxd.mempool.policy import dust_threshold, relay_fee
from fluxd.params.networks import main_params
from fluxd.params.upgrades import current_epoch_branch_id
from fluxd.wallet.coin_select import CandidateCoin
from fluxd.wallet.fee_policy import FeePolicy, NoEstimates, minimum_fee
from fluxd.wallet.signing import KeyStore
from fluxd.wallet.tx_builder import (
    BuildRequest,
    ChainContext,
    CoinChoice,
    Recipient,
    TxBuildError,
    create_transaction,
    dummy_signer,
    fund_transaction,
    keystore_signer,
    modified_size,
)

PARAMS = main_params()
SAPLING_TIP = 300_000  # Acadia (250 000) active at the next height
SPROUT_TIP = 1_000

KEYS = [PrivateKey(bytes([0] * 31 + [i + 1])) for i in range(4)]
STORE = KeyStore()
for _key in KEYS:
    STORE.add_key(_key)
OUR_SCRIPT = p2pkh_script(KEYS[0].key_id)
CHANGE_SCRIPT = p2pkh_script(KEYS[1].key_id)
PAYEE = p2pkh_script(b"\x42" * 20)
PAYEE2 = p2pkh_script(b"\x43" * 20)
PAYEE3 = p2pkh_script(b"\x44" * 20)


class FixedEstimates:
    def __init__(self, fee_per_kb: int = 0, priority: float = -1.0) -> None:
        self.fee_per_kb = fee_per_kb
        self.priority = priority

    def estimate_fee(self, conf_target: int) -> int:
        return self.fee_per_kb

    def estimate_priority(self, conf_target: int) -> float:
        return self.priority


def coin(n: int, value: int, depth: int = 10, script: bytes = OUR_SCRIPT, from_me: bool = False) -> CandidateCoin:
    return CandidateCoin(bytes([n]) * 32, n % 3, value, script, depth, from_me, True)


def request(recipients, coins, tip=SAPLING_TIP, policy=FeePolicy(), estimates=NoEstimates(), sign=None, **extra):
    context = extra.pop("context", None) or ChainContext(PARAMS, tip)
    branch_id = current_epoch_branch_id(PARAMS, context.next_height)
    return BuildRequest(
        recipients=tuple(recipients),
        coins=tuple(coins),
        context=context,
        policy=policy,
        estimates=estimates,
        change_script=lambda: CHANGE_SCRIPT,
        sign=sign or keystore_signer(STORE, branch_id),
        **extra,
    )


def build(*args, seed: int = 1, **kwargs):
    return create_transaction(request(*args, **kwargs), random.Random(seed))


def assert_verifies(built, tip=SAPLING_TIP) -> None:
    branch_id = current_epoch_branch_id(PARAMS, tip + 1)
    tx = Transaction.from_bytes(built.tx.to_bytes())
    assert len(tx.vin) == len(built.coins)
    for index, spent in enumerate(built.coins):
        assert tx.vin[index].prevout == spent.outpoint
        checker = SignatureChecker(tx, index, spent.value)
        error = verify_script(tx.vin[index].script_sig, spent.script_pubkey, STANDARD_SCRIPT_VERIFY_FLAGS, checker, branch_id)
        assert error is ScriptError.OK
    check_transaction(PARAMS, tx)
    contextual_check_transaction(PARAMS, tx, tip + 1, 0)


def assert_rate(built, rate: int) -> None:
    """The fee covers the final size; a round before may have had a signature a byte or two longer."""
    size = built.tx.size
    assert relay_fee(size, rate) <= built.fee <= relay_fee(size + 2 * len(built.tx.vin), rate)


def paid_fee(built) -> int:
    return sum(c.value for c in built.coins) - sum(o.value for o in built.tx.vout)


# ----- shape of the transaction ---------------------------------------------------------------


def test_sapling_fields_after_acadia():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)])
    tx = built.tx
    assert tx.overwintered and tx.version == 4 and tx.version_group_id == SAPLING_VERSION_GROUP_ID
    assert tx.expiry_height == SAPLING_TIP + 1 + 20
    assert SAPLING_TIP - 10 - 99 <= tx.lock_time <= SAPLING_TIP - 10
    assert all(txin.sequence == 0xFFFFFFFE for txin in tx.vin)
    assert_verifies(built)


def test_sprout_fields_before_acadia():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], tip=SPROUT_TIP)
    tx = built.tx
    assert not tx.overwintered and tx.version == 1 and tx.expiry_height == 0 and tx.version_group_id == 0
    assert_verifies(built, SPROUT_TIP)


def test_expiry_delta_is_a_parameter():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], context=ChainContext(PARAMS, SAPLING_TIP, 40))
    assert built.tx.expiry_height == SAPLING_TIP + 41


def test_lock_time_sometimes_further_back():
    lock_times = {build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], seed=s).tx.lock_time for s in range(60)}
    assert SAPLING_TIP - 10 in lock_times and min(lock_times) < SAPLING_TIP - 10
    assert min(lock_times) >= SAPLING_TIP - 109
    assert build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], tip=5).tx.lock_time == 0


def test_same_seed_same_transaction():
    coins = [coin(i, (i + 1) * COIN) for i in range(8)]
    a = build([Recipient(PAYEE, 5 * COIN)], coins, seed=9)
    b = build([Recipient(PAYEE, 5 * COIN)], coins, seed=9)
    assert a.tx.to_bytes() == b.tx.to_bytes()


def test_change_at_random_position():
    positions = set()
    for seed in range(30):
        built = build([Recipient(PAYEE, COIN), Recipient(PAYEE2, COIN)], [coin(1, 5 * COIN)], seed=seed)
        assert built.tx.vout[built.change_position].script_pubkey == CHANGE_SCRIPT
        positions.add(built.change_position)
    assert positions == {0, 1, 2}


# ----- fees ---------------------------------------------------------------------------------


def test_fee_loop_pays_minimum_fee_for_final_size():
    coins = [coin(i, 30_000_000 + i) for i in range(12)]
    built = build([Recipient(PAYEE, 2 * COIN)], coins)
    size = built.tx.size
    assert built.fee >= minimum_fee(size, FeePolicy(), NoEstimates())
    assert built.fee == paid_fee(built)
    assert len(built.tx.vin) >= 7
    assert_verifies(built)


def test_fallback_fee_is_min_tx_fee():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)])
    assert_rate(built, 1000)


def test_estimator_rate_used():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], estimates=FixedEstimates(5000))
    assert_rate(built, 5000)


def test_paytxfee_pays_at_least_one_kb():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], policy=FeePolicy(pay_tx_fee_per_kb=2000))
    assert built.fee == 2000


def test_maxtxfee_caps_the_fee():
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], policy=FeePolicy(pay_tx_fee_per_kb=10**7, max_tx_fee=30_000))
    assert built.fee == 30_000 == paid_fee(built)


def test_free_transaction_with_enough_priority():
    policy = FeePolicy(send_free_transactions=True)
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN, depth=1000)], policy=policy)
    assert built.fee == 0
    low = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN, depth=1)], policy=policy)
    assert low.fee > 0
    estimated = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN, depth=1)], policy=policy, estimates=FixedEstimates(0, 1.0))
    assert estimated.fee == 0  # above the estimator's priority


def test_minimum_fee_rules():
    none = NoEstimates()
    assert minimum_fee(250, FeePolicy(), none) == 250
    assert minimum_fee(250, FeePolicy(pay_tx_fee_per_kb=4000), none) == 4000
    assert minimum_fee(2500, FeePolicy(pay_tx_fee_per_kb=4000), none) == 10_000
    assert minimum_fee(250, FeePolicy(pay_tx_fee_per_kb=4000, pay_at_least_custom_fee=False), none) == 1000
    assert minimum_fee(250, FeePolicy(min_tx_fee_per_kb=10), none) == 25  # relay floor (100/kB)
    assert minimum_fee(250, FeePolicy(), FixedEstimates(50)) == 25
    assert minimum_fee(250, FeePolicy(max_tx_fee=7), none) == 7


# ----- change -------------------------------------------------------------------------------


def test_dust_change_goes_to_the_fee():
    built = build([Recipient(PAYEE, COIN - 280)], [coin(1, COIN)])  # 280 - a fee of about 245 is dust
    assert built.change_position == -1 and len(built.tx.vout) == 1
    assert built.fee == 280 == paid_fee(built)
    assert built.fee >= minimum_fee(built.tx.size, FeePolicy(), NoEstimates())


def test_subtract_fee_raises_dust_change_from_first_recipient():
    amount = COIN - 30
    built = build([Recipient(PAYEE, amount, True)], [coin(1, COIN)])
    change = built.tx.vout[built.change_position]
    threshold = dust_threshold(change)
    assert change.value == threshold
    payee = built.tx.vout[1 - built.change_position]
    assert payee.value == amount - built.fee - (threshold - 30)
    assert paid_fee(built) == built.fee
    assert_verifies(built)


# ----- subtractfeefromamount ----------------------------------------------------------------------


def test_subtract_fee_split_remainder_to_first():
    recipients = [Recipient(PAYEE, COIN), Recipient(PAYEE2, 2 * COIN, True), Recipient(PAYEE3, 3 * COIN, True)]
    for pay_rate in (1001, 1003, 3331):
        built = build(recipients, [coin(1, 10 * COIN)], policy=FeePolicy(pay_tx_fee_per_kb=pay_rate))
        fee = built.fee
        outs = [o for i, o in enumerate(built.tx.vout) if i != built.change_position]
        assert outs[0].value == COIN
        assert outs[1].value == 2 * COIN - fee // 2 - fee % 2
        assert outs[2].value == 3 * COIN - fee // 2
        assert built.tx.vout[built.change_position].value == 4 * COIN
        assert paid_fee(built) == fee
    assert any(
        build(recipients, [coin(1, 10 * COIN)], policy=FeePolicy(pay_tx_fee_per_kb=r)).fee % 2 for r in (1001, 1003, 3331)
    )


def test_subtract_fee_sends_everything():
    built = build([Recipient(PAYEE, 3 * COIN, True)], [coin(1, 2 * COIN), coin(2, COIN)])
    assert built.change_position == -1 and built.tx.vout[0].value == 3 * COIN - built.fee
    assert_verifies(built)


# ----- coin control -------------------------------------------------------------------------


def test_preset_inputs_are_spent():
    coins = [coin(i, COIN) for i in range(1, 6)]
    wanted = coins[3]
    choice = CoinChoice(preset=(wanted.outpoint,), wallet_coin={c.outpoint: c for c in coins}.get)
    built = build([Recipient(PAYEE, COIN // 2)], coins, choice=choice)
    assert built.coins == (wanted,)
    assert_verifies(built)


def test_not_signed_but_sized_with_dummies():
    pubkeys = {key.key_id: key.pubkey for key in KEYS}
    coins = [coin(1, 3 * COIN)]
    dummy = dummy_signer(pubkeys.get, STORE.scripts.get)
    unsigned = build([Recipient(PAYEE, COIN)], coins, sign=dummy, keep_signatures=False)
    signed = build([Recipient(PAYEE, COIN)], coins)
    assert all(txin.script_sig == b"" for txin in unsigned.tx.vin)
    assert abs(unsigned.fee - signed.fee) <= 2
    assert unsigned.fee >= minimum_fee(signed.tx.size, FeePolicy(), NoEstimates()) - 2


def test_fund_transaction_keeps_inputs_and_outputs():
    pubkeys = {key.key_id: key.pubkey for key in KEYS}
    coins = [coin(i, COIN) for i in range(1, 6)]
    preset = coin(9, COIN // 2)
    raw = Transaction(
        version=1, lock_time=77, vin=(TxIn(preset.outpoint, b"", 0xFFFFFFFF),), vout=(TxOut(COIN, PAYEE), TxOut(COIN, PAYEE2))
    )
    wallet = {c.outpoint: c for c in [*coins, preset]}.get
    req = request([], coins, sign=dummy_signer(pubkeys.get, STORE.scripts.get), choice=CoinChoice(wallet_coin=wallet))
    funded, fee, change_position = fund_transaction(raw, req, random.Random(3))
    assert funded.vin[0] == raw.vin[0] and funded.lock_time == 77 and funded.version == 1
    assert all(txin.script_sig == b"" for txin in funded.vin)
    others = [o for i, o in enumerate(funded.vout) if i != change_position]
    assert others == list(raw.vout) and funded.vout[change_position].script_pubkey == CHANGE_SCRIPT
    value_in = sum(wallet(txin.prevout).value for txin in funded.vin)
    assert value_in - sum(o.value for o in funded.vout) == fee > 0
    missing = CoinChoice(wallet_coin=lambda outpoint: None)
    with pytest.raises(TxBuildError, match="Insufficient funds"):
        fund_transaction(raw, request([], coins, sign=dummy_signer(pubkeys.get, STORE.scripts.get), choice=missing), random.Random(3))


def test_p2sh_multisig_coin():
    redeem = multisig_script(2, [KEYS[2].pubkey, KEYS[3].pubkey])
    store = KeyStore(dict(STORE.keys), {hash160(redeem): redeem})
    spent = coin(5, 2 * COIN, script=p2sh_script(hash160(redeem)))
    branch_id = current_epoch_branch_id(PARAMS, SAPLING_TIP + 1)
    built = build([Recipient(PAYEE, COIN)], [spent], sign=keystore_signer(store, branch_id))
    assert_verifies(built)
    sized = dummy_signer(lambda key_id: None, store.scripts.get)(built.tx, built.coins)
    assert abs(sized.size - built.tx.size) <= 4


def test_modified_size_discounts_inputs():
    tx = Transaction(vin=(TxIn(coin(1, 1).outpoint, b"\x00" * 120),), vout=(TxOut(1, PAYEE),))
    assert modified_size(tx, 300) == 300 - 41 - 110


# ----- errors -------------------------------------------------------------------------------


def _error(*args, **kwargs) -> str:
    with pytest.raises(TxBuildError) as caught:
        build(*args, **kwargs)
    return caught.value.message


def test_error_amounts_must_be_positive():
    assert _error([], [coin(1, COIN)]) == "Transaction amounts must be positive"
    assert _error([Recipient(PAYEE, -1)], [coin(1, COIN)]) == "Transaction amounts must be positive"


def test_error_amount_too_small():
    assert _error([Recipient(PAYEE, 53)], [coin(1, COIN)]) == "Transaction amount too small"
    assert _error([Recipient(PAYEE, 53, True)], [coin(1, COIN)]) == "Transaction amount too small"  # fee still 0


def test_error_too_small_to_pay_the_fee():
    policy = FeePolicy(pay_tx_fee_per_kb=1000)  # a fee of exactly 1000 for a small transaction
    assert _error([Recipient(PAYEE, 900, True)], [coin(1, COIN)], policy=policy) == "The transaction amount is too small to pay the fee"


def test_error_too_small_after_fee_deducted():
    policy = FeePolicy(pay_tx_fee_per_kb=1000)
    message = _error([Recipient(PAYEE, 1020, True)], [coin(1, COIN)], policy=policy)
    assert message == "The transaction amount is too small to send after the fee has been deducted"


def test_error_after_fee_deducted_when_raising_change():
    policy = FeePolicy(pay_tx_fee_per_kb=1000)
    message = _error([Recipient(PAYEE, 1080, True)], [coin(1, 1100)], policy=policy)  # change 20 raised to 54: 80-34 = 46 left
    assert message == "The transaction amount is too small to send after the fee has been deducted"


def test_error_insufficient_funds():
    assert _error([Recipient(PAYEE, COIN)], []) == "Insufficient funds"
    assert _error([Recipient(PAYEE, COIN)], [coin(1, COIN)]) == "Insufficient funds"  # no room for the fee
    young = coin(1, 5 * COIN, depth=0)
    assert _error([Recipient(PAYEE, COIN)], [young]) == "Insufficient funds"


def test_error_signing_failed():
    assert _error([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], sign=lambda tx, coins: None) == "Signing transaction failed"
    foreign = coin(1, 3 * COIN, script=p2pkh_script(b"\x77" * 20))
    assert _error([Recipient(PAYEE, COIN)], [foreign]) == "Signing transaction failed"


def _padding_signer(pad: int):
    def sign(tx, coins):
        return tx.copy_with(vin=tuple(TxIn(i.prevout, b"\x4e" + pad.to_bytes(4, "little") + bytes(pad), i.sequence) for i in tx.vin))

    return sign


def test_error_transaction_too_large():
    message = _error([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], tip=SPROUT_TIP, sign=_padding_signer(100_000 - 5))
    assert message == "Transaction too large"
    built = build([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], sign=_padding_signer(150_000))
    assert built.tx.size > 100_000  # allowed after Acadia (up to 2 000 000)


def test_error_too_large_for_fee_policy():
    message = _error([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], policy=FeePolicy(max_tx_fee=10))
    assert message == "Transaction too large for fee policy"


def test_error_too_many_inputs_before_acadia():
    coins = [coin(i, COIN) for i in range(1, 5)]
    context = ChainContext(PARAMS, SPROUT_TIP, mempool_tx_input_limit=2)
    assert _error([Recipient(PAYEE, 3 * COIN)], coins, context=context) == "Too many transparent inputs 3 > limit 2"  # round 1: fee 0
    after = ChainContext(PARAMS, SAPLING_TIP, mempool_tx_input_limit=2)
    assert len(build([Recipient(PAYEE, 3 * COIN)], coins, context=after).tx.vin) == 4


def test_error_expiry_height_threshold():
    context = ChainContext(PARAMS, SAPLING_TIP, expiry_delta=500_000_000)
    assert _error([Recipient(PAYEE, COIN)], [coin(1, 3 * COIN)], context=context) == (
        "nExpiryHeight must be less than TX_EXPIRY_HEIGHT_THRESHOLD."
    )


# ----- properties -----------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(10_000, 5 * COIN), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(1_000, 2 * COIN), st.booleans()), min_size=1, max_size=3),
    st.sampled_from([0, 1000, 1777, 25_000]),
    st.integers(0, 2**32),
)
def test_built_transactions_balance_and_pay_enough(values, payments, pay_rate, seed):
    coins = [coin(i + 1, v) for i, v in enumerate(values)]
    recipients = [Recipient(PAYEE, amount, subtract) for amount, subtract in payments]
    policy = FeePolicy(pay_tx_fee_per_kb=pay_rate)
    try:
        built = build(recipients, coins, policy=policy, seed=seed)
    except TxBuildError as error:
        assert error.message in {
            "Insufficient funds",
            "The transaction amount is too small to pay the fee",
            "The transaction amount is too small to send after the fee has been deducted",
        }
        return
    assert paid_fee(built) == built.fee
    assert built.fee >= minimum_fee(built.tx.size, policy, NoEstimates())
    assert all(out.value >= dust_threshold(out) for out in built.tx.vout)
    for index, (amount, subtract) in enumerate(payments):
        position = index + (1 if 0 <= built.change_position <= index else 0)
        if not subtract:
            assert built.tx.vout[position].value == amount
    assert_verifies(built)
