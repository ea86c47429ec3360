"""Command-line tools end quietly when their output pipe closes (`flux-cli getinfo | head`), as the C++ tools do
when SIGPIPE ends them, instead of printing a Python traceback."""

from __future__ import annotations

import signal


def quiet_on_closed_pipe() -> None:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
