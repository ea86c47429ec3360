"""The ``fluxd`` command: the Flux node daemon (C++ fluxd.cpp AppInit)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time

from fluxd import __version__
from fluxd.node.help_text import usage

USAGE = usage(__version__)


def _log_error(exc: Exception) -> None:
    """Into debug.log when logging got that far (never a second copy on the terminal)."""
    if logging.getLogger().handlers or logging.getLogger("fluxd").handlers:
        logging.getLogger("fluxd").error("Error: %s", exc)


def _fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


DAEMON_REPORT_TIMEOUT = 60  # seconds the parent waits for the background node to bind RPC or fail


def _daemonize() -> tuple[int | None, int | None]:
    """Fork into the background.  In the parent: (exit status, None) once the node reports; in the node:
    (None, the pipe to report on).  A start that fails is told on the terminal, not only in debug.log."""
    print("Flux server starting")
    sys.stdout.flush()
    read_fd, write_fd = os.pipe()
    if os.fork() > 0:
        os.close(write_fd)
        return _wait_for_report(read_fd), None
    os.close(read_fd)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return None, write_fd


def _wait_for_report(read_fd: int) -> int:
    import select

    report = b""
    deadline = time.monotonic() + DAEMON_REPORT_TIMEOUT
    while (left := deadline - time.monotonic()) > 0 and select.select([read_fd], [], [], left)[0]:
        chunk = os.read(read_fd, 4096)
        if not chunk:
            break
        report += chunk
    os.close(read_fd)
    if report.startswith(b"error:"):
        return _fail(report[len(b"error:"):].decode("utf-8", "replace"))
    return 0


class _StartReport:
    """The background node's one report to the waiting parent: "ok" once RPC is bound, or the error."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd

    def send(self, text: str) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        try:
            os.write(fd, text.encode())
        except OSError:
            pass
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    from fluxd.node.config import ConfigError, datadir, read_config_file
    from fluxd.util.args import parse_parameters

    argv = sys.argv[1:] if argv is None else argv
    args = parse_parameters(argv)
    if any(args.is_set(flag) for flag in ("-?", "-h", "-help", "-version")):
        print(f"Flux Daemon version v{__version__}" if args.is_set("-version") else USAGE, end="\n" if args.is_set("-version") else "")
        return 0
    offline = next((flag for flag in ("-db-info", "-checkdb") if args.get_bool(flag)), None)  # command line only
    if args.is_set("-datadir") and not datadir(args).is_dir():
        return _fail(f'Specified data directory "{args.get("-datadir")}" does not exist.')
    datadir(args).mkdir(parents=True, exist_ok=True)  # C++ GetDataDir creates the default one
    try:
        read_config_file(args)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if offline is not None:
        return _offline(args, offline)
    return _start(args)


def _offline(args, tool: str) -> int:
    """-db-info / -checkdb: work on a stopped node's datadir and exit (no networking, no RPC, nothing written)."""
    from fluxd.node.datadir_lock import DatadirLocked
    from fluxd.node.offline import OfflineError, StartupError, run_check_db, run_db_info

    try:
        return run_db_info(args) if tool == "-db-info" else run_check_db(args)
    except (OfflineError, StartupError, DatadirLocked) as exc:
        return _fail(str(exc))


def _start(args) -> int:
    from fluxd.node.app import prepare_node, run_node
    from fluxd.node.datadir_lock import DatadirLocked
    from fluxd.node.startup import StartupError

    report = _StartReport(None)
    if args.get_bool("-daemon"):
        status, report.fd = _daemonize()
        if status is not None:
            return status
    try:
        node, lock = prepare_node(args)
    except (StartupError, DatadirLocked) as exc:
        _log_error(exc)
        report.send(f"error:{exc}")
        return _fail(str(exc))
    try:
        return asyncio.run(run_node(node, on_rpc_ready=lambda: report.send("ok")))
    except StartupError as exc:
        _log_error(exc)
        report.send(f"error:{exc}")
        return _fail(str(exc))
    finally:
        _ignore_stop_signals()  # shutting down already: a late SIGTERM must not turn a clean exit into -15
        report.send("ok")
        lock.release()


def _ignore_stop_signals() -> None:
    """C++ keeps its SIGTERM handler (fRequestShutdown) to the end; asyncio drops its handlers when the loop
    closes, so from then on a stop signal is ignored while the process finishes exiting."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
