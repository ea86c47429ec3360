"""-regtestbenchmarkpubkey: parsing, refusal off regtest, and the params it gives."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey
from fluxd.node.startup import StartupError, select_params
from fluxd.params import networks
from fluxd.params.benchmark_key import BenchmarkKeyError, decode_benchmark_pubkey, parse_regtest_benchmark_pubkey
from fluxd.util.args import parse_parameters

COMPRESSED = PrivateKey(bytes([9]) * 32).pubkey
UNCOMPRESSED = PrivateKey(bytes([9]) * 32, compressed=False).pubkey
NOT_ON_CURVE = bytes([2]) + b"\xff" * 32  # x >= p: no such point


@pytest.mark.parametrize("pubkey", [COMPRESSED, UNCOMPRESSED], ids=["compressed", "uncompressed"])
def test_valid_keys_are_accepted(pubkey):
    assert parse_regtest_benchmark_pubkey(pubkey.hex(), "regtest") == pubkey
    assert parse_regtest_benchmark_pubkey(pubkey.hex().upper(), "regtest") == pubkey


def test_absent_option_changes_nothing():
    assert parse_regtest_benchmark_pubkey(None, "main") is None
    assert parse_regtest_benchmark_pubkey(None, "regtest") is None


@pytest.mark.parametrize("network", ["main", "test"])
def test_refused_off_regtest(network):
    with pytest.raises(BenchmarkKeyError, match=r"^-regtestbenchmarkpubkey may only be used on regtest\.$"):
        parse_regtest_benchmark_pubkey(COMPRESSED.hex(), network)


@pytest.mark.parametrize(
    "value,reason",
    [
        ("", "a public key is 33 or 65 bytes, this is 0"),
        ("zz" * 33, "expected a hex-encoded secp256k1 public key"),
        (COMPRESSED.hex()[:-1], "expected a hex-encoded secp256k1 public key"),
        (COMPRESSED.hex()[:-2], "a public key is 33 or 65 bytes, this is 32"),
        (UNCOMPRESSED.hex() + "00", "a public key is 33 or 65 bytes, this is 66"),
        (NOT_ON_CURVE.hex(), "not a valid secp256k1 public key"),
        ("05" + COMPRESSED.hex()[2:], "not a valid secp256k1 public key"),
        (COMPRESSED.hex() + "00" * 32, "not a valid secp256k1 public key"),  # 65 bytes with a compressed header
    ],
)
def test_malformed_values_are_refused(value, reason):
    with pytest.raises(BenchmarkKeyError) as refused:
        decode_benchmark_pubkey(value)
    assert str(refused.value) == f"Invalid -regtestbenchmarkpubkey ({value}): {reason}"


def test_regtest_params_take_the_key_from_time_zero():
    params = networks.regtest_params(benchmark_pubkey=COMPRESSED)
    assert params.benchmarking_pubkeys == ((COMPRESSED, 0),)
    assert len(networks.regtest_params().benchmarking_pubkeys) == 2  # the C++ regtest schedule when not given


def test_select_params_applies_the_key_with_nuparams():
    args = parse_parameters(["-regtest", "-nuparams=pon:300", f"-regtestbenchmarkpubkey={UNCOMPRESSED.hex()}"])
    params = select_params(args)
    assert params.benchmarking_pubkeys == ((UNCOMPRESSED, 0),)
    assert params.activation_height(networks.Upgrade.PON) == 300


@pytest.mark.parametrize("network_flags", [[], ["-testnet"]], ids=["main", "testnet"])
def test_select_params_refuses_off_regtest(network_flags):
    with pytest.raises(StartupError, match="may only be used on regtest"):
        select_params(parse_parameters([*network_flags, f"-regtestbenchmarkpubkey={COMPRESSED.hex()}"]))


def test_select_params_refuses_malformed_value():
    with pytest.raises(StartupError, match=r"Invalid -regtestbenchmarkpubkey \(abc\)"):
        select_params(parse_parameters(["-regtest", "-regtestbenchmarkpubkey=abc"]))


def test_last_value_wins_like_other_single_options():
    args = parse_parameters(["-regtest", "-regtestbenchmarkpubkey=bad", f"-regtestbenchmarkpubkey={COMPRESSED.hex()}"])
    assert select_params(args).benchmarking_pubkeys == ((COMPRESSED, 0),)
