"""A fresh venv with `pip install` of the project gets working fluxd, flux-cli and flux-tx commands."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.vectors import PROJECT_ROOT


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("fresh")
    wheel_dir = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_dir), str(PROJECT_ROOT)],
        check=True,
        capture_output=True,
    )
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    wheel = next(wheel_dir.glob("fluxd-*.whl"))
    # Dependencies are not needed for -version/-help; --no-deps keeps the test offline and quick.
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    return env_dir / "bin"


@pytest.mark.parametrize(
    ("command", "flag", "expected"),
    [
        ("fluxd", "-version", "Flux Daemon version"),
        ("fluxd", "-help", "Usage:"),
        ("flux-cli", "-help", "Usage:"),
        ("flux-cli", "-version", "Flux RPC client version"),
        ("flux-tx", "-help", "Usage:"),
    ],
)
def test_console_scripts_exit_zero(fresh_venv, command, flag, expected):
    result = subprocess.run([str(fresh_venv / command), flag], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
