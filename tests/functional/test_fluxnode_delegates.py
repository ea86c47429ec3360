"""The delegate fluxnode RPCs on a real regtest node under PoN (delegates are a PoN feature): the owner's
wallet starts its Cumulus node with startfluxnodewithdelegates (the conf entry, a delegate key from
createdelegatekeypair), listfluxnodedelegates shows the key, the refusals come with C++'s texts, and once
the node expired the delegate starts it again with startfluxnodeasdelegate, the VPS and collateral keys
found in the chain."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey, decode_wif, encode_wif
from fluxd.core.transaction import Transaction
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm
from tests.functional.fluxnode_setup import REGTEST, Clock, Key, Wallet, confirmed, key_of, node_args, send
from tests.functional.framework import NodeProcess, RPCFailure

pytestmark = pytest.mark.functional

PON_HEIGHT, PON_EXPIRY = 150, 640
OPERATOR = PrivateKey(bytes([61]) * 32, compressed=False)
STRANGER = Key.of(62)


def _failed(error: str) -> dict:
    return {"result": "failed", "error": error}


def test_delegates_start_a_fluxnode(tmp_path):
    node = NodeProcess(tmp_path / "owner", node_args(PON_HEIGHT, f"-nuparams=p2shnodes:{PON_HEIGHT - 1}"))
    node.start()
    clock = Clock([node])
    try:
        clock.tick(0)
        _run(node, clock)
    finally:
        node.stop()


def _run(node, clock) -> None:
    clock.mine(101)
    address = node.rpc("getnewaddress")
    collateral = Wallet(node, clock).pay({address: 1_000})[address]
    clock.mine(max(100, PON_HEIGHT + 1 - node.rpc("getblockcount")))  # 100 confirmations, under PoN
    (node.net_dir / "fluxnode.conf").write_text(
        f"zn1 127.0.0.1:16126 {encode_wif(OPERATOR, REGTEST.base58)} {collateral.txid_hum} {collateral.n}\n")
    node.stop()
    node.extra_args = [*node.extra_args, f"-mocktime={clock.now}"]
    node.start()
    pair = node.rpc("createdelegatekeypair")
    assert list(pair) == ["private_key", "public_key_compressed", "public_key_uncompressed"]
    delegate = decode_wif(pair["private_key"], REGTEST.base58)
    assert delegate.compressed and delegate.pubkey.hex() == pair["public_key_compressed"]
    assert PrivateKey(delegate.secret, compressed=False).pubkey.hex() == pair["public_key_uncompressed"]
    spork = node.rpc("createsporkkeys")
    assert list(spork) == ["pubkey", "privkey"] and spork["pubkey"].startswith("04")
    _owner_refusals(node, pair)
    txid, index = collateral.txid_hum, str(collateral.n)
    assert node.rpc("listfluxnodedelegates", txid, index) == {
        "collateral": f"COutPoint({txid}, {index})", "has_delegates": False}  # fmt: skip
    started = node.rpc("startfluxnodewithdelegates", "zn1", [pair["public_key_compressed"]], False)
    assert started.get("result") == "success", started
    assert started == {"result": "success", "txid": started["txid"], "delegates_count": 1,
                       "delegates": [pair["public_key_compressed"]]}  # fmt: skip
    start = Transaction.from_hex(node.rpc("getrawtransaction", started["txid"])).fluxnode
    assert start.flux_tx_version == 0x0101 and start.delegates.n_type == 1 and start.pubkey == OPERATOR.pubkey
    assert node.rpc("startfluxnodewithdelegates", "zn1", [pair["public_key_compressed"]], False) == _failed(
        "Mempool already has a fluxnode transaction using this outpoint")  # fmt: skip
    clock.mine()
    assert node.rpc("listfluxnodedelegates", txid, index) == {
        "collateral": f"COutPoint({txid}, {index})", "has_delegates": True, "delegate_version": 1,
        "delegate_type": 1, "delegate_type_string": "UPDATE", "delegate_keys": [pair["public_key_compressed"]]}  # fmt: skip
    assert node.rpc("startfluxnodeasdelegate", txid, index, pair["private_key"]) == _failed(
        "Fluxnode already started, waiting to be confirmed")  # fmt: skip
    _confirm_then_expire(node, clock, collateral)
    _start_as_delegate(node, clock, collateral, pair)


def _owner_refusals(node, pair) -> None:
    key = pair["public_key_compressed"]
    assert node.rpc("startfluxnodewithdelegates", "zn1", [], False) == _failed("At least one delegate key must be provided")
    assert node.rpc("startfluxnodewithdelegates", "zn1", [key] * 5, False) == _failed("Too many delegates. Maximum is 4")
    assert node.rpc("startfluxnodewithdelegates", "zn1", [key, key], False) == _failed("Duplicate public key at index 1")
    assert node.rpc("startfluxnodewithdelegates", "zn1", ["zz"], False) == _failed("Invalid public key at index 0")
    assert node.rpc("startfluxnodewithdelegates", "zn1", [pair["public_key_uncompressed"]], False) == _failed(
        "Public key at index 0 must be compressed")  # fmt: skip
    assert node.rpc("startfluxnodewithdelegates", "nope", [key], False) == _failed(
        "Could not find alias in config. Verify with listfluxnodeconf.")  # fmt: skip
    with pytest.raises(RPCFailure) as failed:
        node.rpc("startfluxnodewithdelegates", "zn1", key, False)
    assert (failed.value.code, failed.value.message) == (-1, "JSON value is not an array as expected")
    assert node.rpc("listfluxnodedelegates", "ab", "0") == {"error": "Invalid transaction hash (must be 64 hex characters)"}
    assert node.rpc("listfluxnodedelegates", "00" * 32, "0") == {"error": "Invalid transaction hash"}
    assert node.rpc("listfluxnodedelegates", "11" * 32, "x") == {"error": "Invalid output index"}
    assert node.rpc("getrawmempool") == []


def _confirm_then_expire(node, clock, collateral) -> None:
    send(node, build_confirm(collateral, OPERATOR, TEST_BENCHMARK_KEY, 0, "127.0.0.1:16125", clock.now, 1, clock.now))
    clock.mine()
    listed = confirmed(node)[key_of(collateral)]
    assert node.rpc("startfluxnodewithdelegates", "zn1", ["02" + "11" * 32], False)["error"] in (
        "Fluxnode already confirmed and in fluxnode list", "Invalid public key at index 0")  # fmt: skip
    node.rpc("generate", listed["last_confirmed_height"] + PON_EXPIRY - node.rpc("getblockcount") + 1)
    assert key_of(collateral) not in confirmed(node)


def _start_as_delegate(node, clock, collateral, pair) -> None:
    clock.tick()
    txid, index = collateral.txid_hum, str(collateral.n)
    assert node.rpc("startfluxnodeasdelegate", txid, index, STRANGER.wif) == _failed(
        "This delegate key is not authorized for this collateral. Use 'updatefluxnodedelegates' first.")  # fmt: skip
    assert node.rpc("startfluxnodeasdelegate", txid, index, "nokey") == _failed("Invalid delegate private key")
    assert node.rpc("startfluxnodeasdelegate", "00" * 32, index, pair["private_key"]) == _failed("Invalid transaction hash")
    answer = node.rpc("startfluxnodeasdelegate", txid, index, pair["private_key"])
    assert list(answer) == ["result", "txid", "delegate"] and answer["result"] == "success", answer
    clock.mine()
    assert [entry["collateral"] for entry in node.rpc("getstartlist")] == [f"COutPoint({txid}, {index})"]
    start = Transaction.from_hex(node.rpc("getrawtransaction", answer["txid"])).fluxnode
    assert (start.pubkey, start.delegates.n_type, start.sig_time) == (OPERATOR.pubkey, 2, clock.now - 600)
