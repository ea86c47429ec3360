"""Start real fluxd processes on regtest and talk to them over RPC (like the C++ qa/rpc-tests framework)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fluxd.util.univalue import RawNumber

BIN_DIR = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RPCFailure(Exception):
    def __init__(self, code: int, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


class NodeProcess:
    def __init__(self, datadir: Path, extra_args: list[str] | None = None, conf: str = "") -> None:
        self.datadir = datadir
        self.datadir.mkdir(parents=True, exist_ok=True)
        (self.datadir / "flux.conf").write_text(conf)
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.extra_args = list(extra_args or [])
        self.process: subprocess.Popen | None = None
        self.auth: str | None = None
        self.env: dict[str, str] = {}  # added to the environment fluxd starts with

    @property
    def net_dir(self) -> Path:
        return self.datadir / "regtest"

    def command(self) -> list[str]:
        return [str(BIN_DIR / "fluxd"), f"-datadir={self.datadir}", "-regtest", f"-rpcport={self.rpc_port}",
                f"-port={self.p2p_port}", "-listen=0", *self.extra_args]  # fmt: skip

    def start(self, wait: bool = True, timeout: float = 60) -> "NodeProcess":
        log = open(self.datadir / "stdout.log", "ab")
        env = {**os.environ, **self.env} if self.env else None
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env)
        if wait:
            self.wait_for_rpc(timeout)
        return self

    def wait_for_rpc(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"fluxd exited with {self.process.returncode}: {self.output()}")
            try:
                self.rpc("getblockcount" if self._has_chain() else "uptime")
                return
            except (OSError, http.client.HTTPException, RPCFailure, FileNotFoundError):
                time.sleep(0.1)
        raise TimeoutError(f"fluxd RPC did not come up: {self.output()}")

    def _has_chain(self) -> bool:
        return True

    def output(self) -> str:
        path = self.datadir / "stdout.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def credentials(self) -> str:
        if self.auth:
            return self.auth
        return (self.net_dir / ".cookie").read_text().strip()

    def raw_request(self, body: bytes, auth: str | None = None, method: str = "POST", path: str = "/") -> tuple[int, bytes, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.rpc_port, timeout=120)
        headers = {"Content-Type": "application/json"}
        token = self.credentials() if auth is None else auth
        if token:
            headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            connection.close()

    def rpc(self, method: str, *params):
        status, body, _ = self.raw_request(json.dumps({"method": method, "params": list(params), "id": 1}).encode())
        reply = json.loads(body, parse_float=RawNumber)
        if reply["error"] is not None:
            raise RPCFailure(reply["error"]["code"], reply["error"]["message"], status)
        return reply["result"]

    def cli(self, *arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        command = [str(BIN_DIR / "flux-cli"), f"-datadir={self.datadir}", "-regtest", f"-rpcport={self.rpc_port}", *arguments]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)

    def stop(self, timeout: float = 60) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            try:
                self.rpc("stop")
            except (OSError, RPCFailure, http.client.HTTPException):
                self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self.process = None


def wait_until(predicate, timeout: float = 60, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


def connect_nodes(source: "NodeProcess", target: "NodeProcess") -> None:
    """addnode onetry from source to target, then wait until both see the connection."""
    source.rpc("addnode", f"127.0.0.1:{target.p2p_port}", "onetry")
    wait_until(lambda: any(peer["addr"].endswith(f":{target.p2p_port}") for peer in source.rpc("getpeerinfo")), 30, what="connection")


def sync_blocks(nodes: list["NodeProcess"], timeout: float = 120) -> None:
    wait_until(lambda: len({node.rpc("getbestblockhash") for node in nodes}) == 1, timeout, 0.2, "block sync")


def run_refused(datadir, network_flags: list[str], *options: str) -> subprocess.CompletedProcess:
    """fluxd with networking off and loopback-only RPC; it must stop at parameter selection."""
    datadir.mkdir(parents=True, exist_ok=True)
    (datadir / "flux.conf").write_text("")
    command = [str(BIN_DIR / "fluxd"), f"-datadir={datadir}", *network_flags, *options, "-listen=0", "-connect=0",
               "-dnsseed=0", "-rpcbind=127.0.0.1", f"-rpcport={free_port()}", f"-port={free_port()}"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60)
