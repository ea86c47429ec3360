"""The wallet's options (C++ init.cpp AppInit2's wallet part): fees, confirm target, expiry, change, broadcast.

``wallet_settings(args)`` reads them with C++'s checks and messages; a bad value
raises ``WalletSettingsError`` (the node refuses to start, as C++ InitError does).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from fluxd.core.amount import COIN, format_amount, parse_money
from fluxd.mempool.policy import DEFAULT_MIN_RELAY_TX_FEE
from fluxd.wallet.fee_policy import DEFAULT_TRANSACTION_FEE, DEFAULT_TX_CONFIRM_TARGET, FeePolicy
from fluxd.wallet.tx_builder import DEFAULT_TX_EXPIRY_DELTA

log = logging.getLogger("fluxd.wallet")
HIGH_TX_FEE_WARNING = COIN // 100
HIGH_MAX_TX_FEE_WARNING = 100 * HIGH_TX_FEE_WARNING
TX_EXPIRING_SOON_THRESHOLD = 3


class WalletSettingsError(ValueError):
    """An option value C++ refuses with InitError; the text is C++'s."""


@dataclass(frozen=True)
class WalletSettings:
    fees: FeePolicy = FeePolicy()
    expiry_delta: int = DEFAULT_TX_EXPIRY_DELTA
    spend_zero_conf_change: bool = True
    broadcast: bool = True


def _fee_rate_text(rate: int) -> str:
    """CFeeRate::ToString."""
    return f"{format_amount(rate)} FLUX/kB"


def _money(args, name: str, message: str) -> int | None:
    if not args.is_set(name):
        return None
    value = parse_money(args.get(name))
    if value is None:
        raise WalletSettingsError(message.format(value=args.get(name)))
    return value


def wallet_settings(args, min_relay_fee_per_kb: int = DEFAULT_MIN_RELAY_TX_FEE) -> WalletSettings:
    fees = FeePolicy(min_relay_fee_per_kb=min_relay_fee_per_kb, pay_tx_fee_per_kb=DEFAULT_TRANSACTION_FEE)
    min_tx = _money(args, "-mintxfee", "Invalid amount for -mintxfee=<amount>: '{value}'")
    if min_tx is not None:
        if min_tx <= 0:
            raise WalletSettingsError(f"Invalid amount for -mintxfee=<amount>: '{args.get('-mintxfee')}'")
        fees = replace(fees, min_tx_fee_per_kb=min_tx)
    pay = _money(args, "-paytxfee", "Invalid amount for -paytxfee=<amount>: '{value}'")
    if pay is not None:
        if pay > HIGH_TX_FEE_WARNING:
            log.warning("Warning: -paytxfee is set very high! This is the transaction fee you will pay if you send a transaction.")
        if pay < min_relay_fee_per_kb:
            raise WalletSettingsError(
                f"Invalid amount for -paytxfee=<amount>: '{args.get('-paytxfee')}' (must be at least {_fee_rate_text(min_relay_fee_per_kb)})"
            )
        fees = replace(fees, pay_tx_fee_per_kb=pay)
    max_fee = _money(args, "-maxtxfee", "Invalid amount for -maxtxfee=<amount>: '{value}'")
    if max_fee is not None:
        if max_fee > HIGH_MAX_TX_FEE_WARNING:
            log.warning("Warning: -maxtxfee is set very high! Fees this large could be paid on a single transaction.")
        if max_fee < min_relay_fee_per_kb:
            raise WalletSettingsError(
                f"Invalid amount for -maxtxfee=<amount>: '{args.get('-maxtxfee')}' (must be at least the minrelay fee of "
                f"{_fee_rate_text(min_relay_fee_per_kb)} to prevent stuck transactions)"
            )
        fees = replace(fees, max_tx_fee=max_fee)
    fees = replace(
        fees,
        confirm_target=args.get_int("-txconfirmtarget", DEFAULT_TX_CONFIRM_TARGET),
        send_free_transactions=args.get_bool("-sendfreetransactions", False),
    )
    expiry = args.get_int("-txexpirydelta", DEFAULT_TX_EXPIRY_DELTA)
    if expiry < TX_EXPIRING_SOON_THRESHOLD + 1:
        raise WalletSettingsError(f"Invalid value for -expiryDelta='{expiry}' (must be least {TX_EXPIRING_SOON_THRESHOLD + 1})")
    return WalletSettings(
        fees, expiry, args.get_bool("-spendzeroconfchange", True), args.get_bool("-walletbroadcast", True)
    )

