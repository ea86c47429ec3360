"""Fluxnode transaction rules that need the list and the collateral coin (CONSENSUS_TRANSACTIONS.md §6.3, §6.4).

C++: ``CCoinsViewCache::CheckFluxnodeTxInput`` (coins.cpp), the fluxnode part of
``ContextualCheckTransaction`` and ``CheckNewStartTx`` (main.cpp, fluxnode.cpp).
``record`` is what the list holds for the collateral as of the block's parent
(anything with ``status``, ``tier``, ``ip``, ``last_confirmed_height``; None when
not in the list), ``coin`` the collateral coin as the block sees it (None when
missing or spent).  Failures raise ``ValidationError`` with the C++ reason and
DoS level, blamed on the transaction.
"""

from __future__ import annotations

from typing import Protocol

from fluxd.consensus.fluxnode_sigs import key_for_time
from fluxd.consensus.fluxnode_windows import COLLATERAL_MIN_CONFIRMATIONS, update_gap_ok
from fluxd.consensus.validation import ValidationError
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, CONFIRM_UPDATE, FluxnodeConfirm, FluxnodeStart, is_p2sh_layout
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script, p2sh_script
from fluxd.core.standard import TX_PUBKEY, TX_PUBKEYHASH, TX_SCRIPTHASH, solver
from fluxd.core.transaction import Transaction
from fluxd.params.chainparams import ChainParams
from fluxd.params.fluxnode_tiers import tier_from_collateral
from fluxd.params.upgrades import Upgrade, network_upgrade_active

STARTED, DOS, CONFIRMED = 1, 2, 3


class CollateralCoin(Protocol):
    value: int
    script_pubkey: bytes
    height: int


def _fail(tx: Transaction, reason: str, dos: int = 100) -> ValidationError:
    return ValidationError(reason, dos).blaming(tx.txid_rev)


def is_p2sh_fluxnode_key(params: ChainParams, pubkey: bytes) -> bool:
    """IsAP2SHFluxNodePublicKey: the collateral key is one of the foundation's P2SH node keys."""
    return any(pubkey == key for key, _ in params.p2sh_pubkeys)


def is_v6_p2sh_start(start: FluxnodeStart) -> bool:
    return start.flux_tx_version is not None and is_p2sh_layout(start.flux_tx_version)


def check_fluxnode_tx_input(params: ChainParams, tx: Transaction, height: int, coin: CollateralCoin | None) -> tuple[int, int]:
    """CheckFluxnodeTxInput: (tier, collateral amount); reason bad-txns-fluxnode-tx-inputs-missingorspent-<why>."""
    payload = tx.fluxnode
    collateral_pubkey = getattr(payload, "collateral_pubkey", b"")
    why = None
    tier = None
    if coin is None:
        why = "Coins not available"
    elif height - coin.height < COLLATERAL_MIN_CONFIRMATIONS:
        why = "Minimum height requirement not met"
    elif (tier := tier_from_collateral(params, height, coin.value)) is None:
        why = "Couldn't get coin tier from amount"
    elif is_p2sh_fluxnode_key(params, collateral_pubkey) and not network_upgrade_active(params, height, Upgrade.HALVING):
        why = "Using P2SH collateral key before it is active"
    elif tx.version == 6 and not network_upgrade_active(params, height, Upgrade.P2SHNODES):
        why = "Using P2SH nodes before it is active"
    elif network_upgrade_active(params, height, Upgrade.P2SHNODES) and is_p2sh_fluxnode_key(params, collateral_pubkey):
        why = "Old Style P2SH Nodes is no longer available. Please use new transaction version 6 style."
    if why is not None:
        raise _fail(tx, f"bad-txns-fluxnode-tx-inputs-missingorspent-{why}")
    return int(tier), coin.value


def _destination(script: bytes) -> tuple[str, bytes] | None:
    """ExtractDestination: a key id (P2PKH, or P2PK's key hashed) or a script id."""
    kind, solutions = solver(script)
    if kind == TX_PUBKEYHASH:
        return "key", solutions[0]
    if kind == TX_PUBKEY:
        return "key", hash160(solutions[0])
    if kind == TX_SCRIPTHASH:
        return "script", solutions[0]
    return None


def check_start(params: ChainParams, tx: Transaction, record, coin: CollateralCoin | None) -> None:
    """The START part of ContextualCheckTransaction (in blocks) and CheckNewStartTx."""
    start: FluxnodeStart = tx.fluxnode
    if record is not None and record.status in (STARTED, DOS):
        raise _fail(tx, "fluxnode-tx-already-in-chain-or-waiting-for-dos-unban")
    if record is not None:
        raise _fail(tx, "fluxnode-tx-already-in-confirm-chain")
    if coin is None:
        raise _fail(tx, "fluxnode-tx-coins-not-found")
    destination = _destination(coin.script_pubkey)
    if destination is None:
        raise _fail(tx, "fluxnode-tx-failed-to-extract-destination")
    kind, hashed = destination
    v6_p2sh = is_v6_p2sh_start(start)
    if start.flux_tx_version is not None and not v6_p2sh and solver(coin.script_pubkey)[0] != TX_PUBKEYHASH:
        raise _fail(tx, "fluxnode-tx-normal-version-not-p2pkh-script")
    if v6_p2sh and kind != "script":
        raise _fail(tx, "fluxnode-tx-p2sh-version-not-p2sh-script")
    if kind == "script":
        if v6_p2sh:
            if hash160(start.redeem_script) != hashed:
                raise _fail(tx, "fluxnode-tx-p2shnodes-destinations-didn't-match")
        elif start.collateral_pubkey != key_for_time(params.p2sh_pubkeys, start.sig_time):
            raise _fail(tx, "fluxnode-tx-p2sh-publickeys-didn't-match")
    elif kind != "key" or hashed != hash160(start.collateral_pubkey):
        raise _fail(tx, "fluxnode-tx-destinations-didn't-match")


def payee_script(params: ChainParams, start: FluxnodeStart, coin: CollateralCoin) -> bytes:
    """GetNextPayment's destination: the redeem script's hash (v6 P2SH), the coin's own script (foundation
    P2SH keys), else P2PKH of the collateral key (even when the collateral is P2PK)."""
    if is_v6_p2sh_start(start):
        return p2sh_script(hash160(start.redeem_script))
    if is_p2sh_fluxnode_key(params, start.collateral_pubkey):
        return coin.script_pubkey
    return p2pkh_script(hash160(start.collateral_pubkey))


def check_confirm(params: ChainParams, tx: Transaction, height: int, record) -> None:
    """The CONFIRM part of ContextualCheckTransaction at tip+1 (the deferrals of C++ do not arise here)."""
    confirm: FluxnodeConfirm = tx.fluxnode
    if record is not None and record.tier > confirm.benchmark_tier:
        raise _fail(tx, "fluxnode-tx-benchmark-tier-to-low-for-collateral")
    if record is None:
        raise _fail(tx, "fluxnode-tx-confirm-data-not-found", 0)
    if confirm.update_type == CONFIRM_INITIAL:
        if record.status != STARTED:
            raise _fail(tx, "fluxnode-tx-invalid-confirm-outpoint-not-started")
    elif confirm.update_type == CONFIRM_UPDATE:
        if record.status != CONFIRMED:
            raise _fail(tx, "fluxnode-tx-invalid-update-confirm-outpoint-not-confirmed")
        ip = confirm.ip.decode("utf-8", "surrogateescape")
        if not update_gap_ok(params, height, record.last_confirmed_height, ip != record.ip):
            raise _fail(tx, "fluxnode-tx-invalid-update-confirm-outpoint-not-confirmed-or-too-soon")
    else:
        raise _fail(tx, "fluxnode-tx-malicious-update-type")
