"""-regtestbenchmarkpubkey on a real fluxd: regtest starts with it, main and testnet refuse to start."""

from __future__ import annotations

import pytest

from fluxd.core.keys import PrivateKey
from tests.functional.framework import NodeProcess, run_refused

BENCHMARK_PUBKEY = PrivateKey(bytes([0x42]) * 32).pubkey.hex()
OPTION = f"-regtestbenchmarkpubkey={BENCHMARK_PUBKEY}"


def test_regtest_node_starts_with_the_key(tmp_path):
    node = NodeProcess(tmp_path / "n", [OPTION]).start()
    try:
        assert node.rpc("getblockcount") == 0
        debug_log = (node.net_dir / "debug.log").read_text()
        assert f"Benchmarking key set by -regtestbenchmarkpubkey: {BENCHMARK_PUBKEY}" in debug_log
    finally:
        assert node.stop() == 0


@pytest.mark.parametrize("network_flags", [[], ["-testnet"]], ids=["mainnet", "testnet"])
def test_main_and_testnet_refuse_to_start(tmp_path, network_flags):
    result = run_refused(tmp_path / "d", network_flags, OPTION)
    assert result.returncode == 1
    assert result.stderr == "Error: -regtestbenchmarkpubkey may only be used on regtest.\n"
    assert not (tmp_path / "d" / "testnet3").exists() and not (tmp_path / "d" / "blocks").exists()


def test_malformed_key_refuses_to_start(tmp_path):
    result = run_refused(tmp_path / "d", ["-regtest"], "-regtestbenchmarkpubkey=02abcd")
    assert result.returncode == 1
    assert result.stderr == "Error: Invalid -regtestbenchmarkpubkey (02abcd): a public key is 33 or 65 bytes, this is 3\n"
