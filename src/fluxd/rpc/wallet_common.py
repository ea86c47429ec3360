"""What every wallet RPC shares (C++ rpcwallet.cpp helpers): the wallet, unlocked checks, accounts, amounts."""

from __future__ import annotations

from contextlib import contextmanager

from fluxd.core.address import AddressError, Destination, decode_destination
from fluxd.core.amount import AmountError, parse_amount
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_METHOD_NOT_FOUND, RPC_TYPE_ERROR, RPCError
from fluxd.rpc.params import get_bool, get_int, get_str
from fluxd.wallet.ismine import ISMINE_ALL, ISMINE_SPENDABLE
from fluxd.wallet.wallet import Wallet, WalletError

RPC_WALLET_INSUFFICIENT_FUNDS = -6
RPC_WALLET_ACCOUNTS_UNSUPPORTED = -11
RPC_WALLET_KEYPOOL_RAN_OUT = -12
RPC_WALLET_UNLOCK_NEEDED = -13
RPC_WALLET_PASSPHRASE_INCORRECT = -14
RPC_WALLET_WRONG_ENC_STATE = -15
RPC_WALLET_ENCRYPTION_FAILED = -16
RPC_WALLET_ALREADY_UNLOCKED = -17

UNLOCK_NEEDED_TEXT = "Error: Please enter the wallet passphrase with walletpassphrase first."
KEYPOOL_RAN_OUT_TEXT = "Error: Keypool ran out, please call keypoolrefill first"
INVALID_ADDRESS_TEXT = "Invalid Flux address"


def node_wallet(node) -> Wallet:
    """EnsureWalletIsAvailable, then wait until the chain and mempool events queued so far are applied."""
    wallet = node.wallet
    if wallet is None:
        raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found (disabled)")
    if node.wallet_service is not None:
        node.wallet_service.sync()
    return wallet


@contextmanager
def wallet_errors():
    """A WalletError raised inside becomes the RPC error it names."""
    try:
        yield
    except WalletError as exc:
        raise RPCError(exc.code, exc.message) from None


def ensure_unlocked(wallet: Wallet) -> None:
    if wallet.keys.locked:
        raise RPCError(RPC_WALLET_UNLOCK_NEEDED, UNLOCK_NEEDED_TEXT)


def passphrase_help(wallet: Wallet) -> str:
    """HelpRequiringPassphrase."""
    return "\nRequires wallet passphrase to be set with walletpassphrase call." if wallet.keys.encrypted else ""


def account_from_value(value) -> str:
    """AccountFromValue: only the default account "" exists (Zcash removed the others)."""
    account = get_str(value)
    if account != "":
        raise RPCError(RPC_WALLET_ACCOUNTS_UNSUPPORTED, "Accounts are unsupported")
    return account


def destination_param(node, value, message: str = INVALID_ADDRESS_TEXT) -> Destination:
    try:
        return decode_destination(get_str(value), node.params.base58)
    except AddressError:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, message) from None


def amount_value(value) -> int:
    """AmountFromValue (RPC_TYPE_ERROR for a bad amount)."""
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise RPCError(RPC_TYPE_ERROR, str(exc)) from None


def min_depth_param(params: list, position: int, default: int = 1) -> int:
    """params[position].get_int() when given (a JSON null fails, as in C++)."""
    return get_int(params[position]) if len(params) > position else default


def watch_filter(params: list, position: int) -> int:
    """includeWatchonly: ISMINE_SPENDABLE, or ISMINE_ALL when true."""
    if len(params) > position and get_bool(params[position]):
        return ISMINE_ALL
    return ISMINE_SPENDABLE
