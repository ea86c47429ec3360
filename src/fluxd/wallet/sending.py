"""Building, signing and committing the wallet's own transactions (C++ CreateTransaction with the wallet's
coins and keys, CommitTransaction, FundTransaction).

``tx_builder`` does the pure part (selection, fee loop, change); this module
hands it the wallet's available coins, a change key reserved from the pool
(kept only when the change output is used, as C++ CReserveKey), the wallet's
keys as signer, then records the transaction and gives it to the mempool.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from fluxd.core.address import Destination
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.wallet.balances import WalletCoin, available_coins
from fluxd.wallet.coin_select import CandidateCoin
from fluxd.wallet.fee_policy import FeeEstimates
from fluxd.wallet.ismine import ISMINE_SPENDABLE
from fluxd.wallet.settings import WalletSettings
from fluxd.wallet.tx_builder import BuildRequest, BuiltTransaction, ChainContext, CoinChoice, Recipient, TxBuildError
from fluxd.wallet.tx_builder import create_transaction, dummy_signer, fund_transaction, keystore_signer
from fluxd.wallet.wallet import Wallet
from fluxd.wallet.wallet_tx import WalletTx

log = logging.getLogger("fluxd.wallet")
KEYPOOL_RAN_OUT_REASON = "Keypool ran out, please call keypoolrefill first"


@dataclass
class SendSetup:
    """What a send needs besides the wallet: settings, the fee estimator, the chain height, coin control."""

    settings: WalletSettings
    estimates: FeeEstimates
    tip_height: int
    from_destination: Destination | None = None  # coin control's fromOnlyDest
    change_destination: Destination | None = None  # coin control's destChange
    rng: random.Random | None = None


class ChangeKey:
    """CReserveKey for the change output: reserved when first needed, kept or returned at the end."""

    def __init__(self, wallet: Wallet, destination: Destination | None) -> None:
        self.wallet, self.destination = wallet, destination
        self.index, self.pubkey = -1, None

    def script(self) -> bytes:
        if self.destination is not None:
            return self.destination.script_pubkey()
        if self.index == -1:
            self.index, self.pubkey = self.wallet.reserve_key()
            if self.index == -1:
                raise TxBuildError(KEYPOOL_RAN_OUT_REASON)
        return p2pkh_script(hash160(self.pubkey))

    def keep(self) -> None:
        if self.index != -1:
            self.wallet.keep_key(self.index)
            self.index = -1

    def release(self) -> None:
        if self.index != -1:
            self.wallet.return_key(self.index, self.pubkey)
            self.index = -1


def candidate(wallet: Wallet, coin: WalletCoin) -> CandidateCoin:
    """C++ COutput as the selector sees it (fromMe: the transaction spends the wallet's coins)."""
    return CandidateCoin(
        coin.wtx.txid_rev, coin.index, coin.value, coin.script_pubkey, coin.depth,
        wallet.debit(coin.wtx.tx) > 0, coin.spendable,
    )


def _request(wallet: Wallet, setup: SendSetup, recipients, change: ChangeKey, choice: CoinChoice, sign) -> BuildRequest:
    coins = tuple(candidate(wallet, coin) for coin in available_coins(wallet, from_destination=setup.from_destination))
    context = ChainContext(wallet.params, setup.tip_height, setup.settings.expiry_delta)
    return BuildRequest(
        tuple(recipients), coins, context, setup.settings.fees, setup.estimates, change.script, sign(context), choice,
    )


def _wallet_coin_lookup(wallet: Wallet) -> Callable[[OutPoint], CandidateCoin | None]:
    def lookup(outpoint: OutPoint) -> CandidateCoin | None:
        wtx = wallet.txs.get(outpoint.txid_rev)
        if wtx is None or outpoint.n >= len(wtx.tx.vout):
            return None
        out = wtx.tx.vout[outpoint.n]
        spendable = bool(wallet.is_mine(out.script_pubkey) & ISMINE_SPENDABLE)
        return CandidateCoin(outpoint.txid_rev, outpoint.n, out.value, out.script_pubkey, wallet.depth(wtx), wallet.debit(wtx.tx) > 0, spendable)

    return lookup


def build_send(wallet: Wallet, setup: SendSetup, recipients: list[Recipient], preset: tuple[OutPoint, ...] = ()) -> tuple[BuiltTransaction, ChangeKey]:
    """CreateTransaction with the wallet's keys; the change key stays reserved until commit (or release)."""
    change = ChangeKey(wallet, setup.change_destination)
    choice = CoinChoice(
        preset=preset, wallet_coin=_wallet_coin_lookup(wallet), allow_other_inputs=not preset,
        spend_zero_conf_change=setup.settings.spend_zero_conf_change,
    )
    with wallet.lock:
        signer = lambda context: keystore_signer(wallet.keys.signing_store(), context.branch_id)  # noqa: E731
        request = _request(wallet, setup, recipients, change, choice, signer)
        try:
            built = create_transaction(request, setup.rng or random.SystemRandom())
        except TxBuildError:
            change.release()
            raise
    return built, change


def commit(wallet: Wallet, built: BuiltTransaction, change: ChangeKey, map_value: dict, submit, relay) -> bool:
    """CommitTransaction: keep the change key, record the transaction as ours, then mempool and relay."""
    with wallet.lock:
        if built.change_position != -1:
            change.keep()
        else:
            change.release()
        wallet.add_to_wallet(WalletTx(built.tx, from_me=True, map_value=dict(map_value)))
    if not wallet.broadcast_transactions:
        return True
    try:
        submit(built.tx)
    except Exception as exc:  # MempoolRejected and friends: the transaction is recorded, not accepted
        log.info("CommitTransaction(): Error: Transaction not valid (%s)", getattr(exc, "reason", exc))
        return False
    relay(built.tx)
    return True


def fund(wallet: Wallet, setup: SendSetup, tx: Transaction) -> tuple[Transaction, int, int]:
    """FundTransaction: inputs and a change output added, nothing signed; the change key goes back to the pool."""
    change = ChangeKey(wallet, setup.change_destination)
    choice = CoinChoice(wallet_coin=_wallet_coin_lookup(wallet), spend_zero_conf_change=setup.settings.spend_zero_conf_change)
    with wallet.lock:
        keys = wallet.keys
        signer = lambda context: dummy_signer(keys.pubkeys.get, keys.scripts.get)  # noqa: E731
        request = _request(wallet, setup, [], change, choice, signer)
        try:
            return fund_transaction(tx, request, setup.rng or random.SystemRandom())
        finally:
            change.release()
