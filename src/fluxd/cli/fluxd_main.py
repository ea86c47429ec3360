"""The ``fluxd`` command: the Flux node daemon."""

from __future__ import annotations

import sys

from fluxd import __version__

USAGE = """Flux Daemon version v{version}

Usage:
  fluxd [options]                     Start Flux Daemon

Options:
  -?, -h, -help        This help message
  -version             Print version and exit
  -conf=<file>         Specify configuration file (default: flux.conf)
  -datadir=<dir>       Specify data directory
  -testnet             Use the test network
  -regtest             Enter regression test mode
  -printtoconsole      Send trace/debug info to console instead of debug.log file
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(arg.lstrip("-") == "version" for arg in args):
        print(f"Flux Daemon version v{__version__}")
        return 0
    if not args or any(arg.lstrip("-") in ("?", "h", "help") for arg in args):
        print(USAGE.format(version=__version__), end="")
        return 0
    print("fluxd: the node process is not available in this version yet; see -help", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
