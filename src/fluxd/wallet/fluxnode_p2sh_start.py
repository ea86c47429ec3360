"""P2SH (multisig collateral) START transactions as the C++ P2SH start RPCs build them (createp2shstarttx,
signp2shstarttx, startp2shasdelegate): a v6 START that carries the redeem script instead of a collateral key,
signed once, by any key of the redeem script (or by a stored delegate key).

The signature is a compact signature over the txid in display hex (the txid leaves the signature out), so
signing sets the sigTime first and signs the resulting txid.
"""

from __future__ import annotations

from dataclasses import replace

from fluxd.consensus.fluxnode_sigs import start_message, verify_signed_message
from fluxd.core.ecdsa import sign_message
from fluxd.core.fluxnode_tx import (
    DELEGATES_INITIAL_VERSION,
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_INTERNAL_P2SH_TX_VERSION,
    FLUXNODE_START_TX_TYPE,
    FLUXNODE_TX_FEATURE_DELEGATES_BIT,
    FLUXNODE_TX_TYPE_P2SH_BIT,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FluxnodeDelegates,
    FluxnodeStart,
    pubkey_length_from_header,
)
from fluxd.core.keys import PrivateKey
from fluxd.core.standard import multisig_pubkeys
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint

P2SH_WITH_DELEGATES = FLUXNODE_TX_TYPE_P2SH_BIT | FLUXNODE_TX_FEATURE_DELEGATES_BIT


def cpubkey(data: bytes) -> bytes:
    """CPubKey(vector): the bytes when their length is the one the header byte implies, else the invalid
    (empty, as it serializes) key."""
    if data and pubkey_length_from_header(data[0]) == len(data):
        return bytes(data)
    return b""


def p2sh_flux_tx_version(pon_active: bool, with_delegates: bool) -> int:
    """Bit-based versions once PoN is active at the next height; the legacy value 2 before (which has no
    delegates bit, so delegate keys given then are not serialized, as in C++)."""
    if not pon_active:
        return FLUXNODE_INTERNAL_P2SH_TX_VERSION
    return P2SH_WITH_DELEGATES if with_delegates else FLUXNODE_TX_TYPE_P2SH_BIT


def unsigned_p2sh_start(collateral: OutPoint, redeem_script: bytes, vps_pubkey: bytes, flux_tx_version: int,
                        delegate_pubkeys: list[bytes]) -> Transaction:  # fmt: skip
    """createp2shstarttx's transaction: no sigTime, no signature; delegate keys as an UPDATE block."""
    delegates = None
    if delegate_pubkeys:
        delegates = FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_UPDATE, tuple(delegate_pubkeys))
    payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, collateral, b"", vps_pubkey, 0, b"", flux_tx_version,
                            redeem_script, bool(delegate_pubkeys), delegates)  # fmt: skip
    return Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload)


def delegate_p2sh_start(collateral: OutPoint, redeem_script: bytes, vps_pubkey: bytes) -> Transaction:
    """startp2shasdelegate's unsigned transaction: P2SH and delegates bits, a SIGNING delegates block."""
    payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, collateral, b"", vps_pubkey, 0, b"", P2SH_WITH_DELEGATES,
                            redeem_script, True, FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_SIGNING))  # fmt: skip
    return Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload)


def signed_at(tx: Transaction, key: PrivateKey, sig_time: int) -> Transaction:
    """Set the sigTime (u32 on the wire), then sign the txid it gives with ``key``."""
    timed = tx.copy_with(fluxnode=replace(tx.fluxnode, sig_time=sig_time & 0xFFFFFFFF))
    signature = sign_message(key.secret, start_message(timed), key.compressed)
    return timed.copy_with(fluxnode=replace(timed.fluxnode, sig=signature))


def redeem_script_of(tx: Transaction) -> bytes:
    """P2SHRedeemScript: empty for anything but a START read with the P2SH layout."""
    payload = tx.fluxnode
    return payload.redeem_script if isinstance(payload, FluxnodeStart) else b""


def redeem_pubkeys(tx: Transaction) -> list[bytes] | None:
    """ListPubKeysFromMultiSigScript over the transaction's redeem script (None: not multisig, or no valid key)."""
    return multisig_pubkeys(redeem_script_of(tx))


def signed_by_any(tx: Transaction, pubkeys: list[bytes]) -> bool:
    return any(verify_signed_message(pubkey, tx.fluxnode.sig, start_message(tx)) for pubkey in pubkeys)
