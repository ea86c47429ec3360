"""Talking to the Flux benchmark daemon through its CLI, as C++ fluxd does (src/fluxnode/benchmarks.cpp).

C++ runs ``<dir>/fluxbench-cli [-testnet ]<command>`` (falling back to the
older zelbench-cli) and reads its standard output: ``getstatus true`` answers
JSON whose "status" is "online" while the daemon runs; ``getbenchmarks`` and
``getstatus`` are handed back as text; ``signfluxnodetransaction <hex>``
answers JSON with "status" ("complete" once benchmarking finished), "tier" and
"hex" (the CONFIRM with its benchmark signature).  ``<dir>`` is the directory
of the fluxd executable; ``-fluxbenchpath=<dir>`` (ours) names another one.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("fluxd.fluxnode")
CLI_NAMES = ("fluxbench-cli", "zelbench-cli")
DAEMON_NAMES = ("fluxbenchd", "zelbenchd")
START_WAIT_SECONDS = 4.0  # C++ StartFluxBenchd: MilliSleep(4000)
COMMAND_TIMEOUT = 120.0


class BenchmarkError(Exception):
    """The benchmark daemon cannot do what was asked; the text is C++'s."""


def default_bench_dir() -> Path:
    """C++ GetSelfPath: the directory of the running executable."""
    return Path(sys.argv[0]).resolve().parent


@dataclass
class BenchmarkClient:
    directory: Path
    testnet: bool = False

    def _pick(self, names: tuple[str, ...]) -> Path:
        for name in names:
            if (self.directory / name).is_file():
                return self.directory / name
        return self.directory / names[0]

    @property
    def cli(self) -> Path:
        return self._pick(CLI_NAMES)

    @property
    def daemon(self) -> Path:
        return self._pick(DAEMON_NAMES)

    def installed(self) -> str | None:
        """C++ init's check: None when the daemon and its CLI are found, else C++'s InitError text."""
        if not any((self.directory / name).is_file() for name in DAEMON_NAMES):
            return "Failed to find benchmark application"
        if not any((self.directory / name).is_file() for name in CLI_NAMES):
            return "Failed to find benchmark cli application"
        return None

    def _run(self, *arguments: str, stderr_to_stdout: bool = False) -> str:
        command = [str(self.cli), *(["-testnet"] if self.testnet else []), *arguments]
        try:
            result = subprocess.run(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT if stderr_to_stdout else subprocess.DEVNULL,
                text=True, timeout=COMMAND_TIMEOUT, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.debug("benchmark cli %s failed: %s", command, exc)
            return ""
        return result.stdout

    def is_running(self) -> bool:
        """IsFluxBenchdRunning: ``getstatus true`` answers {"status": "online", ...}."""
        try:
            answer = json.loads(self._run("getstatus", "true") or "null")
        except ValueError:
            return False
        return isinstance(answer, dict) and answer.get("status") == "online"

    def start(self) -> None:
        """StartFluxBenchd: the daemon in the background, then four seconds for it to come up."""
        command = [str(self.daemon), *(["-testnet"] if self.testnet else [])]
        try:
            subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)  # fmt: skip
        except OSError as exc:
            log.info("Benchmark could not be started: %s", exc)
            return
        time.sleep(START_WAIT_SECONDS)
        log.info("Benchmark Started")

    def stop(self) -> None:
        self._run("stop")

    def benchmarks(self) -> str:
        return self._run("getbenchmarks", stderr_to_stdout=True) if self.is_running() else "Benchmark not running"

    def status(self) -> str:
        return self._run("getstatus", stderr_to_stdout=True) if self.is_running() else "Benchmark not running"

    def sign_confirm(self, tx_hex: str) -> str:
        """GetBenchmarkSignedTransaction's call: the signed CONFIRM as hex, or BenchmarkError with C++'s text."""
        if not self.is_running():
            raise BenchmarkError("Benchd isn't running")
        response = self._run("signfluxnodetransaction", tx_hex, stderr_to_stdout=True)
        try:
            answer = json.loads(response)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            status = answer.get("status")
            if status is not None and status != "complete":
                raise BenchmarkError(
                    "Benchmarking hasn't completed, please wait until benchmarking has completed. Current status : "
                    f"{status}"
                )
            if isinstance(answer.get("hex"), str):
                return answer["hex"]
        return response.strip()
