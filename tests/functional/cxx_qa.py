"""Running the C++ node's own qa/rpc-tests scripts against this fluxd (shared by the test_cxx_qa_* runners).

The scripts live in the RunOnFlux/fluxd repository, which this repository does not carry (their code is not
ours to copy): they are extracted with ``git archive`` from the reference mirror under ../.mirror, or taken
from FLUXD_CXX_QA=<path to qa/rpc-tests>.  Most are Python 2.7 (PYENV_VERSION=2.7.18); the mininode-based
ones need ``pyblake2`` in that interpreter, found on its own path or in FLUXD_CXX_QA_PY2PATH (a directory
added to the script's sys.path only, never to the node's environment).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIRROR = ROOT.parent / ".mirror" / "RunOnFlux+fluxd" / "repo"
BIN_DIR = Path(sys.executable).parent
PY2_ENV = {"PYENV_VERSION": "2.7.18"}


def python2() -> list[str] | None:
    for candidate in ("python2.7", "python2"):
        path = shutil.which(candidate)
        if path is None:
            continue
        probe = subprocess.run([path, "-c", "import sys; print(sys.version_info[0])"], capture_output=True, text=True,
                               env={**os.environ, **PY2_ENV})
        if probe.returncode == 0 and probe.stdout.strip() == "2":
            return [path]
    return None


def python2_has(interpreter: list[str], module: str) -> bool:
    code = f"import sys; sys.path.insert(0, {os.environ.get('FLUXD_CXX_QA_PY2PATH', '')!r}); import {module}"
    return subprocess.run([*interpreter, "-c", code], capture_output=True, env={**os.environ, **PY2_ENV}).returncode == 0


def qa_dir(tmp_path: Path) -> Path | None:
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


def run_script(interpreter: list[str], qa: Path, script: str, tmp_path: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``script`` as __main__ with BITCOIND/BITCOINCLI set to our binaries; FLUXD_CXX_QA_PY2PATH goes on the
    script's sys.path (not PYTHONPATH, which the fluxd it starts would inherit)."""
    extra = os.environ.get("FLUXD_CXX_QA_PY2PATH", "")
    argv = [script, f"--tmpdir={tmp_path / 'run'}"]
    code = (f"import sys, runpy; sys.path.insert(0, {extra!r}) if {extra!r} else None; sys.argv = {argv!r}; "
            f"runpy.run_path({script!r}, run_name='__main__')")
    env = {**os.environ, **PY2_ENV, "BITCOIND": str(BIN_DIR / "fluxd"), "BITCOINCLI": str(BIN_DIR / "flux-cli")}
    return subprocess.run([*interpreter, "-c", code], cwd=qa, env=env, capture_output=True, text=True, timeout=timeout)


def succeeded(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0 and "Tests successful" in result.stdout


def tail(result: subprocess.CompletedProcess) -> str:
    return result.stdout[-3000:] + result.stderr[-3000:]
