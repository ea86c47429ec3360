"""Control methods: help, stop, uptime, setmocktime (C++ rpc/server.cpp, rpc/misc.cpp)."""

from __future__ import annotations

from fluxd.core.amount import amount_to_decimal
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.getinfo_wallet import getinfo_wallet_fields
from fluxd.rpc.methods.blockchain import difficulty_from_bits
from fluxd.rpc.params import check_count, get_int64, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.p2p.protocol import PROTOCOL_VERSION
from fluxd.util.version import CLIENT_VERSION

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
    register_getinfo(table)

DEFAULT_MIN_RELAY_TX_FEE = 100  # zatoshi per kB

GETINFO_HELP = """getinfo
Returns an object containing various state info.

Result:
{
  "version": xxxxx,           (numeric) the server version
  "protocolversion": xxxxx,   (numeric) the protocol version
  "walletversion": xxxxx,     (numeric) the wallet version
  "balance": xxxxxxx,         (numeric) the total Flux balance of the wallet
  "blocks": xxxxxx,           (numeric) the current number of blocks processed in the server
  "timeoffset": xxxxx,        (numeric) the time offset
  "connections": xxxxx,       (numeric) the number of connections
  "proxy": "host:port",     (string, optional) the proxy used by the server
  "difficulty": xxxxxx,       (numeric) the current difficulty
  "testnet": true|false,      (boolean) if the server is using testnet or not
  "keypoololdest": xxxxxx,    (numeric) the timestamp (seconds since GMT epoch) of the oldest pre-generated key in the key pool
  "keypoolsize": xxxx,        (numeric) how many new keys are pre-generated
  "unlocked_until": ttt,      (numeric) the timestamp in seconds since epoch (midnight Jan 1 1970 GMT) that the wallet is unlocked for transfers, or 0 if the wallet is locked
  "paytxfee": x.xxxx,         (numeric) the transaction fee set in FLUX/kB
  "relayfee": x.xxxx,         (numeric) minimum relay fee for non-free transactions in FLUX/kB
  "errors": "..."           (string) any error messages
}
"""


def _ipv4_proxy(node) -> str:
    """C++ getinfo: GetProxy(NET_IPV4) as ip:port, "" when none."""
    proxy = node.connman.policy.proxies.get("ipv4") if node.connman is not None else None
    return str(proxy) if proxy else ""


def rpc_getinfo(node, params):
    check_count(params, 0, 0, GETINFO_HELP)
    chainstate = node.chainstate
    early, late = getinfo_wallet_fields(node)
    return {
        "version": CLIENT_VERSION,
        "protocolversion": PROTOCOL_VERSION,
        **early,
        "blocks": chainstate.height,
        "timeoffset": 0,
        "connections": len(node.connman.peers) if node.connman is not None else 0,
        "proxy": _ipv4_proxy(node),
        "difficulty": difficulty_from_bits(node.params, chainstate.tip.bits),
        "testnet": node.params.is_testnet,
        **late,
        "relayfee": amount_to_decimal(DEFAULT_MIN_RELAY_TX_FEE),
        "errors": "",
    }


def register_getinfo(table: RPCTable) -> None:
    table.register("getinfo", "control", rpc_getinfo, GETINFO_HELP)
