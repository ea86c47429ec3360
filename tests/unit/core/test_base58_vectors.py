"""base58_encode_decode.json, base58_keys_valid.json and base58_keys_invalid.json, completely."""

from __future__ import annotations

import pytest

from fluxd.core.address import AddressError, address_to_script, decode_destination, script_to_address
from fluxd.core.base58 import Base58Error, b58check_decode, b58check_encode, b58decode, b58encode
from fluxd.core.keys import InvalidKeyError, PrivateKey, decode_wif, encode_wif
from fluxd.params import networks
from tests.vectors import load_json

ENCODE_DECODE = load_json("fluxd_test_data/base58_encode_decode.json")
KEYS_VALID = load_json("fluxd_test_data/base58_keys_valid.json")
KEYS_INVALID = load_json("fluxd_test_data/base58_keys_invalid.json")
PREFIXES = {"mainnet": networks.main_params().base58, "testnet": networks.testnet_params().base58}


@pytest.mark.parametrize("hex_data,text", ENCODE_DECODE)
def test_encode_decode(hex_data, text):
    assert b58encode(bytes.fromhex(hex_data)) == text
    assert b58decode(text) == bytes.fromhex(hex_data)


def test_decode_rejects_bad_characters_and_allows_surrounding_space():
    with pytest.raises(Base58Error):
        b58decode("invalid")
    with pytest.raises(Base58Error):
        b58decode("3vQB7B6MrGQZaxCuFg4oh\x00")
    assert b58decode(" \t\n\v\f\r skip \r\f\v\n\t ".replace("skip", "")) == b""
    assert b58decode(" 2g\n ") == b"a"


def test_check_round_trip_and_checksum():
    payload = bytes(range(25))
    text = b58check_encode(payload)
    assert b58check_decode(text) == payload
    corrupted = text[:-1] + ("2" if text[-1] != "2" else "3")
    with pytest.raises(Base58Error):
        b58check_decode(corrupted)


@pytest.mark.parametrize("text,payload_hex,meta", KEYS_VALID)
def test_valid_keys(text, payload_hex, meta):
    prefixes = PREFIXES[meta["chain"]]
    payload = bytes.fromhex(payload_hex)
    if meta["isPrivkey"]:
        key = decode_wif(text, prefixes)
        assert key.secret == payload
        assert key.compressed == meta["isCompressed"]
        assert encode_wif(PrivateKey(payload, meta["isCompressed"]), prefixes) == text
        with pytest.raises(AddressError):
            decode_destination(text, prefixes)
    else:
        assert address_to_script(text, prefixes) == payload
        assert script_to_address(payload, prefixes) == text
        with pytest.raises(InvalidKeyError):
            decode_wif(text, prefixes)


@pytest.mark.parametrize("entry", KEYS_INVALID)
def test_invalid_keys(entry):
    text = entry[0]
    for prefixes in PREFIXES.values():
        with pytest.raises(AddressError):
            decode_destination(text, prefixes)
        with pytest.raises(InvalidKeyError):
            decode_wif(text, prefixes)
