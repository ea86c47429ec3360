"""z_validateaddress as C++ misc.cpp: Sprout (base58check, zcPaymentAddress prefix) and Sapling (Bech32) addresses,
their keys in C++ order and byte order, "ismine" only with a wallet, anything else only "isvalid": false."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluxd.core.bech32 import convert_bits, encode
from fluxd.params import networks
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.shielded_address import EXAMPLE, rpc_z_validateaddress
from tests.vectors import load_json

MAIN, REGTEST = networks.main_params(), networks.regtest_params()
VECTOR = load_json("zcash_test_vectors/sapling_key_components.json")[2]
DIVERSIFIER, PK_D = bytes.fromhex(VECTOR[7]), bytes.fromhex(VECTOR[8])


def _node(params, wallet=None):
    return SimpleNamespace(params=params, wallet=wallet)


def _sapling(hrp: str, raw: bytes = DIVERSIFIER + PK_D) -> str:
    return encode(hrp, convert_bits(raw, 8, 5, True))


def test_a_sapling_address_gives_its_diversifier_and_pk_d():
    address = _sapling("zregtestsapling")
    assert rpc_z_validateaddress(_node(REGTEST), [address]) == {
        "isvalid": True, "address": address, "type": "sapling", "diversifier": DIVERSIFIER.hex(),
        "diversifiedtransmissionkey": PK_D[::-1].hex()}  # fmt: skip
    with_wallet = rpc_z_validateaddress(_node(REGTEST, wallet=object()), [address])
    assert list(with_wallet)[-1] == "ismine" and with_wallet["ismine"] is False
    assert rpc_z_validateaddress(_node(REGTEST), [address.upper()])["isvalid"] is True


def test_the_cxx_help_example_is_a_mainnet_sprout_address():
    result = rpc_z_validateaddress(_node(MAIN), [EXAMPLE])
    assert list(result) == ["isvalid", "address", "type", "payingkey", "transmissionkey"]
    assert result["type"] == "sprout" and len(result["payingkey"]) == len(result["transmissionkey"]) == 64
    assert rpc_z_validateaddress(_node(REGTEST), [EXAMPLE]) == {"isvalid": False}  # another prefix


@pytest.mark.parametrize("text", [
    _sapling("za"),  # the mainnet HRP on regtest
    _sapling("zregtestsapling", DIVERSIFIER + PK_D[:-1]),  # 42 bytes
    _sapling("zregtestsapling")[:-1] + "q",  # checksum
    _sapling("zregtestsapling")[:20] + _sapling("zregtestsapling")[20:].upper(),  # mixed case
    "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE", "", "zregtestsapling1",
])  # fmt: skip
def test_anything_else_is_only_not_valid(text):
    assert rpc_z_validateaddress(_node(REGTEST), [text]) == {"isvalid": False}


def test_the_argument_must_be_one_string():
    with pytest.raises(RPCError) as failed:
        rpc_z_validateaddress(_node(REGTEST), [5])
    assert failed.value.message == "JSON value is not a string as expected"
    with pytest.raises(RPCError):
        rpc_z_validateaddress(_node(REGTEST), [])


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20), st.binary(max_size=80))
def test_bech32_round_trips(hrp, raw):
    from fluxd.core.bech32 import decode

    found_hrp, values = decode(encode(hrp, convert_bits(raw, 8, 5, True)))
    assert found_hrp == hrp and bytes(convert_bits(values, 5, 8, False) or []) == raw
