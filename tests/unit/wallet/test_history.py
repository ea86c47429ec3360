"""Wallet history over a real Wallet and wallet file with a hand-moved chain: the C++ ListTransactions
categories, paging, conflicts, coinbase maturity, watch-only, move, received tallies, groupings, coins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import wallet_coins_rpcs as coins_rpc
from fluxd.rpc.methods import wallet_history_rpcs as history_rpc
from fluxd.rpc.methods import wallet_received_rpcs as received_rpc
from fluxd.wallet import history
from tests.wallet_fixtures import COIN, FOREIGN_SCRIPT, WalletBench

TX_KEYS = ["confirmations", "blockhash", "blockindex", "blocktime", "expiryheight", "txid", "walletconflicts", "time",
           "timereceived", "vJoinSplit"]


@pytest.fixture
def bench(tmp_path):
    bench = WalletBench(tmp_path)
    yield bench
    bench.file.close()


def funded(bench: WalletBench, value: int = 5 * COIN):
    """A confirmed payment to a new wallet address; (address, script, tx)."""
    address, script = bench.new_script()
    tx = bench.payment([(script, value)])
    bench.mine(tx)
    return address, script, tx


def decimal(text: str) -> Decimal:
    return Decimal(text)


def call(handler, bench, *params):
    return handler(bench.node(), list(params))


def rpc_error(handler, bench, *params) -> tuple[int, str]:
    with pytest.raises(RPCError) as caught:
        call(handler, bench, *params)
    return caught.value.code, caught.value.message


# categories and fields
def test_receive_entry_has_the_cpp_keys_in_order(bench):
    address, _script, tx = funded(bench)
    [entry] = call(history_rpc.rpc_listtransactions, bench)
    assert list(entry) == ["account", "address", "category", "amount", "vout", *TX_KEYS, "size"]
    assert (entry["account"], entry["address"], entry["category"]) == ("", address, "receive")
    assert (entry["amount"], entry["vout"], entry["confirmations"], entry["txid"]) == (decimal("5"), 0, 1, tx.txid_hum)
    assert entry["size"] == len(tx.to_bytes()) and entry["vJoinSplit"] == [] and entry["blockindex"] == 0


def test_coinbase_is_immature_then_generate(bench):
    _address, script = bench.new_script()
    coinbase = bench.coinbase(script)
    bench.mine(coinbase)
    [entry] = call(history_rpc.rpc_listtransactions, bench)
    assert entry["category"] == "immature" and entry["generated"] is True
    assert list(entry)[5:8] == ["confirmations", "generated", "blockhash"]
    bench.mine_empty(99)  # depth 100: still one block short (COINBASE_MATURITY + 1 - depth)
    assert call(history_rpc.rpc_listtransactions, bench)[0]["category"] == "immature"
    bench.mine_empty(1)
    assert call(history_rpc.rpc_listtransactions, bench)[0]["category"] == "generate"


def test_disconnected_coinbase_is_conflicted_and_listed_nowhere(bench):
    _address, script = bench.new_script()
    coinbase = bench.coinbase(script)
    block = bench.mine(coinbase)
    bench.chain.disconnect(block)
    assert call(history_rpc.rpc_listtransactions, bench) == []  # received entries need depth >= 0
    detail = call(history_rpc.rpc_gettransaction, bench, coinbase.txid_hum)
    assert detail["confirmations"] == -1 and detail["details"] == [] and "blockhash" not in detail


def test_coinbase_at_depth_zero_is_orphan(bench):
    _address, script = bench.new_script()
    coinbase = bench.coinbase(script)
    bench.to_mempool(coinbase)  # only reachable by a chain view that says so: C++ gives -1 otherwise
    [entry] = call(history_rpc.rpc_listtransactions, bench)
    assert entry["category"] == "orphan" and entry["confirmations"] == 0 and "blockhash" not in entry


def test_send_with_change_reports_payee_and_fee_only(bench):
    _address, _script, paid = funded(bench, 10 * COIN)
    change_key = bench.wallet.get_key_from_pool()  # not in the address book: change
    change_script = bytes.fromhex("76a914") + change_key_id(change_key) + bytes.fromhex("88ac")
    spend = bench.payment([(FOREIGN_SCRIPT, 3 * COIN), (change_script, 7 * COIN - 1000)], [OutPoint(paid.txid_rev, 0)])
    bench.to_mempool(spend)
    entries = call(history_rpc.rpc_listtransactions, bench)
    send = entries[-1]
    assert list(send) == ["account", "address", "category", "amount", "vout", "fee", *TX_KEYS[:1], *TX_KEYS[5:], "size"]
    assert (send["category"], send["amount"], send["fee"], send["vout"]) == ("send", decimal("-3"), decimal("-0.00001"), 0)
    detail = call(history_rpc.rpc_gettransaction, bench, spend.txid_hum)
    assert list(detail)[:3] == ["amount", "fee", "confirmations"]
    assert (detail["amount"], detail["fee"]) == (decimal("-3"), decimal("-0.00001"))
    assert list(detail)[-2:] == ["details", "hex"] and detail["hex"] == spend.to_bytes().hex()
    assert [list(item) for item in detail["details"]] == [["account", "address", "category", "amount", "vout", "fee", "size"]]


def change_key_id(pubkey: bytes) -> bytes:
    from fluxd.core.hashes import hash160

    return hash160(pubkey)


def test_payment_to_own_labelled_address_is_send_and_receive(bench):
    _address, _script, paid = funded(bench, 4 * COIN)
    target, target_script = bench.new_script()
    spend = bench.payment([(target_script, 4 * COIN - 500)], [OutPoint(paid.txid_rev, 0)])
    bench.mine(spend)
    newest = call(history_rpc.rpc_listtransactions, bench, "*", 2)
    assert [item["category"] for item in newest] == ["receive", "send"]  # C++ reverses the whole page
    assert newest[0]["address"] == newest[1]["address"] == target
    detail = call(history_rpc.rpc_gettransaction, bench, spend.txid_hum)
    assert [item["category"] for item in detail["details"]] == ["send", "receive"]
    assert detail["amount"] == decimal("0") and detail["fee"] == decimal("-0.000005")


def test_map_value_is_printed_in_key_order_without_fromaccount(bench):
    _address, script = bench.new_script()
    tx = bench.payment([(script, COIN)])
    bench.mine(tx)
    wtx = bench.wallet.txs[tx.txid_rev]
    wtx.map_value.update({"to": "bob", "comment": "rent", "fromaccount": "x"})
    [entry] = call(history_rpc.rpc_listtransactions, bench)
    keys = list(entry)
    assert keys[keys.index("timereceived") + 1:] == ["comment", "to", "vJoinSplit", "size"]


# paging and ordering
def test_count_and_from_page_from_the_newest(bench):
    txs = [funded(bench, (n + 1) * COIN)[2] for n in range(5)]
    assert [e["txid"] for e in call(history_rpc.rpc_listtransactions, bench)] == [tx.txid_hum for tx in txs]
    page = call(history_rpc.rpc_listtransactions, bench, "*", 2, 1)
    assert [e["txid"] for e in page] == [txs[2].txid_hum, txs[3].txid_hum]
    assert call(history_rpc.rpc_listtransactions, bench, "*", 3, 10) == []
    assert len(call(history_rpc.rpc_listtransactions, bench, "*", 0)) == 0
    assert [e["txid"] for e in call(history_rpc.rpc_listtransactions, bench, "*", 10, 4)] == [txs[0].txid_hum]


def test_negative_count_and_from_and_types(bench):
    assert rpc_error(history_rpc.rpc_listtransactions, bench, "*", -1) == (-8, "Negative count")
    assert rpc_error(history_rpc.rpc_listtransactions, bench, "*", 1, -1) == (-8, "Negative from")
    assert rpc_error(history_rpc.rpc_listtransactions, bench, 5) == (-1, "JSON value is not a string as expected")
    assert rpc_error(history_rpc.rpc_listtransactions, bench, "*", 1, 0, None)[0] == -1
    assert rpc_error(history_rpc.rpc_listtransactions, bench, "*", 1, 0, False, 1)[1].startswith("listtransactions")


def test_an_unknown_account_lists_nothing(bench):
    funded(bench)
    assert call(history_rpc.rpc_listtransactions, bench, "savings") == []
    assert len(call(history_rpc.rpc_listtransactions, bench, "")) == 1


def test_move_entries_interleave_by_order_position(bench):
    first = funded(bench)[2]
    assert call(received_rpc.rpc_move, bench, "", "", "1.5", 0, "shuffle") is True
    second = funded(bench)[2]
    entries = call(history_rpc.rpc_listtransactions, bench)
    assert [e.get("txid", e["category"]) for e in entries] == [first.txid_hum, "move", "move", second.txid_hum]
    debit, credit = entries[1], entries[2]
    assert list(debit) == ["account", "category", "time", "amount", "otheraccount", "comment"]
    assert (debit["amount"], credit["amount"], debit["comment"]) == (decimal("-1.5"), decimal("1.5"), "shuffle")
    reopened = bench.reopen()
    assert [entry.order_pos for entry in reopened.account_entries] == [1, 2]
    assert reopened.order_pos_next == 4
    assert call(history_rpc.rpc_listtransactions, bench) == entries


def test_move_errors(bench):
    assert rpc_error(received_rpc.rpc_move, bench, "a", "", 1) == (-11, "Accounts are unsupported")
    assert rpc_error(received_rpc.rpc_move, bench, "", "", 0) == (-3, "Invalid amount for send")
    assert rpc_error(received_rpc.rpc_move, bench, "", "", 1, "x") == (-1, "JSON value is not an integer as expected")
    assert rpc_error(received_rpc.rpc_move, bench, "", "")[1].startswith("move ")


# conflicts
def test_double_spend_conflicts_both_ways(bench):
    _address, _script, paid = funded(bench, 6 * COIN)
    outpoint = OutPoint(paid.txid_rev, 0)
    winner = bench.payment([(FOREIGN_SCRIPT, 6 * COIN - 1000)], [outpoint])
    loser = bench.payment([(FOREIGN_SCRIPT, 6 * COIN - 2000)], [outpoint])
    bench.to_mempool(loser)
    bench.mine(winner)
    bench.chain.mempool.discard(loser.txid_rev)  # the block's spend evicts it
    entries = {e["txid"]: e for e in call(history_rpc.rpc_listtransactions, bench)}
    assert entries[loser.txid_hum]["confirmations"] == -1
    assert entries[loser.txid_hum]["walletconflicts"] == [winner.txid_hum]
    assert entries[winner.txid_hum]["walletconflicts"] == [loser.txid_hum]
    assert history.sorted_conflicts(bench.wallet, bench.wallet.txs[paid.txid_rev]) == []


# watch-only
def test_watch_only_payments_need_the_flag(bench):
    bench.wallet.add_watch_only(FOREIGN_SCRIPT)
    tx = bench.payment([(FOREIGN_SCRIPT, 2 * COIN)])
    bench.mine(tx)
    assert call(history_rpc.rpc_listtransactions, bench) == []
    [entry] = call(history_rpc.rpc_listtransactions, bench, "*", 10, 0, True)
    assert list(entry)[:2] == ["involvesWatchonly", "account"] and entry["involvesWatchonly"] is True
    assert call(history_rpc.rpc_gettransaction, bench, tx.txid_hum)["amount"] == decimal("0")
    assert call(history_rpc.rpc_gettransaction, bench, tx.txid_hum, True)["amount"] == decimal("2")
    assert call(received_rpc.rpc_listreceivedbyaddress, bench) == []  # not in the address book


# gettransaction errors and txid parsing
def test_gettransaction_unknown_and_lenient_hex(bench):
    tx = funded(bench)[2]
    assert rpc_error(history_rpc.rpc_gettransaction, bench, "00" * 32) == (-5, "Invalid or non-wallet transaction id")
    assert call(history_rpc.rpc_gettransaction, bench, "0x" + tx.txid_hum + "zz")["txid"] == tx.txid_hum


# listsinceblock
def test_listsinceblock_depth_and_lastblock(bench):
    old = funded(bench)[2]
    marker = bench.mine()
    new = funded(bench)[2]
    result = call(history_rpc.rpc_listsinceblock, bench, marker[::-1].hex())
    assert list(result) == ["transactions", "lastblock"]
    assert [e["txid"] for e in result["transactions"]] == [new.txid_hum]
    everything = call(history_rpc.rpc_listsinceblock, bench)
    assert sorted(e["txid"] for e in everything["transactions"]) == sorted([old.txid_hum, new.txid_hum])
    assert call(history_rpc.rpc_listsinceblock, bench, "", 2)["lastblock"] == marker[::-1].hex()
    assert call(history_rpc.rpc_listsinceblock, bench, "", 100)["lastblock"] == "0" * 64
    assert rpc_error(history_rpc.rpc_listsinceblock, bench, "", 0) == (-8, "Invalid parameter")


# received tallies
def test_received_by_address_and_account(bench):
    address, script, first = funded(bench, 2 * COIN)
    second = bench.payment([(script, 3 * COIN)])
    bench.to_mempool(second)
    rows = call(received_rpc.rpc_listreceivedbyaddress, bench)
    assert rows == [{"address": address, "account": "", "amount": decimal("2"), "confirmations": 1,
                     "txids": [first.txid_hum]}]
    unconfirmed = call(received_rpc.rpc_listreceivedbyaddress, bench, 0)
    assert unconfirmed[0]["amount"] == decimal("5") and unconfirmed[0]["confirmations"] == 0
    assert sorted(unconfirmed[0]["txids"]) == sorted([first.txid_hum, second.txid_hum])
    with_empty = call(received_rpc.rpc_listreceivedbyaddress, bench, 1, True)
    assert len(with_empty) == len(bench.wallet.address_book)
    book_order = [history.destination_key(history.address_book_entries(bench.wallet)[n][0]) for n in range(len(with_empty))]
    assert book_order == sorted(book_order)
    assert call(received_rpc.rpc_listreceivedbyaccount, bench) == [{"account": "", "amount": decimal("2"), "confirmations": 1}]
    assert call(received_rpc.rpc_getreceivedbyaddress, bench, address) == decimal("2")
    assert call(received_rpc.rpc_getreceivedbyaddress, bench, address, 0) == decimal("5")
    assert call(received_rpc.rpc_getreceivedbyaccount, bench, "", 0) == decimal("5")


def test_received_ignores_coinbase_and_foreign_addresses(bench):
    address, script = bench.new_script()
    bench.mine(bench.coinbase(script))
    bench.mine_empty(101)
    assert call(received_rpc.rpc_getreceivedbyaddress, bench, address) == decimal("0")
    foreign = bench.wallet.address_of(history.extract_destination(FOREIGN_SCRIPT))
    assert call(received_rpc.rpc_getreceivedbyaddress, bench, foreign, "not a number") == decimal("0")
    assert rpc_error(received_rpc.rpc_getreceivedbyaddress, bench, "nonsense") == (-5, "Invalid Flux address")
    assert rpc_error(received_rpc.rpc_getreceivedbyaccount, bench, "x") == (-11, "Accounts are unsupported")


# listaccounts, listaddressgroupings
def test_listaccounts_counts_sends_fees_and_moves(bench):
    _address, _script, paid = funded(bench, 10 * COIN)
    spend = bench.payment([(FOREIGN_SCRIPT, 4 * COIN)], [OutPoint(paid.txid_rev, 0)])  # 6 COIN fee, no change
    bench.mine(spend)
    assert call(received_rpc.rpc_listaccounts, bench) == {"": decimal("0")}
    call(received_rpc.rpc_move, bench, "", "", 1)
    assert call(received_rpc.rpc_listaccounts, bench) == {"": decimal("0")}  # both sides are ""
    bench.wallet.txs[spend.txid_rev].map_value["fromaccount"] = "tmFrom"
    assert call(received_rpc.rpc_listaccounts, bench) == {"": decimal("10"), "tmFrom": decimal("-10")}


def test_address_groupings_join_inputs_and_change(bench):
    first, first_script, paid_a = funded(bench, 3 * COIN)
    second, second_script, paid_b = funded(bench, 4 * COIN)
    alone, _alone_script, _paid = funded(bench, 1 * COIN)
    change_pub = bench.wallet.get_key_from_pool()
    change_script = bytes.fromhex("76a914") + change_key_id(change_pub) + bytes.fromhex("88ac")
    spend = bench.payment(
        [(FOREIGN_SCRIPT, 5 * COIN), (change_script, 2 * COIN - 1000)],
        [OutPoint(paid_a.txid_rev, 0), OutPoint(paid_b.txid_rev, 0)],
    )
    bench.mine(spend)
    groups = call(received_rpc.rpc_listaddressgroupings, bench)
    change = bench.wallet.address_of_key(change_pub)
    joined = next(group for group in groups if len(group) == 3)
    assert sorted(row[0] for row in joined) == sorted([first, second, change])
    amounts = {row[0]: row[1] for row in joined}
    assert amounts[first] == amounts[second] == decimal("0") and amounts[change] == decimal("1.99999")
    assert [row for row in joined if row[0] == change][0] == [change, decimal("1.99999")]  # no label: not in book
    assert [alone, decimal("1"), ""] in [group[0] for group in groups if len(group) == 1]
    keys = [[history.destination_key(history.decode_destination(row[0], bench.params.base58)) for row in g] for g in groups]
    assert keys == sorted(keys)


# listunspent, lockunspent
def test_listunspent_fields_filters_and_locks(bench):
    address, script, paid = funded(bench, 2 * COIN)
    unconfirmed = bench.payment([(script, COIN)])
    bench.to_mempool(unconfirmed)
    [coin] = call(coins_rpc.rpc_listunspent, bench)
    assert list(coin) == ["txid", "vout", "generated", "address", "account", "scriptPubKey", "amount", "confirmations",
                          "spendable"]
    assert (coin["txid"], coin["generated"], coin["scriptPubKey"], coin["spendable"]) == (paid.txid_hum, False, script.hex(), True)
    assert len(call(coins_rpc.rpc_listunspent, bench, 0)) == 2
    assert call(coins_rpc.rpc_listunspent, bench, 0, 0)[0]["txid"] == unconfirmed.txid_hum
    other = bench.new_script()[0]
    assert call(coins_rpc.rpc_listunspent, bench, 0, 9, [other]) == []
    assert rpc_error(coins_rpc.rpc_listunspent, bench, 0, 9, [address, address]) == (
        -8, f"Invalid parameter, duplicated address: {address}")
    assert rpc_error(coins_rpc.rpc_listunspent, bench, 0, 9, ["bad"]) == (-5, "Invalid Flux address: bad")
    assert rpc_error(coins_rpc.rpc_listunspent, bench, "1") == (-3, "Expected type number, got string")
    assert rpc_error(coins_rpc.rpc_listunspent, bench, 1, 2, {}) == (-3, "Expected type array, got object")
    assert call(coins_rpc.rpc_lockunspent, bench, False, [{"txid": paid.txid_hum, "vout": 0}]) is True
    assert call(coins_rpc.rpc_listlockunspent, bench) == [{"txid": paid.txid_hum, "vout": 0}]
    assert call(coins_rpc.rpc_listunspent, bench) == []
    assert call(coins_rpc.rpc_lockunspent, bench, True) is True
    assert call(coins_rpc.rpc_listlockunspent, bench) == []


def test_lockunspent_errors_and_order(bench):
    lock = coins_rpc.rpc_lockunspent
    assert rpc_error(lock, bench, "yes") == (-3, "Expected type bool, got string")
    assert rpc_error(lock, bench, False, {}) == (-3, "Expected type array, got object")
    assert rpc_error(lock, bench, False, [1]) == (-8, "Invalid parameter, expected object")
    assert rpc_error(lock, bench, False, [{"vout": 1}]) == (-3, "Missing txid")
    assert rpc_error(lock, bench, False, [{"txid": "ab"}]) == (-3, "Missing vout")
    assert rpc_error(lock, bench, False, [{"txid": 5, "vout": 1}]) == (-3, "Expected type string for txid, got number")
    assert rpc_error(lock, bench, False, [{"txid": "xyz", "vout": 1}]) == (-8, "Invalid parameter, expected hex txid")
    assert rpc_error(lock, bench, False, [{"txid": "ab", "vout": -1}]) == (-8, "Invalid parameter, vout must be positive")
    call(lock, bench, False, [{"txid": "ff" * 32, "vout": 2}, {"txid": "01" * 32, "vout": 7}, {"txid": "ff" * 32, "vout": 1}])
    assert call(coins_rpc.rpc_listlockunspent, bench) == [
        {"txid": "01" * 32, "vout": 7}, {"txid": "ff" * 32, "vout": 1}, {"txid": "ff" * 32, "vout": 2}]
    call(lock, bench, True, [{"txid": "01" * 32, "vout": 7}])
    assert len(call(coins_rpc.rpc_listlockunspent, bench)) == 2
    assert rpc_error(coins_rpc.rpc_listlockunspent, bench, 1)[1].startswith("listlockunspent")


def test_immature_coinbase_amount_is_zero_until_mature(bench):
    _address, script = bench.new_script()
    coinbase = bench.coinbase(script)
    bench.mine(coinbase)
    detail = call(history_rpc.rpc_gettransaction, bench, coinbase.txid_hum)
    assert detail["amount"] == decimal("0") and "fee" not in detail  # GetCredit is 0 while immature
    assert list(detail)[:3] == ["amount", "confirmations", "generated"]
    assert [(d["category"], d["amount"]) for d in detail["details"]] == [("immature", decimal("150"))]
    bench.mine_empty(100)
    assert call(history_rpc.rpc_gettransaction, bench, coinbase.txid_hum)["amount"] == decimal("150")


def test_parameter_counts_not_checked_where_cpp_checks_none(bench):
    funded(bench)
    assert len(call(history_rpc.rpc_listsinceblock, bench, "", 1, False, "extra")["transactions"]) == 1
    assert len(call(received_rpc.rpc_listaddressgroupings, bench, "extra")) == 1
    assert rpc_error(received_rpc.rpc_listaccounts, bench, 1, False, 3)[1].startswith("listaccounts")


def test_listunspent_p2sh_shows_the_redeem_script(bench):
    from fluxd.core.hashes import hash160
    from fluxd.core.script import p2sh_script
    from fluxd.core.standard import multisig_script

    redeem = multisig_script(1, [bench.wallet.get_key_from_pool(), bench.wallet.get_key_from_pool()])
    script_id = bench.wallet.add_script(redeem)
    assert script_id == hash160(redeem)
    tx = bench.payment([(p2sh_script(script_id), COIN)])
    bench.mine(tx)
    [coin] = call(coins_rpc.rpc_listunspent, bench)
    assert list(coin) == ["txid", "vout", "generated", "address", "redeemScript", "scriptPubKey", "amount",
                          "confirmations", "spendable"]
    assert coin["redeemScript"] == redeem.hex() and coin["spendable"] is True


def test_a_map_value_named_like_a_field_is_pushed_twice(bench):
    tx = funded(bench)[2]
    bench.wallet.txs[tx.txid_rev].map_value["txid"] = "shadow"
    detail = call(history_rpc.rpc_gettransaction, bench, tx.txid_hum)
    assert [value for key, value in detail.items() if key == "txid"] == [tx.txid_hum, "shadow"]
