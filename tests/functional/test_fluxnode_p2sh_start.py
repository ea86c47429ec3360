"""Starting a 2-of-3 multisig (P2SH) Stratus fluxnode on regtest with the C++ P2SH start RPCs, across two
real nodes: node a creates the START (createp2shstarttx, with a delegate key), node b signs it with the
multisig key its wallet holds (signp2shstarttx), node a broadcasts it (sendp2shstarttx); mined, it is in the
start list of both nodes, then confirmed it pays the P2SH address.  Before P2SHNODES the mempool refuses it.
Once the node expired, the stored delegate starts it again with startp2shasdelegate, the VPS key and the
redeem script found in the chain."""

from __future__ import annotations

import pytest

from fluxd.core.transaction import Transaction
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm, multisig_redeem_script
from tests.functional.fluxnode_setup import (
    Clock,
    Key,
    Wallet,
    assert_same_lists,
    confirmed,
    key_of,
    multisig,
    node_args,
    send,
    start_nodes,
    stop_nodes,
)
from tests.functional.framework import RPCFailure, connect_nodes, sync_blocks, wait_until

pytestmark = pytest.mark.functional

P2SH_HEIGHT, PON_HEIGHT, PON_EXPIRY = 205, 206, 640
SIGNERS, OPERATOR = [Key.of(51), Key.of(52), Key.of(53)], Key.of(54)
DELEGATE, STRANGER = Key.of(55), Key.of(56)


def _failure(node, *call) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failed:
        node.rpc(*call)
    return failed.value.code, failed.value.message


def _starts(node) -> list[str]:
    return [entry["collateral"] for entry in node.rpc("getstartlist")]


def test_a_multisig_fluxnode_started_with_the_p2sh_rpcs(tmp_path):
    nodes = start_nodes(tmp_path, "ab", node_args(PON_HEIGHT, f"-nuparams=p2shnodes:{P2SH_HEIGHT}"))
    try:
        clock = Clock(nodes)
        clock.tick(0)
        connect_nodes(nodes[1], nodes[0])
        clock.mine(101)
        redeem, address = multisig(2, SIGNERS)
        collateral = Wallet(nodes[0], clock).pay({address: 40_000})[address]
        nodes[1].rpc("importprivkey", SIGNERS[1].wif, "", False)  # b's wallet holds one of the three keys
        clock.mine(100)
        _refused_before_p2shnodes(nodes, clock, redeem, collateral)
        clock.mine(PON_HEIGHT - nodes[0].rpc("getblockcount"))
        signed = _create_sign_send(nodes, clock, redeem, collateral)
        _confirm_then_expire(nodes, clock, collateral, address, signed)
        _start_as_delegate(nodes, clock, collateral, address)
    finally:
        stop_nodes(nodes)


def _create(node, redeem: bytes, collateral, *delegates: Key) -> str:
    return node.rpc("createp2shstarttx", redeem.hex(), OPERATOR.pubkey.hex(), collateral.txid_hum, collateral.n,
                    [key.pubkey.hex() for key in delegates])  # fmt: skip


def _refused_before_p2shnodes(nodes, clock, redeem, collateral) -> None:
    a = nodes[0]
    assert a.rpc("getblockcount") == P2SH_HEIGHT - 3
    raw = _create(a, redeem, collateral, DELEGATE)
    start = Transaction.from_hex(raw).fluxnode
    assert start.flux_tx_version == 2 and not start.using_delegates  # before PoN: the legacy version, no delegates
    signed = a.rpc("signp2shstarttx", raw, SIGNERS[0].wif)
    assert _failure(a, "sendp2shstarttx", signed) == (-26, "16: tx-p2shnodes-not-active")
    assert a.rpc("getrawmempool") == [] and _starts(a) == []


def _create_sign_send(nodes, clock, redeem, collateral) -> str:
    a, b = nodes
    other = multisig_redeem_script(2, [key.key for key in SIGNERS[::-1]])
    assert _failure(a, "createp2shstarttx", other.hex(), OPERATOR.pubkey.hex(), collateral.txid_hum, collateral.n) == (
        -25, "Address not matching Redeemscript hash")  # fmt: skip
    raw = _create(a, redeem, collateral, DELEGATE)
    decoded = Transaction.from_hex(raw).fluxnode
    assert decoded.flux_tx_version == 0x0102 and decoded.delegates.keys == (DELEGATE.pubkey,)
    assert _failure(a, "signp2shstarttx", raw) == (-4, "Private key not available")  # a holds none of the keys
    assert _failure(a, "sendp2shstarttx", raw) == (-26, "16: bad-txns-fluxnode-tx-invalid-signature")
    assert _failure(a, "signp2shstarttx", raw, STRANGER.wif) == (-5, "Signature Verify Failed")
    clock.tick()
    signed = b.rpc("signp2shstarttx", raw)  # signed by b's wallet key: one signature is all a START carries
    assert Transaction.from_hex(signed).fluxnode.sig_time == clock.now
    txid = a.rpc("sendp2shstarttx", signed)
    assert txid == Transaction.from_hex(signed).txid_hum
    wait_until(lambda: b.rpc("getrawmempool") == [txid], 30, what="START relay")
    assert a.rpc("startp2shasdelegate", collateral.txid_hum, str(collateral.n), DELEGATE.wif) == {
        "result": "failed", "error": "Mempool already has a fluxnode transaction using this outpoint"}  # fmt: skip
    clock.mine()
    expected = [f"COutPoint({collateral.txid_hum}, {collateral.n})"]
    assert _starts(a) == _starts(b) == expected
    assert a.rpc("startp2shasdelegate", collateral.txid_hum, str(collateral.n), DELEGATE.wif) == {
        "result": "failed", "error": "Fluxnode already started, waiting to be confirmed"}  # fmt: skip
    assert _failure(a, "sendp2shstarttx", signed) == (-25, "")  # just mined: the mempool refuses it silently
    return signed


def _confirm_then_expire(nodes, clock, collateral, address: str, signed: str) -> None:
    a = nodes[0]
    send(a, build_confirm(collateral, OPERATOR.key, TEST_BENCHMARK_KEY, 0, "127.0.0.3:16125", clock.now, 3, clock.now))
    clock.mine()
    listed = confirmed(a)[key_of(collateral)]
    assert (listed["tier"], listed["payment_address"], listed["pubkey"]) == ("STRATUS", address, OPERATOR.pubkey.hex())
    assert_same_lists(nodes)
    # no confirms for 640 blocks (PoN expiry): the node leaves the list, its delegate keys stay stored
    height = a.rpc("getblockcount")
    a.rpc("generate", listed["last_confirmed_height"] + PON_EXPIRY - height + 1)
    sync_blocks(nodes)
    assert assert_same_lists(nodes)[1]["total"] == 0


def _start_as_delegate(nodes, clock, collateral, address: str) -> None:
    a, b = nodes
    clock.tick()
    txid, index = collateral.txid_hum, str(collateral.n)
    assert a.rpc("startp2shasdelegate", txid, index, STRANGER.wif) == {
        "result": "failed", "error": "This delegate key is not authorized for this collateral"}  # fmt: skip
    assert a.rpc("startp2shasdelegate", txid, index, DELEGATE.wif, "02" + "00" * 32) == {
        "result": "failed", "error": "Invalid VPS public key"}  # fmt: skip
    answer = a.rpc("startp2shasdelegate", txid, index, DELEGATE.wif)  # VPS key and redeem script from the chain
    assert list(answer) == ["result", "txid", "delegate", "p2sh"]
    assert (answer["result"], answer["delegate"], answer["p2sh"]) == ("success", DELEGATE.address, address)
    wait_until(lambda: b.rpc("getrawmempool") == [answer["txid"]], 30, what="delegate START relay")
    assert a.rpc("gettransaction", answer["txid"])["txid"] == answer["txid"]  # committed to a's wallet
    clock.mine()
    assert _starts(a) == _starts(b) == [f"COutPoint({txid}, {index})"]
    start = Transaction.from_hex(a.rpc("getrawtransaction", answer["txid"])).fluxnode
    assert (start.pubkey, start.sig_time, start.delegates.n_type) == (OPERATOR.pubkey, clock.now - 600, 2)
