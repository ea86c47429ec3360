"""Wallet encryption on a real node (C++ qa keypool.py and disablewallet.py scenarios, ported), and a locked send."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, RPCFailure
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount

pytestmark = pytest.mark.functional
ENCRYPTION = ["-experimentalfeatures", "-developerencryptwallet"]


def _error(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failure:
        node.rpc(method, *params)
    return failure.value.code, failure.value.message


def _encrypt(node: NodeProcess, passphrase: str) -> None:
    assert node.rpc("encryptwallet", passphrase).startswith("wallet encrypted; Flux server stopping")
    assert node.process.wait(60) == 0  # encryptwallet shuts the node down, as C++
    node.process = None
    node.start()


def test_keypool_runs_out_on_a_locked_wallet(tmp_path):
    """qa/rpc-tests/keypool.py: after encryption one pool key; refill 3 gives 4 change addresses, then -12."""
    node = NodeProcess(tmp_path / "a", ["-keypool=1", *ENCRYPTION]).start()
    try:
        _encrypt(node, "test")
        node.rpc("getnewaddress")
        assert _error(node, "getnewaddress")[0] == -12
        node.rpc("walletpassphrase", "test", 12000)
        node.rpc("keypoolrefill", 3)
        node.rpc("walletlock")
        addresses = {node.rpc("getrawchangeaddress") for _ in range(4)}
        assert len(addresses) == 4
        assert _error(node, "getrawchangeaddress") == (-12, "Error: Keypool ran out, please call keypoolrefill first")
    finally:
        node.stop()


def test_locked_send_refused_until_the_passphrase(tmp_path):
    node = NodeProcess(tmp_path / "a", [*WALLET_ARGS, *ENCRYPTION]).start()
    clock = WalletClock([node])
    try:
        assert _error(node, "walletpassphrase", "x", 1)[0] == -15
        clock.mine(node, 101)
        balance = amount(node.rpc("getbalance"))
        _encrypt(node, "correct horse")
        clock.tick(0)
        assert amount(node.rpc("getbalance")) == balance
        assert node.rpc("getwalletinfo")["unlocked_until"] == 0
        target = node.rpc("getnewaddress")
        assert _error(node, "sendtoaddress", target, 1) == (
            -13, "Error: Please enter the wallet passphrase with walletpassphrase first.")
        assert _error(node, "walletpassphrase", "wrong", 60) == (-14, "Error: The wallet passphrase entered was incorrect.")
        assert _error(node, "encryptwallet", "again") == (
            -15, "Error: running with an encrypted wallet, but encryptwallet was called.")
        node.rpc("walletpassphrase", "correct horse", 60)
        assert node.rpc("getwalletinfo")["unlocked_until"] == clock.now + 60
        txid = node.rpc("sendtoaddress", target, 1)
        assert txid in node.rpc("getrawmempool")
        node.rpc("walletpassphrasechange", "correct horse", "battery staple")
        node.rpc("walletlock")
        assert _error(node, "sendtoaddress", target, 1)[0] == -13
        assert _error(node, "walletpassphrase", "correct horse", 60)[0] == -14
        node.rpc("walletpassphrase", "battery staple", 60)
        node.rpc("sendtoaddress", target, 1)
    finally:
        node.stop()


def test_encryption_needs_the_developer_option(tmp_path):
    node = NodeProcess(tmp_path / "a").start()
    try:
        assert _error(node, "encryptwallet", "pass") == (-16, "Error: wallet encryption is disabled.")
        help_text = _error(node, "encryptwallet")[1]
        assert "WARNING: encryptwallet is disabled." in help_text and "developerencryptwallet=1" in help_text
    finally:
        node.stop()


def test_disabled_wallet(tmp_path):
    """qa/rpc-tests/disablewallet.py, and what -disablewallet removes."""
    node = NodeProcess(tmp_path / "a", ["-disablewallet"]).start()
    try:
        assert node.rpc("validateaddress", "t3b1jtLvxCstdo1pJs9Tjzc5dmWyvGQSZj8")["isvalid"] is False
        assert node.rpc("validateaddress", "tmGqwWtL7RsbxikDSN26gsbicxVr2xJNe86")["isvalid"] is True
        assert _error(node, "getbalance") == (-32601, "Method not found")
        assert _error(node, "generate", 1) == (-32603, "No coinbase script available (mining requires a wallet or -mineraddress)")
        assert not (node.net_dir / "wallet.dat").exists()
    finally:
        node.stop()
