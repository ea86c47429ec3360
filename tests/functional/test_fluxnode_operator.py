"""Starting a fluxnode as an operator does on regtest: fund a collateral in the node's own wallet, write
fluxnode.conf, restart with -zelnode and the operator key, startdeterministicfluxnode, the START mined, then
the status RPCs in the expired / STARTED / CONFIRMED states and the C++ errors (bad alias, too young,
spent collateral, already started, locked wallet)."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.fake_fluxbench import install_fake_fluxbench
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm
from tests.functional.framework import NodeProcess, RPCFailure, wait_until
from tests.functional.wallet_nodes import WalletClock, amount

pytestmark = pytest.mark.functional

REGTEST = networks.regtest_params()
OPERATOR = PrivateKey(bytes([9]) * 32, compressed=False)
OPERATOR_WIF = encode_wif(OPERATOR, REGTEST.base58)
ARGS = ["-nuparams=kamata:1", "-nuparams=pon:5000", "-txindex=1", "-listen=1", "-connect=0",
        f"-regtestbenchmarkpubkey={TEST_BENCHMARK_KEY.pubkey.hex()}", "-experimentalfeatures", "-developerencryptwallet"]  # fmt: skip
IP = "127.0.0.1:16126"
NOT_FOUND = {"alias": "nope", "result": "failed", "error": "could not find alias in config. Verify with listfluxnodeconf."}


def _fund(node, clock, value: int) -> tuple[str, int]:
    address = node.rpc("getnewaddress")
    txid = node.rpc("sendtoaddress", address, value)
    clock.mine(node)
    vout = next(out["n"] for out in node.rpc("getrawtransaction", txid, 1)["vout"] if amount(out["value"]) == value)
    assert node.rpc("lockunspent", False, [{"txid": txid, "vout": vout}])  # the next sends must not spend it
    return txid, vout


def _restart(node, clock, args: list[str]) -> None:
    node.stop()
    node.extra_args = args
    node.start()
    node.rpc("setmocktime", clock.now)


def _failure(node, *call) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failed:
        node.rpc(*call)
    return failed.value.code, failed.value.message


def _overall(ok: int, failed: int, detail: dict) -> dict:
    return {"overall": f"Successfully started {ok} fluxnodes, failed to start {failed}, total {ok + failed}",
            "detail": [detail]}  # fmt: skip


def test_an_operator_starts_a_fluxnode_from_its_wallet(tmp_path):
    node = NodeProcess(tmp_path / "op", ARGS).start()
    clock = WalletClock([node])
    try:
        _run(node, clock)
    finally:
        node.stop()


def _run(node, clock) -> None:
    clock.mine(node, 130)
    assert _failure(node, "getfluxnodestatus") == (-1, "This is not a Flux Node")
    key = node.rpc("createfluxnodekey")
    assert node.rpc("validateaddress", node.rpc("getnewaddress"))["isvalid"] and key[0] in "9c"  # regtest WIF
    txid, vout = _fund(node, clock, 1000)
    spent_txid, spent_vout = _fund(node, clock, 1000)
    clock.mine(node, 99)
    young_txid, young_vout = _fund(node, clock, 1000)  # 1 confirmation
    assert sorted((o["txhash"], o["outputidx"]) for o in node.rpc("getfluxnodeoutputs")) == sorted(
        [(txid, vout), (spent_txid, spent_vout), (young_txid, young_vout)])  # fmt: skip
    conf = node.net_dir / "fluxnode.conf"
    assert conf.read_text().startswith("# Fluxnode config file\n")  # created by the first start
    conf.write_text(conf.read_text() + f"zn1 {IP} {OPERATOR_WIF} {txid} {vout}\n"
                    f"spent {IP} {OPERATOR_WIF} {spent_txid} {spent_vout}\n"
                    f"young {IP} {OPERATOR_WIF} {young_txid} {young_vout}\n")  # fmt: skip
    # fluxbenchd is still benchmarking: the node's own confirms fail ("Benchmarking hasn't completed"), so the
    # CONFIRM below is the test's
    bench = install_fake_fluxbench(node.datadir / "bench", online=True, status="running")
    fluxnode_args = [*ARGS, "-zelnode=1", f"-zelnodeprivkey={OPERATOR_WIF}", f"-zelnodeoutpoint={txid}",
                     f"-zelnodeindex={vout}", f"-fluxbenchpath={bench}"]  # fmt: skip
    _restart(node, clock, fluxnode_args)
    _before_start(node, clock, txid, vout, spent_txid, spent_vout)
    _start_and_states(node, clock, txid, vout)
    _locked_wallet(node, clock, fluxnode_args)


def _before_start(node, clock, txid, vout, spent_txid, spent_vout) -> None:
    locked = sorted((item["txid"], item["vout"]) for item in node.rpc("listlockunspent"))
    assert (txid, vout) in locked and len(locked) == 3  # -znconflock (default on)
    collateral = f"COutPoint({txid}, {vout})"
    assert node.rpc("getfluxnodestatus") == {"status": "expired", "collateral": collateral}
    assert node.rpc("getzelnodestatus") == node.rpc("getfluxnodestatus")
    conf = node.rpc("listfluxnodeconf")
    assert [item["alias"] for item in conf] == ["zn1", "spent", "young"]
    assert conf[0] == {"alias": "zn1", "status": "OFFLINE", "collateral": collateral, "txHash": txid,
                       "outputIndex": str(vout), "privateKey": OPERATOR_WIF, "address": IP, "ip": "UNKNOWN",
                       "network": "UNKOWN", "added_height": 0, "confirmed_height": 0, "last_confirmed_height": 0,
                       "last_paid_height": 0, "tier": "UNKNOWN", "payment_address": "UNKNOWN", "activesince": 0,
                       "lastpaid": 0}  # fmt: skip
    assert node.rpc("startdeterministicfluxnode", "nope", "false") == _overall(0, 1, NOT_FOUND)
    too_young = node.rpc("startdeterministicfluxnode", "young", "false")
    assert too_young == _overall(0, 1, {"alias": "young", "result": "failed",
        "errorMessage": "Fluxnode hasn't met confirmation requirement (remaining confirmations required: 99)\n"})  # fmt: skip
    raw = node.rpc("createrawtransaction", [{"txid": spent_txid, "vout": spent_vout}], {node.rpc("getnewaddress"): "999.9999"})
    node.rpc("sendrawtransaction", node.rpc("signrawtransaction", raw)["hex"])  # the wallet spends the collateral
    clock.mine(node)
    assert (spent_txid, spent_vout) not in [(o["txhash"], o["outputidx"]) for o in node.rpc("getfluxnodeoutputs")]
    spent = node.rpc("startdeterministiczelnode", "spent", "false")
    assert spent["detail"] == [{"alias": "spent", "result": "failed", "errorMessage": "Could not find collateral in wallet"}]
    assert _failure(node, "startdeterministicfluxnode", "zn1", False) == (-1, "JSON value is not a string as expected")
    many = node.rpc("startfluxnode", "alias", "false", "nope")
    assert many == {"overall": "Successfully started 0 fluxnodes, failed to start 1, total 1",
                    "detail": [{"result": "failed", "error": "could not find alias in config. Verify with list-conf."}]}  # fmt: skip


def _start_and_states(node, clock, txid, vout) -> None:
    started = node.rpc("startdeterministicfluxnode", "zn1", "false")
    assert started == _overall(1, 0, {"alias": "zn1", "result": "successful"})
    wait_until(lambda: len(node.rpc("getrawmempool")) == 1, 30, what="the START in the mempool")
    (start_txid,) = node.rpc("getrawmempool")
    start = node.rpc("getrawtransaction", start_txid, 1)
    assert start["version"] == 5, start  # FLUXNODE_TX_VERSION, as C++ BuildDeterministicStartTx
    again = node.rpc("startdeterministicfluxnode", "zn1", "false")
    assert again == {"result": "failed", "reason": "Mempool already has a fluxnode transaction using this outpoint"}
    clock.mine(node)
    assert node.rpc("getrawmempool") == []
    assert [item["collateral"] for item in node.rpc("getstartlist")] == [f"COutPoint({txid}, {vout})"]
    assert node.rpc("viewdeterministicfluxnodelist") == [] and node.rpc("listfluxnodes") == []  # only confirmed nodes
    status = node.rpc("getfluxnodestatus")
    height = node.rpc("getblockcount")
    assert status["status"] == "STARTED" and status["added_height"] == height and status["confirmed_height"] == 0
    assert (status["txhash"], status["outidx"], status["tier"], status["amount"]) == (txid, str(vout), "CUMULUS", "1000.00")
    assert status["pubkey"] == OPERATOR.pubkey.hex() and status["ip"] == ""
    assert list(status) == ["status", "collateral", "txhash", "outidx", "ip", "network", "added_height",
                            "confirmed_height", "last_confirmed_height", "last_paid_height", "tier",
                            "payment_address", "pubkey", "activesince", "lastpaid", "amount"]  # fmt: skip
    assert node.rpc("listfluxnodeconf")[0]["status"] == "STARTED"
    assert node.rpc("startdeterministicfluxnode", "zn1", "false") == {
        "result": "failed", "reason": "Fluxnode already started, waiting to be confirmed"}  # fmt: skip
    assert node.rpc("startfluxnode", "alias", "false", "zn1") == [{"outpoint": f"COutPoint({txid[:10]}, {vout})",
        "alias": "zn1", "result": "failed", "reason": "Fluxnode already started, waiting to be confirmed"}]  # fmt: skip
    collateral = OutPoint(bytes.fromhex(txid)[::-1], vout)
    confirm = build_confirm(collateral, OPERATOR, TEST_BENCHMARK_KEY, 0, "127.0.0.1:16125", clock.now, 1, clock.now)
    node.rpc("sendrawtransaction", confirm.to_bytes().hex())
    clock.mine(node)
    confirmed = node.rpc("getfluxnodestatus")
    assert confirmed["status"] == "CONFIRMED" and confirmed["ip"] == "127.0.0.1:16125"
    assert confirmed["confirmed_height"] == confirmed["last_confirmed_height"] == height + 1
    (listed,) = node.rpc("viewdeterministicfluxnodelist")
    assert {**confirmed, "rank": 0} == {"status": "CONFIRMED", **listed}  # the list's fields in the C++ order
    assert isinstance(confirmed["activesince"], str)
    assert node.rpc("listfluxnodeconf")[0]["status"] == "CONFIRMED"
    assert node.rpc("startdeterministicfluxnode", "zn1", "false")["reason"] == "Fluxnode already confirmed and in fluxnode list"


def _locked_wallet(node, clock, fluxnode_args) -> None:
    node.rpc("encryptwallet", "secret")
    wait_until(lambda: node.process.poll() is not None, 60, what="encryptwallet stopping the node")
    node.process = None
    node.start()
    node.rpc("setmocktime", clock.now)
    assert _failure(node, "startdeterministicfluxnode", "young", "false") == (
        -13, "Error: Please enter the wallet passphrase with walletpassphrase first.")  # fmt: skip
    assert _failure(node, "startfluxnode", "all", "false")[0] == -13
