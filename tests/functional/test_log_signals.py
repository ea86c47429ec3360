"""SIGHUP reopens debug.log (logrotate's postrotate) and never stops the node, as C++; tracebacks reach the log."""

from __future__ import annotations

import logging
import signal
import time

from fluxd.node.logs import _JsonFormatter, _TextFormatter
from tests.functional.framework import NodeProcess, wait_until


def test_sighup_reopens_debug_log(tmp_path):
    node = NodeProcess(tmp_path / "a").start()
    try:
        log = node.net_dir / "debug.log"
        wait_until(lambda: "fluxd is running" in log.read_text(), 30)
        rotated = log.with_name("debug.log.1")
        log.rename(rotated)
        node.process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert node.process.poll() is None and node.rpc("getblockcount") == 0  # still serving
    finally:
        assert node.stop() == 0
    assert "Shutdown: done" in log.read_text()  # written to a new debug.log
    assert "fluxd is running" in rotated.read_text() and "Shutdown: done" not in rotated.read_text()


def _record_with_traceback() -> logging.LogRecord:
    try:
        raise OverflowError("int too big to convert")
    except OverflowError:
        import sys

        return logging.LogRecord("fluxd.chainstate", logging.ERROR, __file__, 1, "Block import failed", (), sys.exc_info())


def test_log_exception_keeps_the_traceback():
    record = _record_with_traceback()
    text = _TextFormatter().format(record)
    assert text.splitlines()[0].endswith("Block import failed") and "Traceback" in text
    assert "OverflowError: int too big to convert" in text
    assert "OverflowError: int too big to convert" in _JsonFormatter().format(record)
