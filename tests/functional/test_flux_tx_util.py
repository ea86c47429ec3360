"""bitcoin-util-test.json: every case runs the installed flux-tx executable and compares bytes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vectors import VECTORS, load_json

DATA = VECTORS / "fluxd_test_data"
CASES = load_json("fluxd_test_data/bitcoin-util-test.json")


def _flux_tx() -> list[str]:
    installed = Path(sys.executable).parent / "flux-tx"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("flux-tx")
    if found:
        return [found]
    return [sys.executable, "-m", "fluxd.cli.flux_tx_main"]


@pytest.mark.parametrize("case", CASES, ids=[" ".join(case["args"])[:60] for case in CASES])
def test_util_case(case):
    stdin = (DATA / case["input"]).read_bytes() if "input" in case else None
    result = subprocess.run(_flux_tx() + case["args"], input=stdin, capture_output=True, timeout=60)
    assert result.returncode == case.get("return_code", 0), result.stderr.decode()
    if "output_cmp" in case:
        assert result.stdout == (DATA / case["output_cmp"]).read_bytes()


def test_case_count():
    assert len(CASES) == 12


def test_help_and_errors():
    tool = _flux_tx()
    assert subprocess.run(tool + ["-help"], capture_output=True).returncode == 0
    bare = subprocess.run(tool, capture_output=True)
    assert bare.returncode == 1 and b"too few parameters" in bare.stderr
    bad = subprocess.run(tool + ["-create", "outaddr=1:notanaddress"], capture_output=True)
    assert bad.returncode == 1 and bad.stderr == b"error: invalid TX output address\n"
    json_out = subprocess.run(tool + ["-json", "-create", "outscript=0.5:DUP"], capture_output=True)
    assert json_out.returncode == 0 and b'"value": 0.50' in json_out.stdout


def test_closed_output_pipe_ends_quietly():
    """A consumer that stops reading (``| head``) ends the tool as SIGPIPE ends the C++ one: no traceback."""
    import signal
    import subprocess

    from tests.functional.framework import BIN_DIR

    outputs = ["outscript=0:0x" + "6a" * 300] * 400  # ~250 kB of hex: far more than a pipe buffer
    proc = subprocess.Popen([str(BIN_DIR / "flux-tx"), "-create", *outputs], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(60) == -signal.SIGPIPE and "Traceback" not in stderr
