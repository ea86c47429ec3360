"""signmessage, addmultisigaddress, validateaddress and getinfo wallet fields, signrawtransaction with the wallet."""

from __future__ import annotations

import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fluxd.core.address import Destination, encode_destination
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.rpc.errors import RPCError
from fluxd.util.args import parse_parameters
from fluxd.rpc.getinfo_wallet import getinfo_wallet_fields
from fluxd.rpc.methods.rawtransactions import rpc_signrawtransaction
from fluxd.rpc.methods.utility import rpc_createmultisig, rpc_validateaddress, rpc_verifymessage
from fluxd.rpc.methods.wallet_import_rpcs import rpc_importaddress, rpc_importprivkey
from fluxd.rpc.methods.wallet_sign_rpcs import rpc_addmultisigaddress, rpc_signmessage
from tests.unit.rpc.wallet_node import PARAMS, FakeChain, coinbase_to, make_node, p2pkh

KEY = PrivateKey(bytes([7]) * 32)
OTHER = PrivateKey(bytes([8]) * 32, compressed=False)


def failure(call, *args) -> tuple[int, str]:
    with pytest.raises(RPCError) as caught:
        call(*args)
    return caught.value.code, caught.value.message


def address(key: PrivateKey) -> str:
    return encode_destination(Destination("pubkeyhash", key.key_id), PARAMS.base58)


@pytest.fixture
def node(tmp_path):
    node = make_node(tmp_path)
    rpc_importprivkey(node, [encode_wif(KEY, PARAMS.base58), "mine", False])
    return node


def test_signmessage_verifies_with_verifymessage(node):
    signature = rpc_signmessage(node, [address(KEY), "hello flux"])
    assert rpc_verifymessage(node, [address(KEY), signature, "hello flux"]) is True
    assert rpc_verifymessage(node, [address(KEY), signature, "hello flu"]) is False
    assert failure(rpc_signmessage, node, ["nope", "m"]) == (-3, "Invalid address")
    script_address = encode_destination(Destination("scripthash", hash160(b"\x51")), PARAMS.base58)
    assert failure(rpc_signmessage, node, [script_address, "m"]) == (-3, "Address does not refer to key")
    assert failure(rpc_signmessage, node, [address(OTHER), "m"]) == (-4, "Private key not available")
    assert failure(rpc_signmessage, node, [address(KEY)])[0] == -1  # the help text


def test_signmessage_needs_an_unlocked_wallet(node):
    node.wallet.keys.encrypted, node.wallet.keys.master_key = True, None
    assert failure(rpc_signmessage, node, [address(KEY), "m"]) == (
        -13, "Error: Please enter the wallet passphrase with walletpassphrase first."
    )


def test_addmultisigaddress_and_validateaddress(node):
    keys = [address(KEY), OTHER.pubkey.hex()]
    multisig = rpc_addmultisigaddress(node, [1, keys])
    assert multisig == rpc_createmultisig(node, [1, keys])["address"]
    info = rpc_validateaddress(node, [multisig])
    assert list(info) == ["isvalid", "address", "scriptPubKey", "ismine", "iswatchonly", "isscript", "script", "hex",
                          "addresses", "sigsrequired", "account"]
    assert (info["ismine"], info["iswatchonly"], info["isscript"], info["script"]) == (False, False, True, "multisig")
    assert info["addresses"] == [address(KEY), address(OTHER)] and info["sigsrequired"] == 1 and info["account"] == ""
    assert node.wallet.address_book[multisig] == ("", "send")
    assert failure(rpc_addmultisigaddress, node, [1, [address(OTHER)]]) == (-1, f"no full public key for address {address(OTHER)}")
    assert failure(rpc_addmultisigaddress, node, [1, [multisig]]) == (-1, f"{multisig} does not refer to a key")
    assert failure(rpc_addmultisigaddress, node, [1, ["00"]]) == (-1, " Invalid public key: 00")
    assert failure(rpc_addmultisigaddress, node, [1, keys, "acct"]) == (-11, "Accounts are unsupported")
    mine = rpc_addmultisigaddress(node, [1, [address(KEY)]])
    assert rpc_validateaddress(node, [mine])["ismine"] is True


def test_validateaddress_key_fields_in_cpp_order(node):
    info = rpc_validateaddress(node, [address(KEY)])
    assert list(info) == ["isvalid", "address", "scriptPubKey", "ismine", "iswatchonly", "isscript", "pubkey", "iscompressed", "account"]
    assert (info["ismine"], info["iswatchonly"], info["pubkey"], info["iscompressed"], info["account"]) == (
        True, False, KEY.pubkey.hex(), True, "mine"
    )
    rpc_importaddress(node, [address(OTHER), "", False])
    watched = rpc_validateaddress(node, [address(OTHER)])
    assert list(watched) == ["isvalid", "address", "scriptPubKey", "ismine", "iswatchonly", "isscript", "account"]
    assert (watched["ismine"], watched["iswatchonly"]) == (False, True)
    stranger = encode_destination(Destination("pubkeyhash", b"\x01" * 20), PARAMS.base58)
    assert list(rpc_validateaddress(node, [stranger]))[3:] == ["ismine", "iswatchonly", "isscript"]
    no_wallet = SimpleNamespace(params=PARAMS)
    assert rpc_validateaddress(no_wallet, [address(KEY)])["ismine"] is False


def test_getinfo_wallet_fields(node):
    early, late = getinfo_wallet_fields(node)
    assert early == {"walletversion": 60000, "balance": Decimal("0E-8")}
    assert list(late) == ["keypoololdest", "keypoolsize", "paytxfee"] and late["keypoolsize"] == len(node.wallet.pool)
    node.wallet.keys.encrypted = True
    assert list(getinfo_wallet_fields(node)[1]) == ["keypoololdest", "keypoolsize", "unlocked_until", "paytxfee"]
    assert getinfo_wallet_fields(SimpleNamespace()) == ({}, {"paytxfee": Decimal("0E-8")})
    disabled = SimpleNamespace(args=parse_parameters(["-disablewallet", "-paytxfee=0.001"]))
    assert getinfo_wallet_fields(disabled) == ({}, {"paytxfee": Decimal("0.00100000")})


def spend(outpoint: OutPoint, value: int) -> str:
    tx = Transaction(vin=(TxIn(outpoint, b"", 0xFFFFFFFF),), vout=(TxOut(value, p2pkh(OTHER.pubkey)),))
    return tx.to_bytes().hex()


def test_signrawtransaction_with_wallet_keys_and_mempool_prevouts(tmp_path):
    chain = FakeChain()
    chain.add_block([coinbase_to(b"\x51", 0, 0)])
    paid = coinbase_to(p2pkh(KEY.pubkey), 5_000, 1)
    chain.add_block([paid])
    node = make_node(tmp_path, chain=chain)
    raw = spend(OutPoint(paid.txid_rev, 0), 4_000)
    assert rpc_signrawtransaction(node, [raw])["complete"] is False  # the wallet does not have the key yet
    rpc_importprivkey(node, [encode_wif(KEY, PARAMS.base58), "", False])
    signed = rpc_signrawtransaction(node, [raw])
    assert signed["complete"] is True and list(signed) == ["hex", "complete"]
    assert rpc_signrawtransaction(node, [raw, None, []])["complete"] is False  # keys given: only those
    pending = Transaction(vin=(TxIn(OutPoint(paid.txid_rev, 0), b"", 0xFFFFFFFF),), vout=(TxOut(4_500, p2pkh(KEY.pubkey)),))

    def output_coin(outpoint):
        if outpoint.txid_rev != pending.txid_rev:
            return None
        return SimpleNamespace(script_pubkey=pending.vout[0].script_pubkey, value=pending.vout[0].value)

    child = spend(OutPoint(pending.txid_rev, 0), 4_000)
    assert rpc_signrawtransaction(node, [child])["complete"] is False
    node.mempool = SimpleNamespace(lock=threading.Lock(), output_coin=output_coin)
    assert rpc_signrawtransaction(node, [child])["complete"] is True
    node.wallet.keys.encrypted, node.wallet.keys.master_key = True, None
    assert failure(rpc_signrawtransaction, node, [raw])[0] == -13
    assert rpc_signrawtransaction(node, [raw, None, [encode_wif(KEY, PARAMS.base58)]])["complete"] is True


def test_signrawtransaction_prevtx_script_mismatch(tmp_path):
    chain = FakeChain()
    chain.add_block([coinbase_to(b"\x51", 0, 0)])
    paid = coinbase_to(p2pkh(KEY.pubkey), 5_000, 1)
    chain.add_block([paid])
    node = make_node(tmp_path, chain=chain)
    raw = spend(OutPoint(paid.txid_rev, 0), 4_000)
    wrong = {"txid": paid.txid_hum, "vout": 0, "scriptPubKey": p2pkh(OTHER.pubkey).hex()}
    code, message = failure(rpc_signrawtransaction, node, [raw, [wrong]])
    assert code == -22 and message == (
        f"Previous output scriptPubKey mismatch:\nOP_DUP OP_HASH160 {KEY.key_id.hex()} OP_EQUALVERIFY OP_CHECKSIG\nvs:\n"
        f"OP_DUP OP_HASH160 {OTHER.key_id.hex()} OP_EQUALVERIFY OP_CHECKSIG"
    )
    right = dict(wrong, scriptPubKey=p2pkh(KEY.pubkey).hex(), amount=0.00005)
    assert rpc_signrawtransaction(node, [raw, [right], [encode_wif(KEY, PARAMS.base58)]])["complete"] is True
    elsewhere = dict(wrong, txid="11" * 32)  # not an input of the transaction: C++'s view has no coins for it
    assert rpc_signrawtransaction(node, [raw, [elsewhere]])["complete"] is False
