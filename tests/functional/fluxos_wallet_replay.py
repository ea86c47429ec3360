"""FluxOS's wallet calls (daemonServiceWalletRpcs.js) replayed in its request shapes against a real node.

FluxOS builds each call's parameters from its HTTP query: numbers through ensureNumber, booleans through
ensureBoolean, and an argument the user left out is ``undefined``, which JSON.stringify sends as ``null``
inside the params array (sendToAddress's comment and comment-to, sendFrom's comments).
"""

from __future__ import annotations

from decimal import Decimal

W = "ZelBack/src/services/daemonService/daemonServiceWalletRpcs.js:"


def fund_wallet(client, clock, address: str, coinbase_txid: str, value: float, wif: str) -> None:
    """Move one of the test's mature coinbases to a wallet address (createRawTransaction, signRawTransaction)."""
    unsigned = client.run("createRawTransaction", [{"txid": coinbase_txid, "vout": 0}], {address: round(value - 0.001, 8)}, 0, None)
    signed = client.run("signRawTransaction", unsigned, [], [wif], "ALL")
    assert signed["complete"] is True
    client.run("sendRawTransaction", signed["hex"], False)
    clock.mine()


def replay_wallet_calls(client, clock, fund) -> None:
    """Every transparent wallet call FluxOS wraps, as it sends it; ``fund(address)`` pays the wallet."""
    address = client.run("getNewAddress")  # W153: no parameters
    assert address.startswith("tm")
    assert client.run("getBalance", "", 1, False) == 0  # W135: ['', minconf, includewatchonly]
    fund(address)
    balance = Decimal(str(client.run("getBalance", "", 1, False)))
    assert balance > 0
    assert client.run("getBalance", "", 0, True) == client.run("getBalance", "", 1, False)
    assert client.run("getUnconfirmedBalance") == 0  # W237
    # daemonServiceZcashRpcs.js zcBenchmark: [benchmarktype, samplecount]; the transparent kinds run
    (sample,) = client.run("zcBenchmark", "verifyequihash", 1)
    assert list(sample) == ["runningtime"] and float(sample["runningtime"]) > 0
    (sample,) = client.run("zcBenchmark", "listunspent", 1)
    assert float(sample["runningtime"]) > 0
    info = client.run("getWalletInfo")  # W255
    assert Decimal(str(info["balance"])) == balance and info["txcount"] >= 1
    assert client.run("keyPoolRefill", 5) is None  # W356: [newsize]
    change = client.run("getRawChangeAddress")  # W171
    assert change.startswith("tm") and change != address
    assert client.run("setTxFee", 0.0001) is True  # W804: [amount]
    to_self = client.run("getNewAddress")
    txid = client.run("sendToAddress", to_self, 1.5, None, None, False)  # W738: comment, commentto undefined
    assert len(txid) == 64
    many = client.run("sendMany", "", {to_self: 0.25, change: 0.5}, 1, "", [change])  # W658 + W661
    assert len(many) == 64
    from_address = client.run("sendFrom", "", to_self, 0.1, 1, None, None)  # W582: account "" = any address
    assert len(from_address) == 64
    unfunded = client.run("createRawTransaction", [], {to_self: 2}, 0, None)
    funded = client.run("fundRawTransaction", unfunded)  # daemonServiceTransactionRpcs.js:195: [hexstring]
    assert list(funded) == ["hex", "changepos", "fee"] and funded["changepos"] in (0, 1)
    clock.mine()
    assert client.fails("sendToAddress", "tmNotAnAddress", 1, None, None, False)[:3] == (500, -5, "Invalid Flux address")
    assert client.run("setTxFee", 0) is True
    replay_history_calls(client, to_self, txid)
    replay_key_calls(client, address)


def replay_history_calls(client, address: str, txid: str) -> None:
    """The history and coin calls, with FluxOS's defaults (minconf 1, count 10, from 0, watch-only false)."""
    got = client.run("getReceivedByAddress", address, 1)
    assert Decimal(str(got)) == Decimal("1.85"), got  # W196
    sent = client.run("getTransaction", txid, False)  # W218: [txid, includewatchonly]
    assert sent["txid"] == txid and sent["confirmations"] == 1 and sent["details"]
    listed = client.run("listTransactions", "*", 10, 0, False)  # W492: account '*'
    assert 4 <= len(listed) <= 10 and all("category" in entry for entry in listed)
    since = client.run("listSinceBlock", "", 1, False)  # W465: blockhash '' = all
    assert txid in {entry["txid"] for entry in since["transactions"]} and len(since["lastblock"]) == 64
    received = client.run("listReceivedByAddress", 1, False, False)  # W440
    assert address in {entry["address"] for entry in received}
    groupings = client.run("listAddressGroupings")  # W374
    assert any(address == group[0] for grouping in groupings for group in grouping)
    unspent = client.run("listUnspent", 1, 9999999)  # W517: [minconf, maxconf]
    mine = [coin for coin in unspent if coin["address"] == address]
    assert mine and client.run("listUnspent", 1, 9999999, [address]) == mine  # W520: addresses pushed
    outpoint = {"txid": mine[0]["txid"], "vout": mine[0]["vout"]}
    assert client.run("lockUnspent", False, [outpoint]) is True  # W548: [unlock, transactions]
    assert client.run("listLockUnspent") == [outpoint]  # W392
    assert client.run("lockUnspent", True, [outpoint]) is True
    assert client.run("listLockUnspent") == []


def replay_key_calls(client, address: str) -> None:
    """The import/export and signing calls (daemonServiceWalletRpcs.js), as FluxOS sends them."""
    wif = client.run("dumpPrivKey", address)  # W107: [taddr]
    assert client.run("importPrivKey", wif, "", True) == address  # W305: [fluxprivkey, label || '', rescan ?? true]
    multisig = client.run("addMultiSigAddress", 1, [address])  # W24: [n, keysobject]
    assert multisig.startswith("t2")
    assert client.run("importAddress", "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE", "", True) is None  # W278
    assert client.run("rescanblockchain", 0) == "Rescan Completed"  # W413: [startheight || 0]
    signature = client.run("signMessage", address, "fluxos")  # W827: [taddr, message]
    assert client.run("verifyMessage", address, signature, "fluxos") is True
    # without -exportdir C++ refuses backupwallet; importwallet of a missing file fails to open it
    assert client.fails("backupWallet", "fluxosbackup") == (500, -4, "Cannot backup wallet until the -exportdir option has been set")
    assert client.fails("importWallet", "/nonexistent/fluxos.dump") == (500, -8, "Cannot open wallet dump file")
