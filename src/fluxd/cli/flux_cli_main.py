"""The ``flux-cli`` command: send one JSON-RPC call to fluxd and print the answer as C++ flux-cli does."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import sys
import time
from pathlib import Path

from fluxd import __version__
from fluxd.cli.pipes import quiet_on_closed_pipe
from fluxd.node.config import ConfigError, config_file, datadir, net_datadir, network_id, read_config_file
from fluxd.rpc.convert import ConvertError, convert_params
from fluxd.util.args import Args, parse_parameters
from fluxd.util.univalue import RawNumber, dumps

RPC_IN_WARMUP = -28
DEFAULT_RPC_PORTS = {"main": 16124, "test": 26124, "regtest": 26124}
DEFAULT_CLIENT_TIMEOUT = 900

USAGE = f"""Flux RPC client version v{__version__}

Usage:
  flux-cli [options] <command> [params]  Send command to Flux
  flux-cli [options] help                List commands
  flux-cli [options] help <command>      Get help for a command

Options:

  -?
       This help message

  -conf=<file>
       Specify configuration file (default: flux.conf)

  -datadir=<dir>
       Specify data directory

  -testnet
       Use the test network

  -regtest
       Enter regression test mode, which uses a special chain in which blocks
       can be solved instantly.

  -rpcconnect=<ip>
       Send commands to node running on <ip> (default: 127.0.0.1)

  -rpcport=<port>
       Connect to JSON-RPC on <port> (default: 16124 or testnet: 26124)

  -rpcwait
       Wait for RPC server to start

  -rpcuser=<user>
       Username for JSON-RPC connections

  -rpcpassword=<pw>
       Password for JSON-RPC connections

  -rpcclienttimeout=<n>
       Timeout in seconds during HTTP requests, or 0 for no timeout. (default: 900)

  -stdin
       Read extra arguments from standard input, one per line until EOF/Ctrl-D
       (recommended for sensitive information such as passphrases)
"""


class ConnectionFailed(Exception):
    pass


class CliError(Exception):
    pass


class MissingCookie(CliError):
    """No .cookie yet: with -rpcwait we keep waiting, since our daemon writes it a moment after it forks
    (C++ flux-cli gives up at once; its daemon writes the cookie before a client is likely to look)."""


def _credentials(args: Args, network: str) -> str:
    if args.get("-rpcpassword"):
        return f"{args.get('-rpcuser')}:{args.get('-rpcpassword')}"
    cookie = net_datadir(args, network) / ".cookie"
    try:
        return cookie.read_text().strip()
    except OSError:
        raise MissingCookie(
            "Could not locate RPC credentials. No authentication cookie could be found,\n"
            f"and no rpcpassword is set in the configuration file ({config_file(args)})."
        ) from None


def call_rpc(args: Args, network: str, method: str, params: list) -> dict:
    host = args.get("-rpcconnect", "127.0.0.1")
    port = args.get_int("-rpcport", DEFAULT_RPC_PORTS[network])
    timeout = args.get_int("-rpcclienttimeout", DEFAULT_CLIENT_TIMEOUT) or None
    token = base64.b64encode(_credentials(args, network).encode()).decode()
    body = dumps({"method": method, "params": params, "id": 1})
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(
            "POST", "/", body.encode(), {"Authorization": f"Basic {token}", "Connection": "close", "Content-Type": "application/json"}
        )
        response = connection.getresponse()
        status, payload = response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ConnectionFailed(
            f"couldn't connect to server: {exc}\n(make sure server is running and you are connecting to the correct RPC port)"
        ) from None
    finally:
        connection.close()
    return _parse_reply(status, payload)


def _parse_reply(status: int, payload: bytes) -> dict:
    if status == 401:
        raise CliError("incorrect rpcuser or rpcpassword (authorization failed)")
    if status >= 400 and status not in (400, 404, 500):
        raise CliError(f"server returned HTTP error {status}")
    if not payload:
        raise CliError("no response from server")
    try:
        reply = json.loads(payload, parse_float=RawNumber)
    except ValueError:
        raise CliError("couldn't parse reply from server") from None
    if not isinstance(reply, dict) or not reply:
        raise CliError("expected reply to have result, error and id properties")
    return reply


def _format_reply(reply: dict) -> tuple[str, int, bool]:
    """(text, exit code, is warmup error) for a JSON-RPC reply."""
    error = reply.get("error")
    if error is not None:
        code = error.get("code") if isinstance(error, dict) else None
        if isinstance(error, dict):
            text = "" if code is None else f"error code: {code}\n"
            if isinstance(error.get("message"), str):
                text += "error message:\n" + error["message"]
        else:
            text = "error: " + dumps(error)
        return text, abs(code) if isinstance(code, int) else 1, code == RPC_IN_WARMUP
    result = reply.get("result")
    if result is None:
        return "", 0, False
    if isinstance(result, str) and not isinstance(result, RawNumber):
        return result, 0, False
    return dumps(result, 2), 0, False


def _run_command(args: Args, network: str, command: list[str]) -> tuple[str, int]:
    if args.get_bool("-stdin"):
        command = command + [line.rstrip("\n") for line in sys.stdin]
    if not command:
        raise CliError("too few parameters (need at least command)")
    params = convert_params(command[0], command[1:])
    wait = args.get_bool("-rpcwait")
    while True:
        try:
            text, code, warmup = _format_reply(call_rpc(args, network, command[0], params))
            if warmup and wait:
                raise ConnectionFailed("server in warmup")
            return text, code
        except (ConnectionFailed, MissingCookie):
            if not wait:
                raise
            time.sleep(1)


def _positional(argv: list[str]) -> list[str]:
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 1
    return argv[index:]


def _init(argv: list[str]) -> tuple[Args, str] | int:
    args = parse_parameters(argv)
    if not argv or any(args.is_set(flag) for flag in ("-?", "-h", "-help", "-version")):
        if args.is_set("-version"):
            print(f"Flux RPC client version v{__version__}")
        else:
            print(USAGE, end="")
        if not argv:
            print("Error: too few parameters", file=sys.stderr)
            return 1
        return 0
    if not datadir(args).is_dir():
        print(f'Error: Specified data directory "{args.get("-datadir")}" does not exist.', file=sys.stderr)
        return 1
    try:
        read_config_file(args)
        network = network_id(args)
    except ConfigError as exc:
        print(f"Error reading configuration file: {exc}", file=sys.stderr)
        return 1
    return args, network


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        quiet_on_closed_pipe()
    argv = sys.argv[1:] if argv is None else argv
    initialised = _init(argv)
    if isinstance(initialised, int):
        return initialised
    args, network = initialised
    try:
        text, code = _run_command(args, network, _positional(argv))
    except (CliError, ConnectionFailed, ConvertError) as exc:
        text, code = f"error: {exc}", 1
    if text:
        print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
