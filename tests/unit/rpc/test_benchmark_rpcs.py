"""The benchmark daemon RPCs against the test framework's fake fluxbenchd / fluxbench-cli (C++ texts)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fluxd.core.transaction import Transaction
from fluxd.consensus.fluxnode_sigs import check_benchmark_signature
from fluxd.rpc.benchmark_client import BenchmarkClient, BenchmarkError
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods.benchmarks import ACTIONS, _handler
from fluxd.util.args import parse_parameters
from tests.fake_fluxbench import calls, install_fake_fluxbench, set_state, wait_until_online
from fluxd.core.keys import PrivateKey
from fluxd.core.tx_parts import OutPoint
from tests.fluxnode_building import benchmark_test_params, build_confirm


def _call(name: str, bench_dir, *flags: str):
    args = parse_parameters(["-regtest", f"-fluxbenchpath={bench_dir}", *flags])
    return _handler(name, ACTIONS[name])(SimpleNamespace(args=args), [])


def test_not_a_fluxnode(tmp_path):
    with pytest.raises(RPCError) as failure:
        _call("getbenchstatus", tmp_path)
    assert (failure.value.code, failure.value.message) == (-1, "This is not a Flux Node")


def test_start_status_stop_through_the_cli(tmp_path, monkeypatch):
    monkeypatch.setattr("fluxd.rpc.benchmark_client.START_WAIT_SECONDS", 0)
    bench = install_fake_fluxbench(tmp_path / "bin")
    assert _call("getbenchmarks", bench, "-fluxnode") == "Benchmark not running"
    assert _call("stopzelbenchd", bench, "-zelnode") == "Not running"
    assert _call("startfluxbenchd", bench, "-fluxnode") == "Starting process"
    wait_until_online(bench)  # C++ sleeps 4 s here; the test waits for the daemon instead
    assert '"status": "online"' in _call("getbenchstatus", bench, "-fluxnode")
    assert '"cores": 8' in _call("getbenchmarks", bench, "-fluxnode")
    assert _call("startzelbenchd", bench, "-fluxnode") == "Already running"
    assert _call("stopfluxbenchd", bench, "-fluxnode") == "Stopping process"
    assert "getstatus true" in calls(bench) and "stop" in calls(bench)


def test_installed_check_has_the_cxx_texts(tmp_path):
    assert BenchmarkClient(tmp_path).installed() == "Failed to find benchmark application"
    install_fake_fluxbench(tmp_path, names=("zelbench-cli", "zelbenchd"))
    assert BenchmarkClient(tmp_path).installed() is None and BenchmarkClient(tmp_path).cli.name == "zelbench-cli"
    (tmp_path / "zelbench-cli").unlink()
    assert BenchmarkClient(tmp_path).installed() == "Failed to find benchmark cli application"


def test_signing_a_confirmation(tmp_path):
    bench = install_fake_fluxbench(tmp_path, online=True, tier=2)
    operator = PrivateKey(b"\x44" * 32)
    unsigned = build_confirm(OutPoint(b"\x01" * 32, 0), operator, PrivateKey(b"\x45" * 32), sig_time=1_700_000_000)
    signed = Transaction.from_hex(BenchmarkClient(bench).sign_confirm(unsigned.to_bytes().hex()))
    assert signed.fluxnode.benchmark_tier == 2
    assert check_benchmark_signature(benchmark_test_params(), signed.fluxnode)
    set_state(bench, status="running")
    with pytest.raises(BenchmarkError) as waiting:
        BenchmarkClient(bench).sign_confirm(unsigned.to_bytes().hex())
    assert str(waiting.value).endswith("Current status : running")
    set_state(bench, online=False)
    with pytest.raises(BenchmarkError, match="Benchd isn't running"):
        BenchmarkClient(bench).sign_confirm(unsigned.to_bytes().hex())
