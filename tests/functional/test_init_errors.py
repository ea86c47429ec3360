"""Option values C++ AppInit2 refuses: the node prints the C++ error and exits 1 before starting anything."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, run_refused


@pytest.mark.parametrize("value", ["notanaddress", "t1K7rsxfnXctSJ1uqLFR5RKJAg6PhGk7Ebv"], ids=["garbage", "mainnet-address"])
def test_an_invalid_mineraddress_refuses_to_start(tmp_path, value):
    result = run_refused(tmp_path / "d", ["-regtest"], f"-mineraddress={value}")
    assert result.returncode == 1
    assert result.stderr == f"Error: Invalid address for -mineraddress=<addr>: '{value}' (must be a transparent address)\n"
    assert not (tmp_path / "d" / "regtest" / "blocks").exists()


@pytest.mark.parametrize("options, refused", [
    (["-prune=550"], ["prune"]),
    (["-maxuploadtarget=5", "-spentindex=1"], ["maxuploadtarget"]),  # -spentindex is built now
    (["-benchmarking=1", "-gen=1"], ["benchmarking", "gen"]),
    (["-server=0"], ["server"]),
])  # fmt: skip
def test_an_option_this_node_does_not_implement_refuses_to_start(tmp_path, options, refused):
    result = run_refused(tmp_path / "d", ["-regtest"], *options)
    assert result.returncode == 1
    assert result.stderr == "Error: " + "\n".join(f"-{name} is not supported by this node" for name in refused) + "\n"


def test_a_not_implemented_option_at_its_default_value_is_accepted(tmp_path):
    node = NodeProcess(tmp_path / "n", ["-prune=0", "-maxuploadtarget=0", "-server=1", "-discover=0", "-frobnicate=2"]).start()
    try:
        assert node.rpc("getblockcount") == 0
    finally:
        node.stop()
    assert "Warning: unsupported option -frobnicate ignored" in (node.datadir / "stdout.log").read_text()  # the terminal


def test_plain_fluxd_creates_the_default_data_directory_then_asks_for_a_config_file(tmp_path):
    import os
    import subprocess

    from tests.functional.framework import BIN_DIR

    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run([str(BIN_DIR / "fluxd"), "-regtest"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(home)})  # fmt: skip
    assert result.returncode == 1 and (home / ".flux").is_dir()  # C++ GetDataDir creates ~/.flux
    assert "Before starting fluxd, you need to create a configuration file" in result.stderr
    missing = subprocess.run([str(BIN_DIR / "fluxd"), f"-datadir={tmp_path / 'nope'}"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "does not exist" in missing.stderr and not (tmp_path / "nope").exists()


@pytest.mark.parametrize("option", ["-rpcport=abc", "-rpcport=0", "-port=70000"])
def test_a_port_that_is_not_a_port_refuses_to_start(tmp_path, option):
    import subprocess

    from tests.functional.framework import BIN_DIR, free_port

    name, value = option.split("=")
    other = "-port" if name == "-rpcport" else "-rpcport"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "flux.conf").write_text("")
    command = [str(BIN_DIR / "fluxd"), f"-datadir={tmp_path / 'd'}", "-regtest", "-listen=0", "-connect=0", "-dnsseed=0",
               "-rpcbind=127.0.0.1", f"{other}={free_port()}", option]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"Error: Invalid port specified in {name}: '{value}'" in result.stderr


@pytest.mark.parametrize("options, message", [
    (["-zelnode=1"], "Enabling Fluxnode support requires turning on transaction indexing."
                     "Please add txindex=1 to your configuration and start with -reindex"),
    (["-zelnode=1", "-txindex=1"], "Invalid fluxnode outpoint data. assign fluxnodeoutpoint and fluxnodeindex."),
    (["-zelnode=1", "-txindex=1", "-zelnodeoutpoint=" + "ab" * 32, "-zelnodeindex=0"],
     "You must specify a fluxnodeprivkey in the configuration. Please see documentation for help."),
    (["-fluxnode=1", "-txindex=1", "-fluxnodeoutpoint=" + "ab" * 32, "-fluxnodeprivkey=5abc"],
     "Invalid fluxnodeprivkey. Please see documenation."),
    (["-zelnode=1", "-txindex=1", "-zelnodeaddr=1.2.3.4:99999"], "Invalid -zelnodeaddr address: 1.2.3.4:99999"),
])  # fmt: skip
def test_fluxnode_settings_refused_as_cxx_init(tmp_path, options, message):
    result = run_refused(tmp_path / "d", ["-regtest"], *options)
    assert (result.returncode, result.stderr) == (1, f"Error: {message}\n")


def test_a_bad_fluxnode_conf_line_stops_the_start(tmp_path):
    (tmp_path / "d" / "regtest").mkdir(parents=True)
    (tmp_path / "d" / "regtest" / "fluxnode.conf").write_text("# header\nzn1 127.0.0.1:16126 key\n")
    result = run_refused(tmp_path / "d", ["-regtest"], "-txindex=1")
    assert result.returncode == 1
    assert result.stderr == ('Error: Error reading zelnode configuration file: Could not parse zelnode.conf\nLine: 2\n'
                             '"zn1 127.0.0.1:16126 key"\n')  # fmt: skip
