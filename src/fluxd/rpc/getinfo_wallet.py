"""getinfo's wallet fields (C++ rpc/misc.cpp getinfo under ENABLE_WALLET), each group at its C++ place.

walletversion and balance follow protocolversion; keypoololdest and
keypoolsize follow testnet, then unlocked_until (encrypted wallets only) and
paytxfee, which C++ writes even when the wallet is disabled.
"""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.wallet import balances
from fluxd.wallet.settings import WalletSettingsError, wallet_settings

WALLET_VERSION = 60000  # C++ FEATURE_LATEST, as getwalletinfo reports it


def _synced_wallet(node):
    wallet = getattr(node, "wallet", None)
    service = getattr(node, "wallet_service", None)
    if wallet is not None and service is not None:
        service.sync()
    return wallet


def _configured_pay_tx_fee(node) -> int:
    """C++ parses -paytxfee into the global payTxFee even with -disablewallet."""
    args = getattr(node, "args", None)
    if args is None:
        return 0
    try:
        return wallet_settings(args).fees.pay_tx_fee_per_kb
    except WalletSettingsError:
        return 0


def getinfo_wallet_fields(node) -> tuple[dict, dict]:
    """(the fields after protocolversion, the fields after testnet)."""
    wallet = _synced_wallet(node)
    if wallet is None:
        return {}, {"paytxfee": amount_to_decimal(_configured_pay_tx_fee(node))}
    with wallet.lock:
        early = {"walletversion": WALLET_VERSION, "balance": amount_to_decimal(balances.balance(wallet))}
        late: dict = {"keypoololdest": wallet.oldest_keypool_time(), "keypoolsize": len(wallet.pool)}
        if wallet.keys.encrypted:
            late["unlocked_until"] = wallet.unlocked_until
        late["paytxfee"] = amount_to_decimal(wallet.pay_tx_fee_per_kb)
    return early, late
