"""The wallet's start-up options on a real node: -walletnotify, -walletbroadcast, -rescan, -zapwallettxes=1,
-wallet, and C++'s init errors for bad fee values."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, run_refused, wait_until
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount

pytestmark = pytest.mark.functional


def test_notify_broadcast_rescan_and_zap(tmp_path):
    notified = tmp_path / "notified.txt"
    node = NodeProcess(tmp_path / "a", [*WALLET_ARGS, f"-walletnotify=echo %s >> {notified}", "-walletbroadcast=0"]).start()
    clock = WalletClock([node])
    try:
        mined = clock.mine(node, 101)
        first_coinbase = node.rpc("getblock", mined[0])["tx"][0]
        wait_until(lambda: notified.exists() and first_coinbase in notified.read_text(), 30, what="walletnotify")
        txid = node.rpc("sendtoaddress", node.rpc("getnewaddress"), 2, "kept comment")
        assert txid not in node.rpc("getrawmempool")  # -walletbroadcast=0: recorded, not broadcast
        assert node.rpc("gettransaction", txid)["confirmations"] == -1
        wait_until(lambda: txid in notified.read_text(), 30, what="walletnotify for the send")
        balance = amount(node.rpc("getbalance"))  # the unbroadcast send spends nothing yet (depth -1)
        fee = amount(node.rpc("gettransaction", txid)["fee"])  # negative
        node.stop()
        node.extra_args = [*WALLET_ARGS, "-rescan"]
        node.start()
        clock.tick(0)
        assert txid in node.rpc("getrawmempool")  # broadcasting again: re-accepted at start
        assert amount(node.rpc("getbalance")) == balance + fee and node.rpc("getwalletinfo")["txcount"] == 102
        clock.mine(node, 1)
        node.stop()
        node.extra_args = [*WALLET_ARGS, "-zapwallettxes=1"]
        node.start()
        clock.tick(0)
        assert node.rpc("gettransaction", txid)["comment"] == "kept comment"  # mode 1 keeps the metadata
    finally:
        node.stop()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("-paytxfee=abc", "Invalid amount for -paytxfee=<amount>: 'abc'"),
        ("-paytxfee=0.00000001", "Invalid amount for -paytxfee=<amount>: '0.00000001' (must be at least 0.00000100 FLUX/kB)"),
        ("-maxtxfee=x", "Invalid amount for -maxtxfee=<amount>: 'x'"),
        ("-mintxfee=0", "Invalid amount for -mintxfee=<amount>: '0'"),
        ("-txexpirydelta=2", "Invalid value for -expiryDelta='2' (must be least 4)"),
        ("-wallet=../elsewhere.dat", "Wallet ../elsewhere.dat resides outside data directory"),
        ("-developerencryptwallet", "Wallet encryption requires -experimentalfeatures."),
    ],
)
def test_refused_wallet_options(tmp_path, option, message):
    result = run_refused(tmp_path / "node", ["-regtest"], option)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
