"""Credits, balances and spendable coins of the wallet (C++ CWalletTx::Get*Credit, CWallet::Get*Balance, AvailableCoins)."""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.core.address import Destination
from fluxd.core.script import is_p2sh
from fluxd.wallet.chain_access import blocks_to_maturity, is_final
from fluxd.wallet.ismine import ISMINE_ALL, ISMINE_NO, ISMINE_SPENDABLE, ISMINE_WATCH_ONLY, extract_destination
from fluxd.wallet.wallet_tx import WalletTx


@dataclass(frozen=True, slots=True)
class WalletCoin:
    """C++ COutput: an output of a wallet transaction, its depth and whether the wallet can sign for it."""

    wtx: WalletTx
    index: int
    depth: int
    spendable: bool

    @property
    def value(self) -> int:
        return self.wtx.tx.vout[self.index].value

    @property
    def script_pubkey(self) -> bytes:
        return self.wtx.tx.vout[self.index].script_pubkey


@dataclass(frozen=True, slots=True)
class OutputEntry:
    """C++ COutputEntry: a destination (None: unknown), an amount, the output's position."""

    destination: Destination | None
    amount: int
    vout: int


def credit(wallet, wtx: WalletTx, filter_: int) -> int:
    """GetCredit of a wallet transaction: 0 while a coinbase is immature."""
    if wtx.is_coinbase and blocks_to_maturity(wallet.chain, wtx) > 0:
        return 0
    return sum(out.value for out in wtx.tx.vout if wallet.is_mine(out.script_pubkey) & filter_)


def available_credit(wallet, wtx: WalletTx, filter_: int = ISMINE_SPENDABLE, index: int = -1) -> int:
    """GetAvailableCredit: the unspent outputs owned under ``filter_`` (one output when ``index`` >= 0)."""
    if wtx.is_coinbase and blocks_to_maturity(wallet.chain, wtx) > 0:
        return 0
    total = 0
    for position, out in enumerate(wtx.tx.vout):
        if index > -1 and position != index:
            continue
        if not wallet.is_spent(wtx.txid_rev, position) and wallet.is_mine(out.script_pubkey) & filter_:
            total += out.value
    return total


def immature_credit(wallet, wtx: WalletTx, filter_: int = ISMINE_SPENDABLE) -> int:
    if wtx.is_coinbase and blocks_to_maturity(wallet.chain, wtx) > 0 and wallet.depth(wtx) > 0:
        return sum(out.value for out in wtx.tx.vout if wallet.is_mine(out.script_pubkey) & filter_)
    return 0


def is_trusted(wallet, wtx: WalletTx) -> bool:
    """IsTrusted: confirmed, or unconfirmed and spending only the wallet's own spendable outputs."""
    if not is_final(wallet.chain, wtx.tx):
        return False
    depth = wallet.depth(wtx)
    if depth >= 1:
        return True
    if depth < 0 or not wallet.spend_zero_conf_change or wallet.debit(wtx.tx, ISMINE_ALL) <= 0:
        return False
    for txin in wtx.tx.vin:
        parent = wallet.txs.get(txin.prevout.txid_rev)
        if parent is None:
            return False
        if wallet.is_mine(parent.tx.vout[txin.prevout.n].script_pubkey) != ISMINE_SPENDABLE:
            return False
    return True


def balance(wallet, filter_: int = ISMINE_SPENDABLE) -> int:
    """GetBalance (ISMINE_SPENDABLE) / GetWatchOnlyBalance (ISMINE_WATCH_ONLY): trusted, available credit."""
    with wallet.lock:
        return sum(available_credit(wallet, wtx, filter_) for wtx in wallet.txs.values() if is_trusted(wallet, wtx))


def unconfirmed_balance(wallet, filter_: int = ISMINE_SPENDABLE) -> int:
    with wallet.lock:
        total = 0
        for wtx in wallet.txs.values():
            if not is_final(wallet.chain, wtx.tx) or (not is_trusted(wallet, wtx) and wallet.depth(wtx) == 0):
                total += available_credit(wallet, wtx, filter_)
        return total


def immature_balance(wallet, filter_: int = ISMINE_SPENDABLE) -> int:
    with wallet.lock:
        return sum(immature_credit(wallet, wtx, filter_) for wtx in wallet.txs.values())


def available_coins(
    wallet,
    only_confirmed: bool = True,
    include_zero_value: bool = False,
    include_coinbase: bool = True,
    from_destination: Destination | None = None,
    selected: set | None = None,
) -> list[WalletCoin]:
    """AvailableCoins (ALL_COINS): unspent, unlocked outputs of final, mature, not conflicted transactions.

    As C++, a P2SH output the wallet cannot sign for is listed too (not spendable).
    ``selected``: coin control's chosen outpoints (only those, when given).
    """
    coins: list[WalletCoin] = []
    with wallet.lock:
        for wtx in wallet.txs.values():
            if not is_final(wallet.chain, wtx.tx) or (only_confirmed and not is_trusted(wallet, wtx)):
                continue
            if wtx.is_coinbase and (not include_coinbase or blocks_to_maturity(wallet.chain, wtx) > 0):
                continue
            depth = wallet.depth(wtx)
            if depth < 0:
                continue
            coins.extend(_coins_of(wallet, wtx, depth, include_zero_value, from_destination, selected))
    return coins


def _coins_of(wallet, wtx, depth, include_zero_value, from_destination, selected):
    for index, out in enumerate(wtx.tx.vout):
        mine = wallet.is_mine(out.script_pubkey)
        if wallet.is_spent(wtx.txid_rev, index):
            continue
        if mine == ISMINE_NO and not is_p2sh(out.script_pubkey):
            continue
        outpoint = (wtx.txid_rev, index)
        if outpoint in wallet.locked_coins:
            continue
        if out.value <= 0 and not include_zero_value:
            continue
        if selected is not None and outpoint not in selected:
            continue
        if from_destination is not None:
            destination = extract_destination(out.script_pubkey)
            if destination is not None and destination != from_destination:
                continue
        yield WalletCoin(wtx, index, depth, bool(mine & ISMINE_SPENDABLE))


def is_change(wallet, script_pubkey: bytes) -> bool:
    """IsChange: an output the wallet owns whose address is not in the address book."""
    if wallet.is_mine(script_pubkey) == ISMINE_NO:
        return False
    destination = extract_destination(script_pubkey)
    if destination is None:
        return True
    return wallet.address_of(destination) not in wallet.address_book


def amounts(wallet, wtx: WalletTx, filter_: int) -> tuple[list[OutputEntry], list[OutputEntry], int]:
    """GetAmounts: (received, sent, fee) of a transparent wallet transaction; change is not reported."""
    debit = wallet.debit(wtx.tx, filter_)
    fee = debit - value_out(wtx.tx) + shielded_value_in(wtx.tx) if debit > 0 else 0
    received: list[OutputEntry] = []
    sent: list[OutputEntry] = []
    for index, out in enumerate(wtx.tx.vout):
        mine = wallet.is_mine(out.script_pubkey)
        if debit > 0:
            if is_change(wallet, out.script_pubkey):
                continue
        elif not mine & filter_:
            continue
        entry = OutputEntry(extract_destination(out.script_pubkey), out.value, index)
        if debit > 0:
            sent.append(entry)
        if mine & filter_:
            received.append(entry)
    return received, sent, fee


def value_out(tx) -> int:
    """GetValueOut: transparent outputs, JoinSplit vpub_old and a negative Sapling value balance."""
    return sum(out.value for out in tx.vout) + sum(js.vpub_old for js in tx.joinsplits) + max(0, -tx.value_balance)


def shielded_value_in(tx) -> int:
    """GetShieldedValueIn: JoinSplit vpub_new and a positive Sapling value balance."""
    return sum(js.vpub_new for js in tx.joinsplits) + max(0, tx.value_balance)


ISMINE_FILTERS = {"spendable": ISMINE_SPENDABLE, "watch": ISMINE_WATCH_ONLY, "all": ISMINE_ALL}
