"""Control methods: help, stop, uptime, setmocktime (C++ rpc/server.cpp, rpc/misc.cpp)."""

from __future__ import annotations

from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.params import check_count, get_int64, get_str
from fluxd.rpc.registry import RPCTable

HELP_HELP = """help ( "command" )

List all commands, or get help for a specified command.

Arguments:
1. "command"     (string, optional) The command to get help on

Result:
"text"     (string) The help text
"""

STOP_HELP = """stop

Stop Flux server."""

UPTIME_HELP = """uptime

Returns the total uptime of the server.

Result:
ttt        (numeric) The number of seconds that the server has been running

Examples:
> flux-cli uptime 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "uptime", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

SETMOCKTIME_HELP = """setmocktime timestamp

Set the local time to given timestamp (-regtest only)

Arguments:
1. timestamp  (integer, required) Unix seconds-since-epoch timestamp
   Pass 0 to go back to using the system time."""


def rpc_help(node, params):
    check_count(params, 0, 1, HELP_HELP)
    command = get_str(params[0]) if params else ""
    return node.rpc_table.help(command)


def rpc_stop(node, params):
    check_count(params, 0, 1, STOP_HELP)
    node.request_shutdown("RPC stop")
    return "Flux server stopping"


def rpc_uptime(node, params):
    check_count(params, 0, 0, UPTIME_HELP)
    return node.clock.now() - node.start_time


def rpc_setmocktime(node, params):
    check_count(params, 1, 1, SETMOCKTIME_HELP)
    if not node.params.mine_blocks_on_demand:
        raise RPCError(RPC_MISC_ERROR, "setmocktime for regression testing (-regtest mode) only")
    node.clock.set_mock(get_int64(params[0]))
    return None


def register(table: RPCTable) -> None:
    table.register("help", "control", rpc_help, HELP_HELP)
    table.register("stop", "control", rpc_stop, STOP_HELP)
    table.register("uptime", "control", rpc_uptime, UPTIME_HELP)
    table.register("setmocktime", "hidden", rpc_setmocktime, SETMOCKTIME_HELP)
