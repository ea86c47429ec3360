"""startp2shasdelegate over a fake node: the failed answers in C++ order (hash, index, trackers, key,
authorization, collateral transaction, keys from the chain or the parameters), the keys found in the newest
START of the collateral (not searched under UNMANAGED_FLUXBENCHD), and the success: a P2SH START signed by the
delegate that passes consensus with the stored delegate keys, committed to the wallet and the mempool."""

from __future__ import annotations

import pytest

from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED
from fluxd.consensus.fluxnode_checks import check_start
from fluxd.consensus.tx_check import check_transaction
from fluxd.core.address import encode_destination
from fluxd.core.fluxnode_tx import DELEGATES_SIGNING
from fluxd.core.hashes import hash160
from fluxd.mempool.accept import MempoolRejected
from fluxd.rpc.methods import fluxnode_p2sh_help as texts
from fluxd.params.upgrades import Upgrade
from fluxd.params import networks
from tests.fluxnode_building import KnownFluxnodes, build_start_v6_p2sh, build_start_v5
from tests.unit.rpc import p2sh_fakes as fx
from tests.unit.rpc.wallet_node import make_node as make_wallet_node

TXID = fx.COLLATERAL.txid_hum
DELEGATE_WIF = fx.wif(fx.DELEGATE)
AUTHORIZED = {fx.COLLATERAL: [fx.DELEGATE.pubkey]}


def _node(tmp_path, delegates=AUTHORIZED, blocks=None, **changes):
    chainstate = fx.FakeChainstate(blocks=blocks, fluxnodes=fx.FakeList(delegates=delegates))
    return fx.make_node(chainstate=chainstate, wallet=make_wallet_node(tmp_path).wallet, **changes)


def _failed(node, *params) -> str:
    answer = fx.call(node, "startp2shasdelegate", *params)
    assert list(answer) == ["result", "error"] and answer["result"] == "failed", answer
    assert node.mempool_service.submitted == []
    return answer["error"]


def _previous_start(sig_time: int = fx.NOW - 1000):
    return build_start_v6_p2sh(fx.COLLATERAL, fx.REDEEM, fx.SIGNERS[0], fx.OPERATOR.pubkey, sig_time)


def test_success_with_keys_from_the_chain(tmp_path, monkeypatch):
    monkeypatch.delenv("UNMANAGED_FLUXBENCHD", raising=False)
    node = _node(tmp_path, blocks={120: [fx.FUNDING], 250: [_previous_start()]})
    answer = fx.call(node, "startp2shasdelegate", TXID, "0", DELEGATE_WIF)
    base58 = fx.REGTEST.base58
    assert list(answer) == ["result", "txid", "delegate", "p2sh"]
    assert answer["result"] == "success"
    assert answer["delegate"] == encode_destination(fx.Destination("pubkeyhash", hash160(fx.DELEGATE.pubkey)), base58)
    assert answer["p2sh"] == encode_destination(fx.p2sh_address_of(fx.REDEEM), base58)
    ((tx, limit_free, _),) = node.mempool_service.submitted
    assert tx.txid_hum == answer["txid"] and not limit_free and node.mempool_service.relayed == [tx]
    start = tx.fluxnode
    assert (tx.version, start.flux_tx_version, start.pubkey, start.redeem_script, start.sig_time) == (
        6, 0x0102, fx.OPERATOR.pubkey, fx.REDEEM, fx.NOW)
    assert start.using_delegates and start.delegates.n_type == DELEGATES_SIGNING
    assert node.chainstate.blocks_read[0] == 300 and 250 in node.chainstate.blocks_read  # tip first, down to the START
    assert node.chainstate.blocks_read[-1] == 250
    check_transaction(fx.REGTEST, tx, KnownFluxnodes(delegates=AUTHORIZED))
    check_start(fx.REGTEST, tx, None, node.chainstate.get_coin(fx.COLLATERAL))
    assert tx.txid_rev in node.wallet.txs


def test_given_keys_skip_the_chain(tmp_path):
    node = _node(tmp_path)
    answer = fx.call(node, "startp2shasdelegate", TXID, "0", DELEGATE_WIF, fx.OPERATOR.pubkey.hex(), fx.REDEEM.hex())
    assert answer["result"] == "success" and node.chainstate.blocks_read == []


def test_the_chain_is_not_searched_under_unmanaged_fluxbenchd(tmp_path, monkeypatch):
    monkeypatch.setenv("UNMANAGED_FLUXBENCHD", "1")
    node = _node(tmp_path, blocks={250: [_previous_start()]})
    assert _failed(node, TXID, "0", DELEGATE_WIF) == (
        "Could not find VPS public key in blockchain. Please provide it as a parameter.")
    assert _failed(node, TXID, "0", DELEGATE_WIF, fx.OPERATOR.pubkey.hex()) == (
        "Could not find redeem script in blockchain. Please provide it as a parameter.")
    assert node.chainstate.blocks_read == []


def test_keys_missing_from_the_chain(tmp_path, monkeypatch):
    monkeypatch.delenv("UNMANAGED_FLUXBENCHD", raising=False)
    v5 = build_start_v5(fx.COLLATERAL, fx.SIGNERS[0], fx.OPERATOR.pubkey, fx.NOW)  # a key START: no redeem script
    node = _node(tmp_path, blocks={250: [v5]})
    assert _failed(node, TXID, "0", DELEGATE_WIF, "") == (
        "Could not find redeem script in blockchain. Please provide it as a parameter.")
    with_redeem = fx.call(node, "startp2shasdelegate", TXID, "0", DELEGATE_WIF, "", fx.REDEEM.hex())
    assert with_redeem["result"] == "success"  # the VPS key from the v5 START, the redeem script given
    (tmp_path / "2").mkdir()
    empty = _node(tmp_path / "2")
    assert _failed(empty, TXID, "0", DELEGATE_WIF, "", fx.REDEEM.hex()) == (
        "Could not find VPS public key in blockchain. Please provide it as a parameter.")
    assert _failed(empty, TXID, "0", DELEGATE_WIF, "02" + "00" * 32, fx.REDEEM.hex()) == "Invalid VPS public key"
    assert _failed(empty, TXID, "0", DELEGATE_WIF, "zz", fx.REDEEM.hex()) == "Invalid VPS public key"


@pytest.mark.parametrize("txhash, index, key, expected", [
    ("", "0", DELEGATE_WIF, "Invalid transaction hash"),
    ("zz" + TXID, "0", DELEGATE_WIF, "Invalid transaction hash"),
    (TXID, "x", DELEGATE_WIF, "Invalid output index"),
    (TXID, "99999999999", DELEGATE_WIF, "Invalid output index"),
    (TXID, "0", "nokey", "Invalid delegate private key"),
    (TXID, "0", fx.wif(fx.STRANGER), "This delegate key is not authorized for this collateral"),
    (TXID, "1", DELEGATE_WIF, "No delegates are authorized for this collateral"),
    (TXID, " 2abc", DELEGATE_WIF, "No delegates are authorized for this collateral"),
])  # fmt: skip
def test_failed_answers(tmp_path, txhash, index, key, expected):
    assert _failed(_node(tmp_path), txhash, index, key) == expected


def test_collateral_transaction_checks(tmp_path):
    outside = fx.OutPoint(bytes(range(32)), 0)
    node = _node(tmp_path, delegates={outside: [fx.DELEGATE.pubkey], fx.OutPoint(fx.COLLATERAL.txid_rev, 2): [fx.DELEGATE.pubkey]})
    assert _failed(node, outside.txid_hum, "0", DELEGATE_WIF) == "Collateral transaction not found"
    assert _failed(node, TXID, "2", DELEGATE_WIF) == "Invalid output index for transaction"
    pooled = fx.make_node(chainstate=fx.FakeChainstate(txs=[], fluxnodes=fx.FakeList(delegates=AUTHORIZED)),
                          pool=fx.SimpleNamespace(by_collateral={}, lookup=lambda txid: fx.FUNDING))  # fmt: skip
    assert _failed(pooled, TXID, "0", DELEGATE_WIF) == "Could not find VPS public key in blockchain. Please provide it as a parameter."


@pytest.mark.parametrize("status, expected", [
    (STARTED, "Fluxnode already started, waiting to be confirmed"),
    (DOS, "Fluxnode already started then not confirmed, in DoS tracker"),
    (CONFIRMED, "Fluxnode already confirmed and in fluxnode list"),
])  # fmt: skip
def test_tracked_collaterals(tmp_path, status, expected):
    node = _node(tmp_path)
    node.chainstate.list.records[fx.COLLATERAL] = status
    assert _failed(node, TXID, "0", "nokey") == expected  # before the key is read


def test_mempool_collateral(tmp_path):
    node = _node(tmp_path, pool=fx.SimpleNamespace(by_collateral={fx.COLLATERAL: b"x"}, lookup=lambda txid: None))
    assert _failed(node, TXID, "0", DELEGATE_WIF) == "Mempool already has a fluxnode transaction using this outpoint"


def test_a_mempool_refusal_is_a_failed_commit(tmp_path):
    refused = fx.FakeSubmitter(MempoolRejected("tx-delegates-not-active", 16, 10))
    node = _node(tmp_path, submitter=refused)
    answer = fx.call(node, "startp2shasdelegate", TXID, "0", DELEGATE_WIF, fx.OPERATOR.pubkey.hex(), fx.REDEEM.hex())
    assert answer == {"result": "failed", "error": "Failed to commit transaction"}
    assert len(node.wallet.txs) == 1  # C++ CommitTransaction records it in the wallet first


def test_preconditions_raise():
    node = fx.make_node()
    assert fx.failure(node, "startp2shasdelegate", TXID, "0") == (-1, texts.STARTP2SHASDELEGATE_HELP)
    assert fx.failure(node, "startp2shasdelegate", TXID, "0", "k", "", "", "") == (-1, texts.STARTP2SHASDELEGATE_HELP)
    assert fx.failure(node, "startp2shasdelegate", TXID, 0, "k") == (-1, "JSON value is not a string as expected")
    inactive = fx.make_node(networks.regtest_params({Upgrade.KAMATA: 500}))
    assert fx.failure(inactive, "startp2shasdelegate") == (-1, "deterministic fluxnodes transactions is not active yet")
