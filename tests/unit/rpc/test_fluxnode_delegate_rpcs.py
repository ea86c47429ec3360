"""The delegate fluxnode RPCs' parameter checks and answers that need no chain (C++ rpc/fluxnode.cpp)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fluxd.core.keys import PrivateKey, decode_wif
from fluxd.params.networks import regtest_params
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import fluxnode_delegate_rpcs as rpcs
from fluxd.rpc.methods.fluxnode_p2sh_delegate import Failed

NODE = SimpleNamespace(params=regtest_params())


def test_key_pairs():
    pair = rpcs.rpc_createdelegatekeypair(NODE, [])
    key = decode_wif(pair["private_key"], NODE.params.base58)
    assert key.compressed and pair["public_key_compressed"] == key.pubkey.hex()
    assert pair["public_key_uncompressed"] == PrivateKey(key.secret, compressed=False).pubkey.hex()
    spork = rpcs.rpc_createsporkkeys(NODE, [])
    assert decode_wif(spork["privkey"], NODE.params.base58).pubkey.hex() == spork["pubkey"] and len(spork["pubkey"]) == 130
    for handler, text in ((rpcs.rpc_createdelegatekeypair, rpcs.texts.CREATEDELEGATEKEYPAIR_HELP),
                          (rpcs.rpc_createsporkkeys, rpcs.texts.CREATESPORKKEYS_HELP)):  # fmt: skip
        with pytest.raises(RPCError) as failed:
            handler(NODE, [1])
        assert (failed.value.code, failed.value.message) == (-1, text)


@pytest.mark.parametrize(("keys", "error"), [
    ([], "At least one delegate key must be provided"),
    (["02" + "11" * 32] * 5, "Too many delegates. Maximum is 4"),
    (["02" + "11" * 32, "02" + "11" * 32], "Duplicate public key at index 1"),
    (["03" + "22" * 32, "05" + "00" * 32], "Invalid public key at index 1"),
    (["04" + "33" * 64], "Public key at index 0 must be compressed"),
])  # fmt: skip
def test_delegate_key_checks(keys, error):
    with pytest.raises(Failed) as failed:
        rpcs._delegate_keys(keys)
    assert str(failed.value) == error


def test_stoul_as_cxx():
    assert rpcs._stoul(" 12x") == 12 and rpcs._stoul("x") is None and rpcs._stoul("") is None
    assert rpcs._stoul("-1") == 0xFFFFFFFFFFFFFFFF  # wraps, then "exceeds maximum"
    assert rpcs._stoul("4294967296") == 4294967296


def test_not_active_and_wrong_counts(monkeypatch):
    monkeypatch.setattr(rpcs.op, "transactions_active", lambda node: False)
    with pytest.raises(RPCError) as failed:
        rpcs.rpc_listfluxnodedelegates(NODE, ["aa", "0"])
    assert failed.value.message == "deterministic fluxnodes transactions is not active yet"
    monkeypatch.setattr(rpcs.op, "transactions_active", lambda node: True)
    for handler, params in ((rpcs.rpc_listfluxnodedelegates, ["a"]), (rpcs.rpc_startfluxnodeasdelegate, ["a", "0"]),
                            (rpcs.rpc_startfluxnodewithdelegates, ["a", []])):  # fmt: skip
        with pytest.raises(RPCError) as failed:
            handler(NODE, params)
        assert failed.value.code == -1 and failed.value.message.startswith(handler.__name__.removeprefix("rpc_"))
    assert rpcs.rpc_listfluxnodedelegates(NODE, ["11" * 32, "4294967296"]) == {
        "error": "Output index exceeds maximum (4294967295)"}  # fmt: skip
