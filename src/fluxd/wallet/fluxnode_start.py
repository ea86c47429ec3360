"""The wallet side of starting a fluxnode (C++ ActiveFluxnode::SelectCoinsFluxnode, BuildDeterministicStartTx,
SignDeterministicStartTx, CWallet::GetFluxnodeVinAndKeys): collateral coins of the wallet and the v5 START
transaction signed with the collateral's key, carrying the operator's public key.

Errors are ``StartError`` with the C++ errorMessage text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fluxd.consensus.fluxnode_sigs import start_message
from fluxd.core.ecdsa import sign_message
from fluxd.core.fluxnode_tx import (
    DELEGATES_INITIAL_VERSION,
    DELEGATES_UPDATE,
    FLUXNODE_START_TX_TYPE,
    FLUXNODE_TX_FEATURE_DELEGATES_BIT,
    FLUXNODE_TX_TYPE_NORMAL_BIT,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FLUXNODE_TX_VERSION,
    FluxnodeDelegates,
    FluxnodeStart,
)
from fluxd.core.keys import InvalidKeyError, PrivateKey, decode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params.fluxnode_tiers import tier_from_collateral
from fluxd.wallet.active_fluxnode import uint256_from_hex
from fluxd.wallet.balances import WalletCoin, available_coins
from fluxd.wallet.fluxnode_config import stoi
from fluxd.wallet.ismine import extract_destination

MIN_CONFIRMATIONS = 100  # FLUXNODE_MIN_CONFIRMATION_DETERMINISTIC


class StartError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CollateralCoin:
    coin: WalletCoin
    amount: int

    @property
    def outpoint(self) -> OutPoint:
        return OutPoint(self.coin.wtx.txid_rev, self.coin.index)


def fluxnode_coins(wallet, params, height: int) -> list[CollateralCoin]:
    """SelectCoinsFluxnode: AvailableCoins(ALL_FLUXNODE) (confirmed, no coinbase, locked coins included) whose
    value is a tier's collateral at the tip height, in C++ mapWallet (txid) order."""
    with wallet.lock:
        locked = set(wallet.locked_coins)
        wallet.locked_coins.clear()  # C++ ALL_FLUXNODE does not skip locked coins
        try:
            coins = available_coins(wallet, only_confirmed=True, include_zero_value=False, include_coinbase=False)
        finally:
            wallet.locked_coins.update(locked)
    found = [CollateralCoin(coin, coin.value) for coin in coins if tier_from_collateral(params, height, coin.value)]
    return sorted(found, key=lambda c: (c.coin.wtx.txid_rev[::-1], c.coin.index))


def operator_key(privkey_wif: str, params) -> PrivateKey:
    """CObfuScationSigner::SetKey."""
    try:
        return decode_wif(privkey_wif, params.base58)
    except InvalidKeyError:
        raise StartError("Invalid private key.") from None


def find_collateral(coins: list[CollateralCoin], txhash: str, index_text: str) -> CollateralCoin:
    """GetFluxNodeVin with a given txid and index."""
    index = stoi(index_text)
    if index is None:
        raise StartError("Failed to convert index to an integer")
    txid_rev = uint256_from_hex(txhash)
    for candidate in coins:
        if candidate.coin.wtx.txid_rev == txid_rev and candidate.coin.index == index:
            break
    else:
        raise StartError("Could not find collateral in wallet")
    if candidate.coin.depth < MIN_CONFIRMATIONS:
        left = MIN_CONFIRMATIONS - candidate.coin.depth
        raise StartError(f"Fluxnode hasn't met confirmation requirement (remaining confirmations required: {left})\n")
    return candidate


def collateral_key(wallet, candidate: CollateralCoin) -> PrivateKey | None:
    """GetVinFromOutput for a P2PKH collateral: the wallet's key for its address (None: not a key, or unknown)."""
    destination = extract_destination(candidate.coin.script_pubkey)
    if destination is None or destination.kind != "pubkeyhash":
        return None
    with wallet.lock:
        if wallet.keys.locked:
            return None
        return wallet.keys.private_key(destination.hash160)


def build_start(wallet, params, height: int, privkey_wif: str, txhash: str, index_text: str, now: int,
                delegate_keys: tuple[bytes, ...] | None = None) -> Transaction:
    """BuildDeterministicStartTx then SignDeterministicStartTx: a signed v5 START (StartError otherwise); with
    ``delegate_keys`` (startfluxnodewithdelegates) a v6 normal START carrying them as an UPDATE."""
    try:
        operator = operator_key(privkey_wif, params)
    except StartError as exc:
        raise StartError(f"Can't find keys for fluxnode - {exc.message}") from None
    candidate = find_collateral(fluxnode_coins(wallet, params, height), txhash, index_text)
    key = collateral_key(wallet, candidate)
    if key is None:
        raise StartError(f"Could not allocate vin {txhash}:{index_text} for fluxnode")
    fields: dict = {}
    version = FLUXNODE_TX_VERSION
    if delegate_keys is not None:
        version = FLUXNODE_TX_UPGRADEABLE_VERSION
        fields = {"flux_tx_version": FLUXNODE_TX_TYPE_NORMAL_BIT | FLUXNODE_TX_FEATURE_DELEGATES_BIT,
                  "using_delegates": True,
                  "delegates": FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_UPDATE, tuple(delegate_keys))}  # fmt: skip
    payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, candidate.outpoint, key.pubkey, operator.pubkey, now, b"", **fields)
    unsigned = Transaction(version=version, fluxnode=payload)
    signature = sign_message(key.secret, start_message(unsigned), key.compressed)
    return unsigned.copy_with(fluxnode=replace(payload, sig=signature))
