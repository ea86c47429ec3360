"""createp2shstarttx, signp2shstarttx and sendp2shstarttx over a fake node: the C++ layout (legacy version 2
before PoN, the P2SH and delegates bits under it), parameter and type errors, the collateral address check,
signing with a given or a wallet key (the signature passes consensus), and the mempool's answers."""

from __future__ import annotations

import pytest

from fluxd.consensus.fluxnode_checks import check_start
from fluxd.consensus.tx_check import check_transaction
from fluxd.core.fluxnode_tx import DELEGATES_UPDATE, FluxnodeStart
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.mempool.accept import MempoolRejected
from fluxd.rpc.methods import fluxnode_p2sh_help as texts
from fluxd.rpc.methods import register_all
from fluxd.rpc.registry import RPCTable
from fluxd.wallet.fluxnode_p2sh_start import unsigned_p2sh_start
from tests.fluxnode_building import KnownFluxnodes
from tests.unit.rpc import p2sh_fakes as fx
from tests.unit.rpc.wallet_node import make_node as make_wallet_node

TXID = fx.COLLATERAL.txid_hum
VPS = fx.OPERATOR.pubkey.hex()
REDEEM = fx.REDEEM.hex()


def created(node, *extra) -> Transaction:
    return Transaction.from_hex(fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0, *extra))


# --- createp2shstarttx ------------------------------------------------------------------------------


def test_create_under_pon_uses_the_p2sh_bit_and_stores_delegates():
    start = created(fx.make_node(), [fx.DELEGATE.pubkey.hex()]).fluxnode
    assert isinstance(start, FluxnodeStart) and start.flux_tx_version == 0x0102
    assert (start.collateral, start.pubkey, start.redeem_script, start.sig_time, start.sig) == (
        fx.COLLATERAL, fx.OPERATOR.pubkey, fx.REDEEM, 0, b"")
    assert start.using_delegates and start.delegates.n_type == DELEGATES_UPDATE
    assert start.delegates.keys == (fx.DELEGATE.pubkey,)
    assert created(fx.make_node()).fluxnode.flux_tx_version == 0x02  # no delegates: the P2SH bit alone
    assert created(fx.make_node(), []).fluxnode.flux_tx_version == 0x02  # an empty array: no delegates


def test_create_before_pon_uses_version_2_and_drops_delegates():
    before = fx.make_node(fx.PON_AT_100, fx.FakeChainstate(height=98))
    raw = fx.call(before, "createp2shstarttx", REDEEM, VPS, TXID, 0, [fx.DELEGATE.pubkey.hex()])
    start = Transaction.from_hex(raw).fluxnode
    assert start.flux_tx_version == 2 and not start.using_delegates  # C++ serializes no delegates for version 2
    assert raw == fx.call(before, "createp2shstarttx", REDEEM, VPS, TXID, 0)
    at_pon = fx.make_node(fx.PON_AT_100, fx.FakeChainstate(height=99))  # the next block is PoN
    assert created(at_pon).fluxnode.flux_tx_version == 0x02


def test_create_reads_hex_and_keys_as_cpp():
    node = fx.make_node()
    raw = fx.call(node, "createp2shstarttx", REDEEM + "zz", "04abcd", "  0x" + TXID, 0)
    start = Transaction.from_hex(raw).fluxnode
    assert start.pubkey == b"" and start.redeem_script == fx.REDEEM  # a bad key serializes empty; ParseHex stops
    assert created(node).to_bytes().hex() == fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID.upper(), 0)


@pytest.mark.parametrize("params, expected", [
    ((REDEEM, VPS, TXID), (-1, texts.CREATEP2SHSTARTTX_HELP)),
    ((REDEEM, VPS, TXID, 0, [], 1), (-1, texts.CREATEP2SHSTARTTX_HELP)),
    ((REDEEM, VPS, TXID, "0"), (-3, "Expected type number, got string")),
    ((1, VPS, TXID, 0), (-3, "Expected type string, got number")),
    ((REDEEM, VPS, TXID, 0, "x"), (-3, "Expected type array, got string")),
    ((REDEEM, VPS, TXID, 2**31), (-1, "JSON integer out of range")),
    ((REDEEM, VPS, TXID, 0, ["02" + "11" * 32] * 5), (-8, "Too many delegates. Maximum is 4")),
    ((REDEEM, VPS, TXID, 0, ["02" + "11" * 31]), (-8, "Invalid delegate public key at index 0")),
    ((REDEEM, VPS, TXID, 0, [fx.DELEGATE.pubkey.hex(), fx.OPERATOR.pubkey.hex()]),
     (-8, "Delegate public key at index 1 must be compressed")),
    ((REDEEM, VPS, TXID, 0, [fx.DELEGATE.pubkey.hex()] * 2), (-8, "Duplicate delegate public key at index 1")),
    ((REDEEM, VPS, TXID, 0, [5]), (-1, "JSON value is not a string as expected")),
])  # fmt: skip
def test_create_parameter_errors(params, expected):
    assert fx.failure(fx.make_node(), "createp2shstarttx", *params) == expected


def test_create_checks_the_collateral_pays_the_redeem_script():
    node = fx.make_node()
    other = fx.multisig_redeem_script(1, fx.SIGNERS[:2]).hex()
    assert fx.failure(node, "createp2shstarttx", other, VPS, TXID, 0) == (-25, "Address not matching Redeemscript hash")
    assert fx.failure(node, "createp2shstarttx", REDEEM, VPS, "11" * 32, 0) == (-25, "Coins not found in chain")
    node.chainstate.spent.add(fx.COLLATERAL)
    assert fx.failure(node, "createp2shstarttx", REDEEM, VPS, TXID, 0) == (-25, "Couldn't extract destination from coins")
    node.chainstate.spent.add(OutPoint(fx.FUNDING.txid_rev, 1))
    assert fx.failure(node, "createp2shstarttx", REDEEM, VPS, TXID, 0) == (-25, "Coins not found in chain")
    p2pkh = Transaction(vout=(TxOut(40_000 * 10**8, p2pkh_script(hash160(fx.REDEEM))),))  # the same hash, P2PKH
    keyed = fx.make_node(chainstate=fx.FakeChainstate(txs=[p2pkh]))
    assert fx.failure(keyed, "createp2shstarttx", REDEEM, VPS, p2pkh.txid_hum, 0) == (
        -25, "Address not matching Redeemscript hash")
    assert fx.failure(node, "createp2shstarttx", REDEEM, VPS, TXID, 1)[0] == -25  # a bare OP_TRUE output


# --- signp2shstarttx ---------------------------------------------------------------------------------


def _passes_consensus(tx: Transaction) -> None:
    check_transaction(fx.REGTEST, tx, KnownFluxnodes())
    coin = fx.FakeChainstate().get_coin(fx.COLLATERAL)
    check_start(fx.REGTEST, tx, None, coin)


def test_sign_with_a_given_key_sets_sigtime_and_passes_consensus():
    node = fx.make_node()
    unsigned = fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0, [fx.DELEGATE.pubkey.hex()])
    signed = Transaction.from_hex(fx.call(node, "signp2shstarttx", unsigned, fx.wif(fx.SIGNERS[2])))
    assert signed.fluxnode.sig_time == fx.NOW and len(signed.fluxnode.sig) == 65
    assert signed.fluxnode.delegates == Transaction.from_hex(unsigned).fluxnode.delegates
    _passes_consensus(signed)
    resigned = Transaction.from_hex(fx.call(node, "signp2shstarttx", signed.to_bytes().hex(), fx.wif(fx.SIGNERS[0])))
    assert resigned.txid_rev == signed.txid_rev and resigned.fluxnode.sig != signed.fluxnode.sig  # one signature
    _passes_consensus(resigned)


def test_sign_ignores_bytes_after_the_transaction():
    node = fx.make_node()
    unsigned = fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0)
    signed = fx.call(node, "signp2shstarttx", unsigned + "00ff", fx.wif(fx.SIGNERS[0]))
    assert Transaction.from_hex(signed).fluxnode.redeem_script == fx.REDEEM


def test_sign_errors():
    node = fx.make_node()
    unsigned = fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0)
    key = fx.wif(fx.SIGNERS[0])
    assert fx.failure(node, "signp2shstarttx") == (-1, texts.SIGNP2SHSTARTTX_HELP)
    assert fx.failure(node, "signp2shstarttx", unsigned, key, 1) == (-1, texts.SIGNP2SHSTARTTX_HELP)
    assert fx.failure(node, "signp2shstarttx", 5) == (-3, "Expected type string, got number")
    assert fx.failure(node, "signp2shstarttx", unsigned, 5) == (-3, "Expected type string, got number")
    assert fx.failure(node, "signp2shstarttx", "zz", key) == (-22, "TX decode failed")
    assert fx.failure(node, "signp2shstarttx", unsigned[:-8], key) == (-22, "TX decode failed")
    assert fx.failure(node, "signp2shstarttx", unsigned, "nokey") == (-5, "Invalid private key")
    assert fx.failure(node, "signp2shstarttx", unsigned, fx.wif(fx.STRANGER)) == (-5, "Signature Verify Failed")
    plain = fx.FUNDING.to_bytes().hex()
    assert fx.failure(node, "signp2shstarttx", plain, key) == (-5, "Failed to get pubkeys from redeemscript")
    not_multisig = unsigned_p2sh_start(fx.COLLATERAL, b"\x51", fx.OPERATOR.pubkey, 2, []).to_bytes().hex()
    assert fx.failure(node, "signp2shstarttx", not_multisig, key) == (-5, "Failed to get pubkeys from redeemscript")


def test_create_with_a_non_multisig_redeem_script_fails_on_the_address_first():
    assert fx.failure(fx.make_node(), "createp2shstarttx", "51", VPS, TXID, 0) == (
        -25, "Address not matching Redeemscript hash")


def test_sign_with_the_wallet_key(tmp_path):
    wallet_node = make_wallet_node(tmp_path)
    node = fx.make_node(wallet=wallet_node.wallet)
    unsigned = fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0)
    assert fx.failure(node, "signp2shstarttx", unsigned) == (-4, "Private key not available")
    wallet_node.wallet.add_key(fx.SIGNERS[1], fx.NOW)
    signed = Transaction.from_hex(fx.call(node, "signp2shstarttx", unsigned))
    _passes_consensus(signed)
    plain = fx.FUNDING.to_bytes().hex()
    assert fx.failure(node, "signp2shstarttx", plain) == (-5, "Failed to get pubkeys from redeemscript")


def test_sign_without_a_key_needs_an_unlocked_wallet():
    locked = fx.SimpleNamespace(keys=fx.SimpleNamespace(locked=True))
    node = fx.make_node(wallet=locked)
    unsigned = fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0)
    assert fx.failure(node, "signp2shstarttx", unsigned) == (
        -13, "Error: Please enter the wallet passphrase with walletpassphrase first.")  # fmt: skip
    assert fx.call(node, "signp2shstarttx", unsigned, fx.wif(fx.SIGNERS[0]))  # a given key needs no wallet
    assert fx.failure(fx.make_node(), "signp2shstarttx", unsigned) == (-32601, "Method not found (disabled)")


# --- sendp2shstarttx ---------------------------------------------------------------------------------


def test_send_submits_and_relays():
    node = fx.make_node()
    signed = fx.call(node, "signp2shstarttx", fx.call(node, "createp2shstarttx", REDEEM, VPS, TXID, 0), fx.wif(fx.SIGNERS[0]))
    txid = fx.call(node, "sendp2shstarttx", signed)
    tx = Transaction.from_hex(signed)
    assert txid == tx.txid_hum
    assert [(sent.txid_rev, limit_free, absurd) for sent, limit_free, absurd in node.mempool_service.submitted] == [
        (tx.txid_rev, False, True)]
    assert [relayed.txid_rev for relayed in node.mempool_service.relayed] == [tx.txid_rev]


@pytest.mark.parametrize("refusal, expected", [
    (MempoolRejected("tx-p2shnodes-not-active", 16, 10), (-26, "16: tx-p2shnodes-not-active")),
    (MempoolRejected("", invalid=False), (-25, "")),
    (MempoolRejected("", invalid=False, missing_inputs=True), (-25, "Missing inputs")),
])  # fmt: skip
def test_send_answers_the_mempool_refusal(refusal, expected):
    node = fx.make_node(submitter=fx.FakeSubmitter(refusal))
    assert fx.failure(node, "sendp2shstarttx", "00") == expected
    assert node.mempool_service.relayed == []


def test_send_of_undecodable_hex_submits_an_empty_transaction():
    node = fx.make_node()
    assert fx.call(node, "sendp2shstarttx", "not hex") == Transaction().txid_hum
    assert node.mempool_service.submitted[0][0] == Transaction()


def test_send_parameter_errors():
    node = fx.make_node()
    assert fx.failure(node, "sendp2shstarttx") == (-1, texts.SENDP2SHSTARTTX_HELP)
    assert fx.failure(node, "sendp2shstarttx", "00", "00") == (-1, texts.SENDP2SHSTARTTX_HELP)
    assert fx.failure(node, "sendp2shstarttx", 1) == (-3, "Expected type string, got number")


def test_registered_in_the_fluxnode_category_with_or_without_the_wallet():
    table = RPCTable()
    register_all(table, wallet=False)
    names = ("createp2shstarttx", "signp2shstarttx", "sendp2shstarttx", "startp2shasdelegate")
    assert {table.methods[name].category for name in names} == {"fluxnode"}
