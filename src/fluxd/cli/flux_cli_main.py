"""The ``flux-cli`` command: JSON-RPC client for fluxd."""

from __future__ import annotations

import sys

from fluxd import __version__

USAGE = """Flux RPC client version v{version}

Usage:
  flux-cli [options] <command> [params]  Send command to Flux
  flux-cli [options] help                List commands
  flux-cli [options] help <command>      Get help for a command

Options:
  -?, -h, -help          This help message
  -version               Print version and exit
  -conf=<file>           Specify configuration file (default: flux.conf)
  -datadir=<dir>         Specify data directory
  -testnet               Use the test network
  -regtest               Enter regression test mode
  -rpcconnect=<ip>       Send commands to node running on <ip> (default: 127.0.0.1)
  -rpcport=<port>        Connect to JSON-RPC on <port> (default: 16124 or testnet: 26124)
  -rpcwait               Wait for RPC server to start
  -rpcuser=<user>        Username for JSON-RPC connections
  -rpcpassword=<pw>      Password for JSON-RPC connections
  -stdin                 Read extra arguments from standard input
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(arg.lstrip("-") == "version" for arg in args):
        print(f"Flux RPC client version v{__version__}")
        return 0
    if not args or any(arg.lstrip("-") in ("?", "h", "help") for arg in args if arg.startswith("-")):
        print(USAGE.format(version=__version__), end="")
        return 0
    print("error: the RPC client is not available in this version yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
