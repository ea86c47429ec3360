"""A plain clone with nothing beside it has the data the suite needs (no ../shared next to it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")
def test_a_fresh_clone_collects_and_finds_its_vectors(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    assert not (tmp_path / "shared").exists()
    env = {key: value for key, value in os.environ.items() if key != "FLUXD_VECTORS"}
    env["PYTHONPATH"] = str(clone / "src")
    collect = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300,
    )
    assert collect.returncode == 0, collect.stdout[-3000:] + collect.stderr[-3000:]
    assert " error" not in collect.stdout.lower()
    vector_tests = ["tests/unit/params/test_networks.py", "tests/unit/core/test_transaction_vectors.py"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *vector_tests],
        cwd=clone, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
