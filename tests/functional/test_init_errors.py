"""Option values C++ AppInit2 refuses: the node prints the C++ error and exits 1 before starting anything."""

from __future__ import annotations

import pytest

from tests.functional.framework import run_refused


@pytest.mark.parametrize("value", ["notanaddress", "t1K7rsxfnXctSJ1uqLFR5RKJAg6PhGk7Ebv"], ids=["garbage", "mainnet-address"])
def test_an_invalid_mineraddress_refuses_to_start(tmp_path, value):
    result = run_refused(tmp_path / "d", ["-regtest"], f"-mineraddress={value}")
    assert result.returncode == 1
    assert result.stderr == f"Error: Invalid address for -mineraddress=<addr>: '{value}' (must be a transparent address)\n"
    assert not (tmp_path / "d" / "regtest" / "blocks").exists()
