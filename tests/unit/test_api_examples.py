"""docs/API.md's Python examples are real: every fenced ```python block runs, in order, in one namespace."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_the_doc_has_examples_for_each_part():
    text = API_MD.read_text()
    blocks = python_blocks(text)
    assert len(blocks) >= 10
    joined = "\n".join(blocks)
    for name in ("params_for_network", "regtest_params", "Block.from_bytes", "Transaction.from_bytes", "txid_hum",
                 "check_block(", "check_transaction(", "Chainstate(", "ChainWriter()", "view()", "state_reader()",
                 "fluxnode_list()", "register_module(", "RPCTable()", "prepare_node(", "run_node("):
        assert name in joined, name
    assert text.index("# Python API") < text.index("# RPC methods")


@pytest.fixture
def restore_fluxd_logger():
    """prepare_node configures the "fluxd" logger (debug.log, no propagation): undo it for later tests."""
    logger = logging.getLogger("fluxd")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    for handler in list(logger.handlers):
        if handler not in saved[0]:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def test_the_examples_run(tmp_path, monkeypatch, restore_fluxd_logger):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "api_examples"}
    for number, block in enumerate(python_blocks(API_MD.read_text()), 1):
        code = compile(block, f"docs/API.md python block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples
