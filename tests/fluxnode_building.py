"""Test framework: build and sign real fluxnode transactions (START v5/v6, delegates, CONFIRM).

Layouts follow CONSENSUS_TRANSACTIONS.md §1.3-1.5, signatures §2.5: every
signature is a compact recoverable signature over the signed-message hash, and
the recovered key must serialize like the expected key, so a key's compression
(``PrivateKey.compressed``) decides the signature header.  Secrets may be given
as a ``PrivateKey`` or as 32 raw bytes (then the key is compressed).

Benchmark signatures need a key nobody has for the real chains:
``TEST_BENCHMARK_KEY`` with ``benchmark_test_params()`` (regtest params as
``-regtestbenchmarkpubkey`` makes them) is the pair the tests use.
"""

from __future__ import annotations

from dataclasses import replace

from fluxd.consensus.fluxnode_sigs import benchmark_message, confirm_message, start_message
from fluxd.core.ecdsa import sign_message
from fluxd.core.fluxnode_tx import (
    CONFIRM_INITIAL,
    DELEGATES_INITIAL_VERSION,
    DELEGATES_MAX_KEYS,
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_CONFIRM_TX_TYPE,
    FLUXNODE_INTERNAL_NORMAL_TX_VERSION,
    FLUXNODE_INTERNAL_P2SH_TX_VERSION,
    FLUXNODE_START_TX_TYPE,
    FLUXNODE_TX_FEATURE_DELEGATES_BIT,
    FLUXNODE_TX_TYPE_NORMAL_BIT,
    FLUXNODE_TX_TYPE_P2SH_BIT,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FLUXNODE_TX_VERSION,
    FluxnodeConfirm,
    FluxnodeDelegates,
    FluxnodeStart,
)
from fluxd.core.keys import PrivateKey
from fluxd.core.standard import multisig_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.networks import regtest_params

TEST_BENCHMARK_KEY = PrivateKey(bytes.fromhex("be" * 32), compressed=False)
NORMAL_WITH_DELEGATES = FLUXNODE_TX_TYPE_NORMAL_BIT | FLUXNODE_TX_FEATURE_DELEGATES_BIT
P2SH_WITH_DELEGATES = FLUXNODE_TX_TYPE_P2SH_BIT | FLUXNODE_TX_FEATURE_DELEGATES_BIT


def benchmark_test_params(benchmark_pubkey: bytes = TEST_BENCHMARK_KEY.pubkey) -> ChainParams:
    """Regtest params whose only benchmarking key is ``benchmark_pubkey`` (from time 0)."""
    return regtest_params(benchmark_pubkey=benchmark_pubkey)


class KnownFluxnodes:
    """A FluxnodeKeys stub: the operator key and stored delegate keys of some collaterals."""

    def __init__(self, operator_keys: dict | None = None, delegates: dict | None = None) -> None:
        self.operator_keys = dict(operator_keys or {})
        self.delegates = dict(delegates or {})

    def operator_pubkey(self, collateral) -> bytes | None:
        return self.operator_keys.get(collateral)

    def delegate_keys(self, collateral) -> list[bytes] | None:
        return self.delegates.get(collateral)


def as_private_key(secret: PrivateKey | bytes) -> PrivateKey:
    return secret if isinstance(secret, PrivateKey) else PrivateKey(bytes(secret))


def multisig_redeem_script(required: int, keys: list[PrivateKey | bytes]) -> bytes:
    """An m-of-n multisig redeem script over the public keys of ``keys`` (private keys or pubkeys)."""
    pubkeys = [key.pubkey if isinstance(key, PrivateKey) else key for key in keys]
    return multisig_script(required, pubkeys)


# ----- delegates --------------------------------------------------------------


def delegates_update(delegate_pubkeys: list[bytes]) -> FluxnodeDelegates:
    """The UPDATE block: the (up to 4, compressed) delegate keys to store; an empty list deletes them."""
    if len(delegate_pubkeys) > DELEGATES_MAX_KEYS:
        raise ValueError(f"at most {DELEGATES_MAX_KEYS} delegate keys")
    return FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_UPDATE, tuple(delegate_pubkeys))


def delegates_signing() -> FluxnodeDelegates:
    """The SIGNING block: the START is signed by one of the stored delegate keys."""
    return FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_SIGNING)


def _delegate_fields(delegates: FluxnodeDelegates | None) -> dict:
    if delegates is None:
        return {}
    return {"using_delegates": True, "delegates": delegates}


# ----- START ------------------------------------------------------------------


def sign_start(tx: Transaction, signer: PrivateKey | bytes) -> Transaction:
    """Sign a START: the message is its txid in display hex, which leaves the signature out."""
    key = as_private_key(signer)
    signature = sign_message(key.secret, start_message(tx), key.compressed)
    return tx.copy_with(fluxnode=replace(tx.fluxnode, sig=signature))


def build_start_v5(
    collateral: OutPoint, collateral_secret: PrivateKey | bytes, operator_pubkey: bytes, sig_time: int
) -> Transaction:
    """A v5 START signed by the collateral key (whose pubkey it carries)."""
    key = as_private_key(collateral_secret)
    payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, collateral, key.pubkey, operator_pubkey, sig_time, b"")
    return sign_start(Transaction(version=FLUXNODE_TX_VERSION, fluxnode=payload), key)


def build_start_v6_normal(
    collateral: OutPoint,
    collateral_secret: PrivateKey | bytes,
    operator_pubkey: bytes,
    sig_time: int,
    delegates: FluxnodeDelegates | None = None,
    flux_tx_version: int | None = None,
) -> Transaction:
    """A v6 normal (P2PKH collateral) START signed by the collateral key.

    ``flux_tx_version`` defaults to the legacy value 1, or to the normal and
    delegates bits when ``delegates`` is given.
    """
    key = as_private_key(collateral_secret)
    if flux_tx_version is None:
        flux_tx_version = FLUXNODE_INTERNAL_NORMAL_TX_VERSION if delegates is None else NORMAL_WITH_DELEGATES
    payload = FluxnodeStart(
        FLUXNODE_START_TX_TYPE, collateral, key.pubkey, operator_pubkey, sig_time, b"",
        flux_tx_version, **_delegate_fields(delegates),
    )  # fmt: skip
    return sign_start(Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload), key)


def build_start_v6_p2sh(
    collateral: OutPoint,
    redeem_script: bytes,
    signer_secret: PrivateKey | bytes,
    operator_pubkey: bytes,
    sig_time: int,
    delegates: FluxnodeDelegates | None = None,
    flux_tx_version: int | None = None,
) -> Transaction:
    """A v6 P2SH (multisig collateral) START with one signature by any key of ``redeem_script``.

    ``flux_tx_version`` defaults to the legacy value 2, or to the P2SH and
    delegates bits when ``delegates`` is given.
    """
    if flux_tx_version is None:
        flux_tx_version = FLUXNODE_INTERNAL_P2SH_TX_VERSION if delegates is None else P2SH_WITH_DELEGATES
    payload = FluxnodeStart(
        FLUXNODE_START_TX_TYPE, collateral, b"", operator_pubkey, sig_time, b"",
        flux_tx_version, redeem_script, **_delegate_fields(delegates),
    )  # fmt: skip
    return sign_start(Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload), signer_secret)


def build_start_v6_delegates_update(
    collateral: OutPoint,
    collateral_secret: PrivateKey | bytes,
    operator_pubkey: bytes,
    sig_time: int,
    delegate_pubkeys: list[bytes],
) -> Transaction:
    """A v6 normal START that stores ``delegate_pubkeys`` as the node's delegates (signed by the collateral key)."""
    return build_start_v6_normal(
        collateral, collateral_secret, operator_pubkey, sig_time, delegates_update(delegate_pubkeys)
    )


def build_start_v6_signed_by_delegate(
    collateral: OutPoint,
    collateral_pubkey: bytes,
    delegate_secret: PrivateKey | bytes,
    operator_pubkey: bytes,
    sig_time: int,
) -> Transaction:
    """A v6 normal START of someone else's collateral, signed by one of its stored delegate keys."""
    payload = FluxnodeStart(
        FLUXNODE_START_TX_TYPE, collateral, collateral_pubkey, operator_pubkey, sig_time, b"",
        NORMAL_WITH_DELEGATES, **_delegate_fields(delegates_signing()),
    )  # fmt: skip
    return sign_start(Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload), delegate_secret)


# ----- CONFIRM ----------------------------------------------------------------


def sign_confirm(tx: Transaction, operator_secret: PrivateKey | bytes, benchmark_secret: PrivateKey | bytes) -> Transaction:
    """The operator signature first: the benchmark message contains it."""
    operator, benchmark = as_private_key(operator_secret), as_private_key(benchmark_secret)
    confirm = tx.fluxnode
    confirm = replace(confirm, sig=sign_message(operator.secret, confirm_message(confirm), operator.compressed))
    benchmark_sig = sign_message(benchmark.secret, benchmark_message(confirm), benchmark.compressed)
    return tx.copy_with(fluxnode=replace(confirm, benchmark_sig=benchmark_sig))


def build_confirm(
    collateral: OutPoint,
    operator_secret: PrivateKey | bytes,
    benchmark_secret: PrivateKey | bytes,
    update_type: int = CONFIRM_INITIAL,
    ip: str | bytes = "127.0.0.1:16125",
    sig_time: int = 0,
    benchmark_tier: int = 1,
    benchmark_sig_time: int = 0,
    tx_version: int = FLUXNODE_TX_VERSION,
) -> Transaction:
    """A CONFIRM signed by the operator key and by the benchmarking key (v5 by default; v6 has the same layout)."""
    ip_bytes = ip.encode() if isinstance(ip, str) else bytes(ip)
    payload = FluxnodeConfirm(
        FLUXNODE_CONFIRM_TX_TYPE, collateral, sig_time, benchmark_tier, benchmark_sig_time, update_type, ip_bytes,
        b"", b"",
    )  # fmt: skip
    return sign_confirm(Transaction(version=tx_version, fluxnode=payload), operator_secret, benchmark_secret)
