"""Wallet keys between real nodes: dumpwallet -> importwallet, importprivkey and importaddress with rescans,
dumpprivkey round trip, signmessage checked by verifymessage, validateaddress and getinfo wallet fields."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock, amount

pytestmark = pytest.mark.functional


@pytest.fixture
def nodes(tmp_path):
    a = NodeProcess(tmp_path / "a", [*WALLET_ARGS, f"-exportdir={tmp_path / 'export'}"]).start()
    b = NodeProcess(tmp_path / "b", WALLET_ARGS).start()
    c = NodeProcess(tmp_path / "c", WALLET_ARGS).start()
    yield a, b, c
    for node in (a, b, c):
        node.stop()


def test_keys_move_between_wallets(nodes, tmp_path):
    a, b, c = nodes
    connect_nodes(a, b)
    connect_nodes(a, c)
    clock = WalletClock([a, b, c])
    clock.mine(a, 101, sync=[a, b, c])
    balance = amount(a.rpc("getbalance"))
    assert balance > 0

    path = a.rpc("dumpwallet", "keys")
    assert path == str(tmp_path / "export" / "keys")
    with pytest.raises(RPCFailure) as failure:
        a.rpc("dumpwallet", "keys")
    assert (failure.value.code, failure.value.message) == (-8, f"Cannot overwrite existing file {path}")
    text = open(path).read()
    assert text.startswith("# Wallet dump created by Flux ") and text.endswith("\n# End of dump\n")
    assert a.rpc("importwallet", path) is None  # every key already there

    assert b.rpc("importwallet", path) is None
    assert amount(b.rpc("getbalance")) == balance
    assert amount(b.rpc("getbalance", "*", 1)) == balance

    # one mined-to key: dumpprivkey on A, importprivkey (with its rescan) on C
    coinbase = a.rpc("getblock", a.rpc("getblockhash", 1), 2)["tx"][0]
    paid = coinbase["vout"][0]["scriptPubKey"]["addresses"][0]
    wif = a.rpc("dumpprivkey", paid)
    assert c.rpc("validateaddress", paid)["ismine"] is False
    assert c.rpc("importprivkey", wif, "imported") == paid
    assert amount(c.rpc("getbalance")) == amount(coinbase["vout"][0]["value"])
    assert c.rpc("dumpprivkey", paid) == wif
    info = c.rpc("validateaddress", paid)
    assert (info["ismine"], info["iswatchonly"], info["isscript"], info["iscompressed"], info["account"]) == (
        True, False, False, True, "imported"
    )

    # watch-only: C watches the key of A's block 2 (mature one block later), seen only with includeWatchonly
    clock.mine(a, 1, sync=[a, b, c])
    watched = a.rpc("getblock", a.rpc("getblockhash", 2), 2)["tx"][0]["vout"][0]["scriptPubKey"]["addresses"][0]
    before = amount(c.rpc("getbalance", "*", 1, True))
    assert c.rpc("importaddress", watched, "watched") is None
    assert amount(c.rpc("getbalance", "*", 1)) == amount(coinbase["vout"][0]["value"])
    assert amount(c.rpc("getbalance", "*", 1, True)) > before
    assert c.rpc("validateaddress", watched)["iswatchonly"] is True
    with pytest.raises(RPCFailure) as failure:
        c.rpc("importaddress", paid)
    assert (failure.value.code, failure.value.message) == (-4, "The wallet already contains the private key for this address or script")

    signature = a.rpc("signmessage", paid, "flux message")
    assert c.rpc("verifymessage", paid, signature, "flux message") is True
    assert c.rpc("verifymessage", paid, signature, "other message") is False

    getinfo = a.rpc("getinfo")
    assert list(getinfo) == ["version", "protocolversion", "walletversion", "balance", "blocks", "timeoffset", "connections",
                             "proxy", "difficulty", "testnet", "keypoololdest", "keypoolsize", "paytxfee", "relayfee", "errors"]
    assert amount(getinfo["balance"]) == amount(a.rpc("getbalance"))
    assert c.rpc("rescanblockchain", 5) == "Rescan Completed"
    backup = a.rpc("backupwallet", "walletcopy")
    assert backup == str(tmp_path / "export" / "walletcopy")
    sync_blocks([a, b, c])
