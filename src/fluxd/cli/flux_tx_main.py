"""The ``flux-tx`` command: create and modify transactions from the command line (C++ flux-tx.cpp)."""

from __future__ import annotations

import sys

from fluxd import __version__
from fluxd.cli.pipes import quiet_on_closed_pipe
from fluxd.core.transaction import Transaction
from fluxd.params.networks import params_for_network
from fluxd.util.args import Args, parse_parameters
from fluxd.util.univalue import dumps

USAGE = f"""Flux flux-tx utility version v{__version__}

Usage:
  flux-tx [options] <hex-tx> [commands]  Update hex-encoded flux transaction
  flux-tx [options] -create [commands]   Create hex-encoded flux transaction

Options:

  -?
       This help message

  -create
       Create new, empty TX.

  -json
       Select JSON output

  -txid
       Output only the hex-encoded transaction id of the resultant transaction.

  -regtest
       Enter regression test mode, which uses a special chain in which blocks
       can be solved instantly.

  -testnet
       Use the test network

Commands:

  delin=N
       Delete input N from TX

  delout=N
       Delete output N from TX

  in=TXID:VOUT(:SEQUENCE_NUMBER)
       Add input to TX

  locktime=N
       Set TX lock time to N

  nversion=N
       Set TX version to N

  outaddr=VALUE:ADDRESS
       Add address-based output to TX

  outscript=VALUE:SCRIPT
       Add raw script output to TX

  sign=HEIGHT:SIGHASH-FLAGS
       Add zero or more signatures to transaction. This command requires JSON
       registers:prevtxs=JSON object, privatekeys=JSON object. See
       signrawtransaction docs for format of sighash flags, JSON objects.

Register Commands:

  load=NAME:FILENAME
       Load JSON file FILENAME into register NAME

  set=NAME:JSON-STRING
       Set register NAME to given JSON-STRING

"""


def _network(args: Args) -> str | None:
    regtest, testnet = args.get_bool("-regtest"), args.get_bool("-testnet")
    if regtest and testnet:
        return None
    return "regtest" if regtest else "test" if testnet else "main"


def _read_stdin() -> str:
    return sys.stdin.read().rstrip(" \t\n\v\f\r")


def _output(tx: Transaction, args: Args, params) -> None:
    if args.get_bool("-json"):
        from fluxd.rpc.tx_json import tx_to_univ

        print(dumps(tx_to_univ(tx, params.base58), 4))
    elif args.get_bool("-txid"):
        print(tx.txid_hum)
    else:
        print(tx.to_bytes().hex())


def run(argv: list[str]) -> int:
    args = parse_parameters(argv)
    network = _network(args)
    if network is None:
        print("Error: Invalid combination of -regtest and -testnet.", file=sys.stderr)
        return 1
    if args.is_set("-version"):
        print(f"Flux flux-tx utility version v{__version__}")
        return 0
    if not argv or any(args.is_set(flag) for flag in ("-?", "-h", "-help")):
        print(USAGE, end="")
        if not argv:
            print("Error: too few parameters", file=sys.stderr)
            return 1
        return 0
    return _mutate_and_print(args, _positional(argv), params_for_network(network))


def _positional(argv: list[str]) -> list[str]:
    """Arguments after the leading switches; a lone '-' (stdin) is not a switch."""
    index = 0
    while index < len(argv) and argv[index].startswith("-") and len(argv[index]) > 1:
        index += 1
    return list(argv[index:])


def _mutate_and_print(args: Args, commands: list[str], params) -> int:
    # Imported here so that -help/-version work without the crypto libraries loaded.
    from fluxd.cli.flux_tx_commands import ToolError, TxEditor, decode_hex_tx

    try:
        if args.get_bool("-create"):
            tx = Transaction(version=1)
        else:
            if not commands:
                raise ToolError("too few parameters")
            hex_text = commands.pop(0)
            tx = decode_hex_tx(_read_stdin() if hex_text == "-" else hex_text)
        editor = TxEditor(params, tx)
        for command in commands:
            key, _, value = command.partition("=")
            editor.apply(key, value)
        _output(editor.tx, args, params)
    except ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        quiet_on_closed_pipe()
    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
