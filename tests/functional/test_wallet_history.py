"""The wallet's history RPCs on a real node: key order as C++ prints them after mining and sending."""

from __future__ import annotations

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.params.networks import regtest_params
from tests.functional.framework import NodeProcess, RPCFailure
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount, wait_in_mempool

pytestmark = pytest.mark.functional

TX_KEYS = ["blockhash", "blockindex", "blocktime", "expiryheight", "txid", "walletconflicts", "time", "timereceived"]
FOREIGN = encode_destination(Destination("pubkeyhash", b"\x42" * 20), regtest_params().base58)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = NodeProcess(tmp_path_factory.mktemp("history") / "a", WALLET_ARGS).start()
    clock = WalletClock([node])
    clock.mine(node, 101)
    node.clock = clock
    yield node
    node.stop()


def test_mined_history_and_a_send(node):
    entries = node.rpc("listtransactions", "*", 200)
    assert len(entries) == 101
    assert [e["category"] for e in entries[:2]] == ["generate", "immature"]
    generate = entries[0]
    assert list(generate) == ["account", "address", "category", "amount", "vout", "confirmations", "generated",
                              *TX_KEYS, "vJoinSplit", "size"]
    assert generate["confirmations"] == 101 and generate["generated"] is True
    target = node.rpc("getnewaddress")
    txid = node.rpc("sendtoaddress", FOREIGN, 2.5, "rent", "bob")
    own = node.rpc("sendtoaddress", target, 1)
    wait_in_mempool(node, own)
    newest = node.rpc("listtransactions", "*", 3)
    assert [(e["txid"], e["category"]) for e in newest] == [(txid, "send"), (own, "receive"), (own, "send")]
    send = newest[0]
    assert list(send) == ["account", "address", "category", "amount", "vout", "fee", "confirmations", "txid",
                          "walletconflicts", "time", "timereceived", "comment", "to", "vJoinSplit", "size"]
    assert (send["address"], amount(send["amount"]), send["comment"], send["to"]) == (FOREIGN, amount("-2.5"), "rent", "bob")
    assert amount("-0.001") < amount(send["fee"]) < 0
    detail = node.rpc("gettransaction", txid)
    assert list(detail) == ["amount", "fee", "confirmations", "txid", "walletconflicts", "time", "timereceived",
                            "comment", "to", "vJoinSplit", "details", "hex"]
    assert amount(detail["amount"]) == amount("-2.5") and detail["details"][0]["category"] == "send"
    assert list(detail["details"][0]) == ["account", "address", "category", "amount", "vout", "fee", "size"]
    node.clock.mine(node, 1)
    since = node.rpc("listsinceblock", node.rpc("getblockhash", 101))
    assert list(since) == ["transactions", "lastblock"] and since["lastblock"] == node.rpc("getbestblockhash")
    assert {txid, own} <= {e["txid"] for e in since["transactions"]}
    confirmed = node.rpc("gettransaction", own)
    assert list(confirmed)[:4] == ["amount", "fee", "confirmations", "blockhash"] and confirmed["confirmations"] == 1
    with pytest.raises(RPCFailure) as unknown:
        node.rpc("gettransaction", "00" * 32)
    assert (unknown.value.code, unknown.value.message) == (-5, "Invalid or non-wallet transaction id")


def test_received_coins_and_accounts(node):
    target = node.rpc("getnewaddress")
    paid = node.rpc("sendtoaddress", target, 3)
    node.clock.mine(node, 1)
    rows = node.rpc("listreceivedbyaddress")
    row = next(r for r in rows if r["address"] == target)
    assert list(row) == ["address", "account", "amount", "confirmations", "txids"] and row["txids"] == [paid]
    assert amount(node.rpc("getreceivedbyaddress", target)) == 3
    assert list(node.rpc("listreceivedbyaccount")[0]) == ["account", "amount", "confirmations"]
    coins = node.rpc("listunspent", 1, 9999999, [target])
    assert [list(c) for c in coins] == [["txid", "vout", "generated", "address", "account", "scriptPubKey", "amount",
                                         "confirmations", "spendable"]]
    coin = coins[0]
    assert node.rpc("lockunspent", False, [{"txid": coin["txid"], "vout": coin["vout"]}]) is True
    assert node.rpc("listlockunspent") == [{"txid": coin["txid"], "vout": coin["vout"]}]
    assert node.rpc("listunspent", 1, 9999999, [target]) == []
    assert node.rpc("lockunspent", True) is True and node.rpc("listlockunspent") == []
    groups = node.rpc("listaddressgroupings")
    assert all(len(row) in (2, 3) for group in groups for row in group)
    assert node.rpc("move", "", "", 1, 0, "note") is True
    assert node.rpc("listtransactions", "*", 2)[-1]["category"] == "move"
    assert list(node.rpc("listaccounts")) == [""]
    with pytest.raises(RPCFailure) as accounts:
        node.rpc("move", "x", "", 1)
    assert (accounts.value.code, accounts.value.message) == (-11, "Accounts are unsupported")


def test_watch_only_after_importaddress(node):
    node.rpc("importaddress", FOREIGN, "", True)
    plain = [e for e in node.rpc("listtransactions", "*", 500) if e.get("address") == FOREIGN]
    assert [e["category"] for e in plain] == ["send"]
    watched = [e for e in node.rpc("listtransactions", "*", 500, 0, True) if e.get("address") == FOREIGN]
    assert sorted(e["category"] for e in watched) == ["receive", "send"]
    assert all(list(e)[0] == "involvesWatchonly" for e in watched)
    rows = [r for r in node.rpc("listreceivedbyaddress", 1, False, True) if r["address"] == FOREIGN]
    assert list(rows[0])[:2] == ["involvesWatchonly", "address"] and amount(rows[0]["amount"]) == amount("2.5")
    assert not [r for r in node.rpc("listreceivedbyaddress") if r["address"] == FOREIGN]
