"""Utility RPC handlers called directly with a minimal node (no process needed)."""

from __future__ import annotations

import base64
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fluxd.core.address import encode_destination, Destination
from fluxd.core.ecdsa import sign_message
from fluxd.core.keys import PrivateKey
from fluxd.params import networks
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.utility import (
    rpc_createmultisig,
    rpc_decodescript,
    rpc_getblocksubsidy,
    rpc_validateaddress,
    rpc_verifymessage,
)
from fluxd.util.univalue import dumps
from tests.vectors import load_json

MAIN = SimpleNamespace(params=networks.main_params(), chainstate=SimpleNamespace(height=2_996_914))
KEY = PrivateKey(bytes([9]) * 32)


def test_validateaddress():
    assert rpc_validateaddress(MAIN, ["t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA"]) == {
        "isvalid": True,
        "address": "t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA",
        "scriptPubKey": "a914fa742817c4a665fccc70ce4cb40bdb71ba345db787",
        "ismine": False,  # C++ (built with the wallet) writes these without a wallet too
        "iswatchonly": False,
        "isscript": True,
    }
    assert rpc_validateaddress(MAIN, ["tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"]) == {"isvalid": False}


def test_getblocksubsidy_matches_fixture():
    fixture = load_json("flux_atlas_fixtures/fluxos_daemon_getblocksubsidy.json")["data"]
    result = rpc_getblocksubsidy(MAIN, [])
    assert result == {"miner": Decimal(fixture["miner"])}
    assert dumps(result) == '{"miner":14.00000000}'
    assert rpc_getblocksubsidy(MAIN, [1]) == {"miner": Decimal("13020000.00000000")}
    with pytest.raises(RPCError) as failure:
        rpc_getblocksubsidy(MAIN, [-1])
    assert failure.value.code == -8


def test_decodescript():
    result = rpc_decodescript(MAIN, ["76a914fa742817c4a665fccc70ce4cb40bdb71ba345db788ac"])
    assert result["type"] == "pubkeyhash" and result["reqSigs"] == 1 and "hex" not in result
    assert result["asm"] == "OP_DUP OP_HASH160 fa742817c4a665fccc70ce4cb40bdb71ba345db7 OP_EQUALVERIFY OP_CHECKSIG"
    empty = rpc_decodescript(MAIN, [""])
    assert empty == {"asm": "", "type": "nonstandard", "p2sh": empty["p2sh"]}
    with pytest.raises(RPCError) as failure:
        rpc_decodescript(MAIN, [5])
    assert failure.value.code == -3


def test_verifymessage():
    address = encode_destination(Destination("pubkeyhash", KEY.key_id), MAIN.params.base58)
    signature = base64.b64encode(sign_message(KEY.secret, b"hello", KEY.compressed)).decode()
    assert rpc_verifymessage(MAIN, [address, signature, "hello"]) is True
    assert rpc_verifymessage(MAIN, [address, signature, "other"]) is False
    for bad, code in (("notanaddress", -3), ("t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA", -3)):
        with pytest.raises(RPCError) as failure:
            rpc_verifymessage(MAIN, [bad, signature, "hello"])
        assert failure.value.code == code
    with pytest.raises(RPCError) as failure:
        rpc_verifymessage(MAIN, [address, "***", "hello"])
    assert (failure.value.code, failure.value.message) == (-5, "Malformed base64 encoding")


def test_createmultisig():
    keys = [PrivateKey(bytes([n]) * 32).pubkey.hex() for n in (1, 2, 3)]
    result = rpc_createmultisig(MAIN, [2, keys])
    assert result["address"].startswith("t3") and result["redeemScript"].startswith("52") and result["redeemScript"].endswith("53ae")
    with pytest.raises(RPCError, match="at least one key"):
        rpc_createmultisig(MAIN, [0, keys])
    with pytest.raises(RPCError, match="not enough keys supplied"):
        rpc_createmultisig(MAIN, [4, keys])
    with pytest.raises(RPCError, match="Invalid public key"):
        rpc_createmultisig(MAIN, [1, ["02" + "00" * 32]])
