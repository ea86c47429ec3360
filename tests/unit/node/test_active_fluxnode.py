"""-zelnode / -zelnodeprivkey / -zelnodeoutpoint / -zelnodeindex / fluxnode.conf at start-up: C++ init errors."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.node.active_fluxnode import (
    BAD_OUTPOINT,
    BAD_PRIVKEY,
    NO_PRIVKEY,
    TXINDEX_NEEDED,
    FluxnodeInitError,
    load_active_fluxnode,
    lock_conf_collaterals,
)
from fluxd.params.networks import regtest_params
from fluxd.util.args import Args

PARAMS = regtest_params()
OPERATOR = PrivateKey(bytes([8]) * 32, compressed=False)
WIF = encode_wif(OPERATOR, PARAMS.base58)
TXID = "2bcd3c84c84f87eaa86e4e56834c92927a07f9e18718810b92e0d0324456a67c"


def _load(tmp_path, **values):
    args = Args(values={f"-{name}": value for name, value in values.items()})
    return load_active_fluxnode(args, tmp_path, PARAMS)


def _fails(tmp_path, **values) -> str:
    with pytest.raises(FluxnodeInitError) as caught:
        _load(tmp_path, **values)
    return str(caught.value)


def test_not_a_fluxnode_by_default_and_the_conf_is_created(tmp_path):
    active = _load(tmp_path)
    assert not active.enabled and active.entries == () and active.conf_lock
    assert (tmp_path / "fluxnode.conf").read_text().startswith("# Fluxnode config file\n")


def test_a_fluxnode_with_its_settings(tmp_path):
    active = _load(tmp_path, zelnode="1", txindex="1", zelnodeprivkey=WIF, zelnodeoutpoint=TXID, zelnodeindex="2")
    assert active.enabled and active.pubkey == OPERATOR.pubkey and active.privkey == WIF
    assert (active.outpoint.txid_hum, active.outpoint.n) == (TXID, 2)
    flux_names = _load(tmp_path, fluxnode="1", txindex="1", fluxnodeprivkey=WIF, fluxnodeoutpoint=TXID, fluxnodeindex="0")
    assert flux_names.enabled and flux_names.outpoint.n == 0


def test_init_errors(tmp_path):
    assert _fails(tmp_path, zelnode="1") == TXINDEX_NEEDED
    assert _fails(tmp_path, zelnode="1", txindex="1") == BAD_OUTPOINT
    assert _fails(tmp_path, zelnode="1", txindex="1", zelnodeoutpoint=TXID) == NO_PRIVKEY
    assert _fails(tmp_path, zelnode="1", txindex="1", zelnodeoutpoint=TXID, zelnodeprivkey="bad") == BAD_PRIVKEY
    assert BAD_PRIVKEY == "Invalid fluxnodeprivkey. Please see documenation."  # the C++ spelling


def test_conf_entries_need_txindex_and_bad_lines_stop_the_start(tmp_path):
    (tmp_path / "fluxnode.conf").write_text(f"zn1 127.0.0.1:16126 {WIF} {TXID} 1\n")
    assert _fails(tmp_path) == TXINDEX_NEEDED
    assert [entry.alias for entry in _load(tmp_path, txindex="1").entries] == ["zn1"]
    (tmp_path / "fluxnode.conf").write_text("zn1 127.0.0.1 k t 1\n")
    assert _fails(tmp_path, txindex="1") == (
        'Error reading zelnode configuration file: Failed to parse host:port string\nLine: 1\n"zn1 127.0.0.1 k t 1"')


class _Wallet:
    def __init__(self) -> None:
        import threading

        self.lock, self.locked_coins = threading.RLock(), set()


def test_znconflock_locks_the_conf_collaterals(tmp_path):
    (tmp_path / "fluxnode.conf").write_text(f"zn1 127.0.0.1:16126 {WIF} {TXID} 1\n")
    wallet = _Wallet()
    lock_conf_collaterals(wallet, _load(tmp_path, txindex="1"))
    assert [(o.txid_hum, o.n) for o in wallet.locked_coins] == [(TXID, 1)]
    unlocked = _Wallet()
    lock_conf_collaterals(unlocked, _load(tmp_path, txindex="1", znconflock="0"))
    assert unlocked.locked_coins == set()
