"""The ``flux-tx`` command: create and modify transactions from the command line."""

from __future__ import annotations

import sys

from fluxd import __version__

USAGE = """Flux flux-tx utility version v{version}

Usage:
  flux-tx [options] <hex-tx> [commands]  Update hex-encoded flux transaction
  flux-tx [options] -create [commands]   Create hex-encoded flux transaction

Options:
  -?, -h, -help  This help message
  -create        Create new, empty TX.
  -json          Select JSON output
  -txid          Output only the hex-encoded transaction id of the resultant transaction.
  -regtest       Enter regression test mode
  -testnet       Use the test network
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(arg.lstrip("-") == "version" for arg in args):
        print(f"Flux flux-tx utility version v{__version__}")
        return 0
    if not args or any(arg.lstrip("-") in ("?", "h", "help") for arg in args if arg.startswith("-")):
        print(USAGE.format(version=__version__), end="")
        return 0
    print("error: transaction commands are not available in this version yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
