"""The C++ node's own qa/rpc-tests wallet scripts (keypool.py, disablewallet.py) against this fluxd.

The scripts are Python 2 and live in the RunOnFlux/fluxd repository, which this
repository does not carry (their code is not ours to copy).  The test runs
them when a Python 2.7 interpreter and a copy of that repository's qa/rpc-tests
are on the machine (FLUXD_CXX_QA=<path to qa/rpc-tests>, or the reference
mirror under ../.mirror); otherwise it is skipped with the reason, and the same
scenarios run ported in test_wallet_encryption.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.functional
ROOT = Path(__file__).resolve().parents[2]
MIRROR = ROOT.parent / ".mirror" / "RunOnFlux+fluxd" / "repo"
BIN_DIR = Path(sys.executable).parent


def _python2() -> list[str] | None:
    for candidate in ("python2.7", "python2"):
        path = shutil.which(candidate)
        if path is None:
            continue
        env = {**os.environ, "PYENV_VERSION": "2.7.18"}
        probe = subprocess.run([path, "-c", "import sys; print(sys.version_info[0])"], capture_output=True, text=True, env=env)
        if probe.returncode == 0 and probe.stdout.strip() == "2":
            return [path]
    return None


def _qa_dir(tmp_path: Path) -> Path | None:
    given = os.environ.get("FLUXD_CXX_QA")
    if given:
        return Path(given)
    if not MIRROR.exists():
        return None
    archive = subprocess.run(["git", "-C", str(MIRROR), "archive", "HEAD", "qa/rpc-tests"], capture_output=True)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "qa" / "rpc-tests"


@pytest.mark.parametrize("script", ["disablewallet.py", "keypool.py"])
def test_cxx_qa_script(script, tmp_path):
    python2 = _python2()
    if python2 is None:
        pytest.skip("no Python 2.7 interpreter (the C++ qa scripts need it); the ported scenarios run in test_wallet_encryption.py")
    qa = _qa_dir(tmp_path)
    if qa is None or not (qa / script).exists():
        pytest.skip("the C++ qa/rpc-tests are not on this machine (set FLUXD_CXX_QA)")
    env = {**os.environ, "PYENV_VERSION": "2.7.18", "BITCOIND": str(BIN_DIR / "fluxd"), "BITCOINCLI": str(BIN_DIR / "flux-cli")}
    result = subprocess.run(
        [*python2, script, f"--tmpdir={tmp_path / 'run'}"], cwd=qa, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0 and "Tests successful" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
