"""The fluxd process and its RPC server: auth, errors, batches, config, lock, shutdown, flux-cli."""

from __future__ import annotations

import json
import signal

import pytest

from tests.functional.framework import NodeProcess, RPCFailure


@pytest.fixture
def node(tmp_path):
    process = NodeProcess(tmp_path / "node0").start()
    yield process
    process.stop()


def test_cookie_auth_and_wrong_password(node):
    assert node.rpc("uptime") >= 0
    status, body, headers = node.raw_request(b'{"method":"uptime"}', auth="__cookie__:wrong")
    assert status == 401 and body == b"" and headers["WWW-Authenticate"] == 'Basic realm="jsonrpc"'
    status, _, _ = node.raw_request(b'{"method":"uptime"}', auth="")
    assert status == 401


def test_error_codes_and_status(node):
    status, body, _ = node.raw_request(b'{"method":"nosuchmethod","id":7}')
    assert status == 404
    assert body == b'{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":7}\n'
    status, body, _ = node.raw_request(b"{not json")
    assert status == 500 and json.loads(body)["error"] == {"code": -32700, "message": "Parse error"}
    status, body, _ = node.raw_request(b'{"params":[]}')
    assert status == 400 and json.loads(body)["error"]["message"] == "Missing method"
    status, body, _ = node.raw_request(b'{"method":"help","params":{}}')
    assert status == 400 and json.loads(body)["error"]["message"] == "Params must be an array"
    status, body, _ = node.raw_request(b"5")
    assert json.loads(body)["error"]["message"] == "Top-level object parse error"
    status, body, _ = node.raw_request(b"", method="GET")
    assert status == 405


def test_batch(node):
    status, body, _ = node.raw_request(b'[{"method":"uptime","id":1},{"method":"bad","id":2},{"id":3}]')
    replies = json.loads(body)
    assert status == 200
    assert replies[0]["error"] is None and replies[0]["id"] == 1
    assert replies[1]["error"]["code"] == -32601
    assert replies[2]["error"]["code"] == -32600


def test_help_and_wrong_params(node):
    assert "== Control ==" in node.rpc("help")
    assert node.rpc("help", "uptime").startswith("uptime\n")
    assert node.rpc("help", "nope") == "help: unknown command: nope"
    with pytest.raises(RPCFailure) as failure:
        node.rpc("uptime", 1)
    assert failure.value.code == -1 and failure.value.message.startswith("uptime")


def test_flux_cli(node):
    result = node.cli("help", "stop")
    assert result.returncode == 0 and result.stdout.startswith("stop")
    missing = node.cli("nosuchmethod")
    assert missing.returncode == 32601 % 256 or missing.returncode == 89
    assert missing.stderr == "error code: -32601\nerror message:\nMethod not found\n"
    assert node.cli("uptime").stdout.strip().isdigit()


def test_second_instance_is_refused(node):
    clone = NodeProcess(node.datadir, conf=(node.datadir / "flux.conf").read_text())
    clone.rpc_port = node.rpc_port + 0
    import subprocess

    result = subprocess.run(clone.command(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Cannot obtain a lock on data directory" in result.stderr


def test_sigterm_and_stop_clean_up(tmp_path):
    node = NodeProcess(tmp_path / "n").start()
    assert (node.net_dir / ".cookie").exists()
    node.process.send_signal(signal.SIGTERM)
    assert node.process.wait(60) == 0
    assert not (node.net_dir / ".cookie").exists()
    node.process = None
    node.start()
    assert node.rpc("stop") == "Flux server stopping"
    assert node.stop() == 0


def test_conf_file_password_and_command_line_override(tmp_path):
    node = NodeProcess(tmp_path / "n", conf="rpcuser=alice\nrpcpassword=secret\n# comment\nrpcport=1\n")
    node.auth = "alice:secret"
    node.start()
    try:
        assert node.rpc("uptime") >= 0
        assert not (node.net_dir / ".cookie").exists()
        assert node.cli("uptime").returncode == 0
    finally:
        node.stop()


def test_missing_conf_file(tmp_path):
    import subprocess

    from tests.functional.framework import BIN_DIR

    (tmp_path / "empty").mkdir()
    result = subprocess.run([str(BIN_DIR / "fluxd"), f"-datadir={tmp_path / 'empty'}", "-regtest"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Before starting fluxd, you need to create a configuration file" in result.stderr


def test_unknown_options_are_warned_not_fatal(tmp_path):
    node = NodeProcess(tmp_path / "u", ["-frobnicate=1", "-nolisten"], conf="alsounknown=3\n").start()
    try:
        assert node.rpc("uptime") >= 0
    finally:
        node.stop()
    log = (node.net_dir / "debug.log").read_text()
    assert "unsupported option -frobnicate ignored" in log and "unsupported option -alsounknown ignored" in log
    assert "-listen" not in log.split("unsupported option")[-1]


def test_daemon_forks_and_serves_until_stop(tmp_path):
    import os
    import subprocess

    from tests.functional.framework import wait_until

    node = NodeProcess(tmp_path / "daemon")
    started = subprocess.run([*node.command(), "-daemon"], capture_output=True, text=True, timeout=60)
    assert started.returncode == 0 and started.stdout.strip() == "Flux server starting"
    try:
        waited = node.cli("-rpcwait", "getblockcount")  # waits for the cookie and the RPC warm-up
        assert (waited.returncode, waited.stdout.strip()) == (0, "0")
        pid = int((node.net_dir / "fluxd.pid").read_text())
        assert node.cli("stop").stdout.strip() == "Flux server stopping"
        wait_until(lambda: not (node.net_dir / "fluxd.pid").exists(), 60, 0.2, "daemon shutdown")
        wait_until(lambda: subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0, 60, 0.2, "exit")
        assert not (node.net_dir / ".cookie").exists()
    finally:
        if (node.net_dir / "fluxd.pid").exists():
            os.kill(int((node.net_dir / "fluxd.pid").read_text()), 9)


def test_a_second_daemon_on_the_same_datadir_says_why_it_failed(tmp_path):
    import subprocess

    node = NodeProcess(tmp_path / "first").start()
    try:
        second = subprocess.run([*node.command(), "-daemon"], capture_output=True, text=True, timeout=90)
        assert second.returncode == 1 and second.stdout.strip() == "Flux server starting"
        assert second.stderr.startswith("Error: Cannot obtain a lock on data directory"), second.stderr
        assert node.rpc("getblockcount") == 0  # the first one is unharmed
    finally:
        node.stop()


def test_data_files_other_tools_expect(tmp_path):
    node = NodeProcess(tmp_path / "files").start()
    running = {path.name for path in node.net_dir.iterdir()}
    assert {"debug.log", "db.log", "peers.dat", "banlist.dat", "mempool.dat", "fluxd.pid", ".cookie", "blocks", "chainstate"} <= running
    assert node.stop() == 0
    stopped = {path.name for path in node.net_dir.iterdir()}
    assert {"fee_estimates.dat", "mempool.dat", "peers.dat", "banlist.dat", "db.log"} <= stopped
    assert "fluxd.pid" not in stopped and ".cookie" not in stopped
