"""The wallet between real nodes: mine to it, mature, send, receive, a reorganisation, kill -9 while sending."""

from __future__ import annotations

import threading

import pytest

from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount, wait_in_mempool

pytestmark = pytest.mark.functional


@pytest.fixture
def pair(tmp_path):
    a = NodeProcess(tmp_path / "a", WALLET_ARGS).start()
    b = NodeProcess(tmp_path / "b", WALLET_ARGS).start()
    yield a, b
    for node in (a, b):
        node.stop()


def test_mined_coins_mature_then_move_between_wallets(pair):
    a, b = pair
    connect_nodes(a, b)
    clock = WalletClock([a, b])
    clock.mine(a, 100, sync=[a, b])
    info = a.rpc("getwalletinfo")
    assert amount(info["balance"]) == 0 and amount(info["immature_balance"]) > 0 and info["txcount"] == 100
    clock.mine(a, 1, sync=[a, b])
    first_reward = amount(a.rpc("getbalance"))
    assert first_reward > 0  # the first coinbase is 101 blocks deep: mature
    to_b = b.rpc("getnewaddress")
    txid = a.rpc("sendtoaddress", to_b, 10.5, "rent", "bob")
    wait_in_mempool(b, txid)
    b.rpc("getbalance")  # waits for the wallet to see the mempool event
    assert amount(b.rpc("getunconfirmedbalance")) == amount("10.5")
    assert amount(b.rpc("getbalance")) == 0
    spent_a = first_reward - amount(a.rpc("getbalance"))
    assert amount("10.5") < spent_a < amount("10.501")  # amount plus a fee near 1000 zat/kB
    _check_both_sides(a, b, txid, to_b, clock)
    second, third = b.rpc("getnewaddress"), b.rpc("getnewaddress")
    many = a.rpc("sendmany", "", {second: 1, third: "2.25"}, 1, "split", [third])
    wait_in_mempool(b, many)
    clock.mine(a, 1, sync=[a, b])
    assert amount(b.rpc("getbalance")) < amount("13.75")  # the fee came out of the 2.25
    assert amount(b.rpc("getbalance")) > amount("13.749")
    assert amount(b.rpc("getunconfirmedbalance")) == 0
    back = b.rpc("sendtoaddress", a.rpc("getnewaddress"), 5, "", "", True)
    wait_in_mempool(a, back)
    clock.mine(b, 1, sync=[a, b])
    assert amount(b.rpc("getbalance")) == amount(b.rpc("getbalance", "*", 1))
    with pytest.raises(RPCFailure) as refused:
        b.rpc("sendtoaddress", to_b, 1000)
    assert (refused.value.code, refused.value.message) == (-6, "Insufficient funds")
    with pytest.raises(RPCFailure) as bad:
        b.rpc("sendtoaddress", "t1notanaddress", 1)
    assert (bad.value.code, bad.value.message) == (-5, "Invalid Flux address")
    with pytest.raises(RPCFailure) as accounts:
        b.rpc("getnewaddress", "savings")
    assert (accounts.value.code, accounts.value.message) == (-11, "Accounts are unsupported")


RECEIVE_KEYS = ["account", "address", "category", "amount", "vout", "confirmations", "blockhash", "blockindex",
                "blocktime", "expiryheight", "txid", "walletconflicts", "time", "timereceived", "vJoinSplit", "size"]
SEND_KEYS = [*RECEIVE_KEYS[:5], "fee", *RECEIVE_KEYS[5:14], "comment", "to", "vJoinSplit", "size"]


def _check_both_sides(a, b, txid: str, to_b: str, clock) -> None:
    """listtransactions / gettransaction / listsinceblock for one payment, on the payer and the payee, C++ keys."""
    before = a.rpc("getbestblockhash")
    block = clock.mine(a, 1, sync=[a, b])[0]
    received = [entry for entry in b.rpc("listtransactions", "*", 10) if entry["txid"] == txid]
    assert [entry["category"] for entry in received] == ["receive"]
    assert list(received[0]) == RECEIVE_KEYS
    assert received[0]["address"] == to_b and amount(received[0]["amount"]) == amount("10.5")
    assert received[0]["confirmations"] == 1 and received[0]["blockhash"] == block
    sent = [entry for entry in a.rpc("listtransactions", "*", 10) if entry["txid"] == txid]
    assert [entry["category"] for entry in sent] == ["send"]
    assert list(sent[0]) == SEND_KEYS
    assert amount(sent[0]["amount"]) == amount("-10.5") and amount(sent[0]["fee"]) < 0
    assert (sent[0]["comment"], sent[0]["to"]) == ("rent", "bob")
    payer_view = a.rpc("gettransaction", txid)
    assert list(payer_view)[:3] == ["amount", "fee", "confirmations"]
    assert amount(payer_view["amount"]) == amount("-10.5") and payer_view["details"][0]["category"] == "send"
    payee_view = b.rpc("gettransaction", txid)
    assert amount(payee_view["amount"]) == amount("10.5") and "fee" not in payee_view
    assert payee_view["hex"] == a.rpc("getrawtransaction", txid)
    since = b.rpc("listsinceblock", before)
    assert txid in {entry["txid"] for entry in since["transactions"]} and since["lastblock"] == block
    assert b.rpc("listsinceblock", block)["transactions"] == []


def test_reorganisation_unconfirms_and_reconfirms_a_payment(tmp_path):
    a, b, c = (NodeProcess(tmp_path / name, WALLET_ARGS).start() for name in "abc")
    try:
        connect_nodes(a, b)
        connect_nodes(c, a)
        clock = WalletClock([a, b, c])
        clock.mine(a, 101, sync=[a, b, c])
        c.rpc("disconnectnode", f"127.0.0.1:{a.p2p_port}")
        wait_until(lambda: not c.rpc("getpeerinfo"), 30, what="c alone")
        to_b = b.rpc("getnewaddress")
        txid = a.rpc("sendtoaddress", to_b, 7)
        wait_in_mempool(b, txid)
        clock.mine(a, 1, sync=[a, b])
        assert amount(b.rpc("getbalance")) == 7
        clock.mine(c, 3)  # a longer branch without the payment
        connect_nodes(c, a)
        sync_blocks([a, b, c])
        wait_in_mempool(a, txid)  # back in the mempool after the reorganisation
        wait_until(lambda: amount(b.rpc("getbalance")) == 0, 30, what="payment unconfirmed")
        wait_until(lambda: amount(b.rpc("getunconfirmedbalance")) == 7, 30, what="payment in mempool")
        assert b.rpc("gettransaction", txid)["confirmations"] == 0 and "blockhash" not in b.rpc("gettransaction", txid)
        assert a.rpc("gettransaction", txid)["confirmations"] == 0
        clock.mine(a, 1, sync=[a, b, c])  # a holds it in its mempool (c never heard of it)
        assert amount(b.rpc("getbalance")) == 7
        assert amount(b.rpc("getunconfirmedbalance")) == 0
        assert b.rpc("gettransaction", txid)["confirmations"] == 1 == a.rpc("gettransaction", txid)["confirmations"]
    finally:
        for node in (a, b, c):
            node.stop()


def test_kill_during_sends_leaves_a_consistent_wallet(tmp_path):
    a = NodeProcess(tmp_path / "a", WALLET_ARGS).start()
    clock = WalletClock([a])
    clock.mine(a, 105)
    targets = [a.rpc("getnewaddress") for _ in range(3)]
    sent: list[str] = []

    def keep_sending() -> None:
        try:
            while True:
                sent.append(a.rpc("sendtoaddress", targets[len(sent) % 3], 1))
        except Exception:  # the kill ends it
            return

    sender = threading.Thread(target=keep_sending)
    sender.start()
    wait_until(lambda: len(sent) >= 8, 60, 0.02, "sends under way")
    a.kill()
    sender.join(30)
    a.start()
    try:
        clock.tick(0)
        info = a.rpc("getwalletinfo")
        assert info["txcount"] >= 105 + len(sent)  # every answered send was recorded
        clock.mine(a, 1)  # the re-accepted sends confirm
        assert amount(a.rpc("getunconfirmedbalance")) == 0
        balance, count = amount(a.rpc("getbalance")), a.rpc("getwalletinfo")["txcount"]
        a.stop()
        a.extra_args.append("-zapwallettxes=2")  # forget every record, rebuild them from the chain
        a.start()
        clock.tick(0)
        assert amount(a.rpc("getbalance")) == balance
        assert a.rpc("getwalletinfo")["txcount"] == count
    finally:
        a.stop()
