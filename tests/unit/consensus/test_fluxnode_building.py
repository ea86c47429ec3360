"""tests/fluxnode_building.py: built fluxnode txs round-trip, carry valid signatures, match the mainnet layout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fluxd.consensus.fluxnode_sigs import check_benchmark_signature, check_fluxnode_signatures
from fluxd.core.fluxnode_tx import (
    CONFIRM_UPDATE,
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FluxnodeConfirm,
    FluxnodeStart,
)
from fluxd.core.keys import PrivateKey
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.fluxnode_building import (
    NORMAL_WITH_DELEGATES,
    P2SH_WITH_DELEGATES,
    TEST_BENCHMARK_KEY,
    KnownFluxnodes,
    benchmark_test_params,
    build_confirm,
    build_start_v5,
    build_start_v6_delegates_update,
    build_start_v6_normal,
    build_start_v6_p2sh,
    build_start_v6_signed_by_delegate,
    delegates_update,
    multisig_redeem_script,
)
from tests.vectors import load_json

PARAMS = benchmark_test_params()
COLLATERAL = OutPoint(bytes(range(32)), 1)
SIG_TIME = 1_700_000_000
COLLATERAL_KEY = PrivateKey(bytes([1]) * 32)
OPERATOR_KEY = PrivateKey(bytes([2]) * 32, compressed=False)
OTHER_KEY = PrivateKey(bytes([3]) * 32)
MULTISIG_KEYS = [PrivateKey(bytes([10 + index]) * 32) for index in range(3)]
DELEGATE_KEYS = [PrivateKey(bytes([20 + index]) * 32) for index in range(4)]
DELEGATE_PUBKEYS = [key.pubkey for key in DELEGATE_KEYS]
OPERATOR_LIST = KnownFluxnodes({COLLATERAL: OPERATOR_KEY.pubkey}, {COLLATERAL: DELEGATE_PUBKEYS})
MAINNET_FLUXNODE_TXS = [
    entry for entry in load_json("flux_mainnet/transactions.json")["transactions"] if entry["kind"].startswith("fluxnode")
]


def _confirm(**changes) -> Transaction:
    fields = dict(
        collateral=COLLATERAL, operator_secret=OPERATOR_KEY, benchmark_secret=TEST_BENCHMARK_KEY, update_type=0,
        ip="203.0.113.7:16125", sig_time=SIG_TIME, benchmark_tier=2, benchmark_sig_time=SIG_TIME - 60,
    )  # fmt: skip
    return build_confirm(**{**fields, **changes})


def _built_transactions() -> dict[str, Transaction]:
    one_of_two = multisig_redeem_script(1, MULTISIG_KEYS[:2])
    two_of_three = multisig_redeem_script(2, MULTISIG_KEYS)
    operator = OPERATOR_KEY.pubkey
    return {
        "start_v5": build_start_v5(COLLATERAL, COLLATERAL_KEY, operator, SIG_TIME),
        "start_v5_uncompressed": build_start_v5(COLLATERAL, PrivateKey(bytes([4]) * 32, False), operator, SIG_TIME),
        "start_v5_raw_secret": build_start_v5(COLLATERAL, bytes([5]) * 32, operator, SIG_TIME),
        "start_v6_normal": build_start_v6_normal(COLLATERAL, COLLATERAL_KEY, operator, SIG_TIME),
        "start_v6_normal_bit": build_start_v6_normal(COLLATERAL, COLLATERAL_KEY, operator, SIG_TIME, flux_tx_version=1),
        "start_v6_p2sh_1of2_first": build_start_v6_p2sh(COLLATERAL, one_of_two, MULTISIG_KEYS[0], operator, SIG_TIME),
        "start_v6_p2sh_1of2_second": build_start_v6_p2sh(COLLATERAL, one_of_two, MULTISIG_KEYS[1], operator, SIG_TIME),
        "start_v6_p2sh_2of3": build_start_v6_p2sh(COLLATERAL, two_of_three, MULTISIG_KEYS[2], operator, SIG_TIME),
        "start_v6_p2sh_delegates": build_start_v6_p2sh(
            COLLATERAL, two_of_three, MULTISIG_KEYS[1], operator, SIG_TIME, delegates_update(DELEGATE_PUBKEYS[:2])
        ),
        "start_v6_delegates_update": build_start_v6_delegates_update(
            COLLATERAL, COLLATERAL_KEY, operator, SIG_TIME, DELEGATE_PUBKEYS
        ),
        "start_v6_delegates_clear": build_start_v6_delegates_update(COLLATERAL, COLLATERAL_KEY, operator, SIG_TIME, []),
        "start_v6_signed_by_delegate": build_start_v6_signed_by_delegate(
            COLLATERAL, COLLATERAL_KEY.pubkey, DELEGATE_KEYS[3], operator, SIG_TIME
        ),
        "confirm_v5_initial": _confirm(),
        "confirm_v5_update": _confirm(update_type=CONFIRM_UPDATE, benchmark_tier=3),
        "confirm_v6": _confirm(tx_version=FLUXNODE_TX_UPGRADEABLE_VERSION),
        "confirm_compressed_keys": _confirm(operator_secret=bytes([6]) * 32, benchmark_secret=bytes([7]) * 32),
    }


BUILT = _built_transactions()
NAMES = sorted(BUILT)


def _keys_for(name: str) -> KnownFluxnodes:
    if name == "confirm_compressed_keys":
        return KnownFluxnodes({COLLATERAL: PrivateKey(bytes([6]) * 32).pubkey})
    return OPERATOR_LIST


def _params_for(name: str):
    return benchmark_test_params(PrivateKey(bytes([7]) * 32).pubkey) if name == "confirm_compressed_keys" else PARAMS


@pytest.mark.parametrize("name", NAMES)
def test_built_tx_round_trips_byte_equal(name):
    tx = BUILT[name]
    raw = tx.to_bytes()
    parsed = Transaction.from_bytes(raw)
    assert parsed == tx
    assert parsed.to_bytes() == raw
    assert parsed.txid_hum == tx.txid_hum


@pytest.mark.parametrize("name", NAMES)
def test_built_tx_signatures_verify(name):
    tx = Transaction.from_bytes(BUILT[name].to_bytes())
    assert check_fluxnode_signatures(_params_for(name), tx, _keys_for(name))


def _tampered_payloads(payload):
    """The payload with each signed field changed in turn (the signatures left as they were)."""
    if isinstance(payload, FluxnodeStart):
        yield replace(payload, sig_time=payload.sig_time + 1)
        yield replace(payload, pubkey=OTHER_KEY.pubkey)
        yield replace(payload, collateral=OutPoint(payload.collateral.txid_rev, payload.collateral.n + 1))
        if payload.using_delegates and payload.delegates.n_type == DELEGATES_UPDATE:
            yield replace(payload, delegates=delegates_update([OTHER_KEY.pubkey]))
        return
    yield replace(payload, sig_time=payload.sig_time + 1)
    yield replace(payload, update_type=1 - payload.update_type)
    yield replace(payload, collateral=OutPoint(payload.collateral.txid_rev, payload.collateral.n + 1))
    yield replace(payload, benchmark_tier=payload.benchmark_tier % 3 + 1)
    yield replace(payload, benchmark_sig_time=payload.benchmark_sig_time + 1)
    yield replace(payload, ip=payload.ip + b"0")


@pytest.mark.parametrize("name", NAMES)
def test_any_tampered_field_fails(name):
    tx = BUILT[name]
    for payload in _tampered_payloads(tx.fluxnode):
        keys = _keys_for(name)
        if isinstance(payload, FluxnodeConfirm) and payload.collateral != COLLATERAL:
            keys = KnownFluxnodes({payload.collateral: keys.operator_pubkey(COLLATERAL)})
        tampered = tx.copy_with(fluxnode=payload)
        assert not check_fluxnode_signatures(_params_for(name), tampered, keys), payload


def test_start_signed_by_a_key_outside_the_redeem_script_fails():
    script = multisig_redeem_script(1, MULTISIG_KEYS[:2])
    tx = build_start_v6_p2sh(COLLATERAL, script, MULTISIG_KEYS[2], OPERATOR_KEY.pubkey, SIG_TIME)
    assert not check_fluxnode_signatures(PARAMS, tx, OPERATOR_LIST)


def test_start_signed_by_wrong_collateral_key_fails():
    tx = build_start_v5(COLLATERAL, COLLATERAL_KEY, OPERATOR_KEY.pubkey, SIG_TIME)
    forged = tx.copy_with(fluxnode=replace(tx.fluxnode, collateral_pubkey=OTHER_KEY.pubkey))
    assert not check_fluxnode_signatures(PARAMS, forged, OPERATOR_LIST)


def test_delegate_signed_start_needs_the_stored_delegate_keys():
    tx = BUILT["start_v6_signed_by_delegate"]
    assert tx.fluxnode.flux_tx_version == NORMAL_WITH_DELEGATES and tx.fluxnode.delegates.n_type == DELEGATES_SIGNING
    assert not check_fluxnode_signatures(PARAMS, tx, KnownFluxnodes())
    assert not check_fluxnode_signatures(PARAMS, tx, KnownFluxnodes(delegates={COLLATERAL: DELEGATE_PUBKEYS[:3]}))
    by_outsider = build_start_v6_signed_by_delegate(COLLATERAL, COLLATERAL_KEY.pubkey, OTHER_KEY, OPERATOR_KEY.pubkey, 1)
    assert not check_fluxnode_signatures(PARAMS, by_outsider, OPERATOR_LIST)


def test_delegates_update_layout():
    payload = Transaction.from_bytes(BUILT["start_v6_delegates_update"].to_bytes()).fluxnode
    assert payload.flux_tx_version == NORMAL_WITH_DELEGATES and payload.using_delegates
    assert payload.delegates.keys == tuple(DELEGATE_PUBKEYS) and payload.delegates.is_valid()
    assert BUILT["start_v6_p2sh_delegates"].fluxnode.flux_tx_version == P2SH_WITH_DELEGATES
    with pytest.raises(ValueError, match="at most 4"):
        delegates_update(DELEGATE_PUBKEYS + [OTHER_KEY.pubkey])


def test_sizes_match_the_reference():
    """CONSENSUS_TRANSACTIONS.md §1.4: v5 START 211 B, v6 P2SH 1-of-2 START 221 B, CONFIRM 184 B + len(ip)."""
    assert BUILT["start_v5"].size == 211
    script = multisig_redeem_script(1, MULTISIG_KEYS[:2])
    assert len(script) == 71
    assert build_start_v6_p2sh(COLLATERAL, script, MULTISIG_KEYS[0], OTHER_KEY.pubkey, SIG_TIME).size == 221
    confirm = BUILT["confirm_v5_initial"]
    assert confirm.size == 184 + len(confirm.fluxnode.ip)


def test_confirm_needs_the_test_benchmark_key():
    confirm = BUILT["confirm_v5_initial"].fluxnode
    assert check_benchmark_signature(PARAMS, confirm)
    assert not check_benchmark_signature(networks.regtest_params(), confirm)
    assert not check_fluxnode_signatures(networks.regtest_params(), BUILT["confirm_v5_initial"], OPERATOR_LIST)
    wrong_operator = KnownFluxnodes({COLLATERAL: OTHER_KEY.pubkey})
    assert not check_fluxnode_signatures(PARAMS, BUILT["confirm_v5_initial"], wrong_operator)


def test_confirm_without_a_listed_node_checks_only_the_benchmark():
    assert check_fluxnode_signatures(PARAMS, BUILT["confirm_v5_initial"], KnownFluxnodes())


# ----- against the mainnet transactions -----------------------------------------


def _mainnet(kind: str) -> list[Transaction]:
    return [Transaction.from_hex(entry["hex"]) for entry in MAINNET_FLUXNODE_TXS if entry["kind"] == kind]


def _with_real_signatures(built: Transaction, real: Transaction, **keys) -> bytes:
    signatures = {"sig": real.fluxnode.sig, **keys}
    if isinstance(real.fluxnode, FluxnodeConfirm):
        signatures["benchmark_sig"] = real.fluxnode.benchmark_sig
    return built.copy_with(fluxnode=replace(built.fluxnode, **signatures)).to_bytes()


def test_built_v5_start_has_the_mainnet_layout():
    real = _mainnet("fluxnode_start_v5")[0]
    start = real.fluxnode
    own_key = PrivateKey(bytes([8]) * 32, compressed=len(start.collateral_pubkey) == 33)
    built = build_start_v5(start.collateral, own_key, start.pubkey, start.sig_time)
    assert _with_real_signatures(built, real, collateral_pubkey=start.collateral_pubkey) == real.to_bytes()


def test_built_v6_p2sh_start_has_the_mainnet_layout():
    real = _mainnet("fluxnode_start_v6_p2sh")[0]
    start = real.fluxnode
    built = build_start_v6_p2sh(
        start.collateral, start.redeem_script, OTHER_KEY, start.pubkey, start.sig_time,
        flux_tx_version=start.flux_tx_version,
    )  # fmt: skip
    assert _with_real_signatures(built, real) == real.to_bytes()
    assert built.txid_hum == real.txid_hum


def test_built_confirm_has_the_mainnet_layout():
    real = _mainnet("fluxnode_confirm_v5")[0]
    confirm = real.fluxnode
    built = build_confirm(
        confirm.collateral, OPERATOR_KEY, TEST_BENCHMARK_KEY, confirm.update_type, confirm.ip, confirm.sig_time,
        confirm.benchmark_tier, confirm.benchmark_sig_time,
    )  # fmt: skip
    assert _with_real_signatures(built, real) == real.to_bytes()
    assert built.txid_hum == real.txid_hum
