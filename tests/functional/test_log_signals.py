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


def test_debug_log_has_the_cpp_start_up_and_update_tip_lines(tmp_path):
    from tests.functional.framework import NodeProcess

    node = NodeProcess(tmp_path / "lines", ["-nuparams=pon:1000", "-mineraddress=tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"]).start()
    try:
        node.rpc("setmocktime", 1_700_000_000)
        best = node.rpc("generate", 2)[-1]
    finally:
        node.stop()
    log = (node.net_dir / "debug.log").read_text()
    for expected in ("Flux version v", "Using data directory " + str(node.net_dir), "Using config file ", "Default data directory "):
        assert expected in log, expected
    update = [line for line in log.splitlines() if "UpdateTip: new best=" + best in line]
    assert len(update) == 1 and "height=2  log2_work=" in update[0] and " tx=3 " in update[0] and "progress=" in update[0]
