"""The ``fluxd`` command: the Flux node daemon (C++ fluxd.cpp AppInit)."""

from __future__ import annotations

import asyncio
import os
import sys

from fluxd import __version__

def _cores() -> int:
    return os.cpu_count() or 1


USAGE = f"""Flux Daemon version v{__version__}

Usage:
  fluxd [options]                     Start Flux Daemon

Options:

  -?
       This help message

  -conf=<file>
       Specify configuration file (default: flux.conf)

  -daemon
       Run in the background as a daemon and accept commands

  -datadir=<dir>
       Specify data directory

  -dbcache=<n>
       Set database cache size in megabytes (4 to 16384, default: 450)

  -loadblock=<file>
       Imports blocks from external blk000??.dat file on startup

  -par=<n>
       Set the number of script verification threads (-{_cores()} to 16, 0 = auto, <0 =
       leave that many cores free, default: 0)

  -pid=<file>
       Specify pid file (default: fluxd.pid)

  -reindex
       Rebuild block chain index from current blk000??.dat files on startup

  -txindex
       Maintain a full transaction index, used by the getrawtransaction rpc
       call (default: 0)

  -timestampindex
       Maintain a timestamp index for block hashes, used to query blocks
       hashes by a range of timestamps (default: 0)

  -checkblocks=<n>
       How many blocks to check at startup (default: 288, 0 = all)

  -checklevel=<n>
       How thorough the block verification of -checkblocks is (0-4, default: 3)

  -checkpoints
       Disable expensive verification for known chain history (default: 1)

  -printtoconsole
       Send trace/debug info to console instead of debug.log file

  -debug=<category>
       Output debugging information (default: 0, supplying <category> is
       optional). If <category> is not supplied or if <category> = 1, output
       all debugging information.

  -loglevel=<level>
       Log level: trace, debug, info, warning, error (default: info)

  -logjson
       Write log lines as JSON objects

  -mocktime=<n>
       Replace actual time with <n> seconds since epoch (default: 0)

Chain selection options:

  -testnet
       Use the test chain

  -regtest
       Enter regression test mode, which uses a special chain in which blocks
       can be solved instantly.

  -nuparams=<hexBranchId or name>:<activationHeight>
       Use given activation height for a network upgrade (regtest only)

  -regtestbenchmarkpubkey=<hex pubkey>
       Check CONFIRM benchmark signatures against this key instead of the
       regtest benchmarking keys (regtest only, for tests)

RPC server options:

  -rpcbind=<addr>
       Bind to given address to listen for JSON-RPC connections.

  -rpcuser=<user>
       Username for JSON-RPC connections

  -rpcpassword=<pw>
       Password for JSON-RPC connections

  -rpcauth=<userpw>
       Username and hashed password for JSON-RPC connections (user:salt$hash)

  -rpcport=<port>
       Listen for JSON-RPC connections on <port> (default: 16124 or testnet: 26124)

  -rpcallowip=<ip>
       Allow JSON-RPC connections from specified source.

  -rpcthreads=<n>
       Set the number of threads to service RPC calls (default: 4)
"""


def _fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


def _daemonize() -> bool:
    """Fork into the background; True in the child that keeps running."""
    print("Flux server starting")
    sys.stdout.flush()
    if os.fork() > 0:
        return False
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return True


def main(argv: list[str] | None = None) -> int:
    from fluxd.node.config import ConfigError, datadir, read_config_file
    from fluxd.util.args import parse_parameters

    argv = sys.argv[1:] if argv is None else argv
    args = parse_parameters(argv)
    if any(args.is_set(flag) for flag in ("-?", "-h", "-help", "-version")):
        print(f"Flux Daemon version v{__version__}" if args.is_set("-version") else USAGE, end="\n" if args.is_set("-version") else "")
        return 0
    if not datadir(args).is_dir():
        return _fail(f'Specified data directory "{args.get("-datadir")}" does not exist.')
    try:
        read_config_file(args)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return _start(args)


def _start(args) -> int:
    from fluxd.node.app import prepare_node, run_node
    from fluxd.node.datadir_lock import DatadirLocked
    from fluxd.node.startup import StartupError

    if args.get_bool("-daemon") and not _daemonize():
        return 0
    try:
        node, lock = prepare_node(args)
    except (StartupError, DatadirLocked) as exc:
        return _fail(str(exc))
    try:
        return asyncio.run(run_node(node))
    except StartupError as exc:
        return _fail(str(exc))
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
