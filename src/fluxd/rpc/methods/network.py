"""Network RPCs (C++ rpc/net.cpp): peers, added nodes, bans, totals and network info.

Handlers run on RPC worker threads; anything that touches sockets is handed
to the event loop that owns the connection manager.
"""

from __future__ import annotations

import asyncio
import time

from fluxd.core.amount import amount_to_decimal
from fluxd.p2p.banlist import parse_subnet
from fluxd.p2p.netaddress import parse_host_port
from fluxd.p2p.protocol import PROTOCOL_VERSION
from fluxd.p2p.proxy import NetPolicy
from fluxd.rpc.errors import (
    RPC_CLIENT_NODE_ALREADY_ADDED, RPC_CLIENT_NODE_NOT_ADDED, RPC_CLIENT_NODE_NOT_CONNECTED, RPC_CLIENT_P2P_DISABLED,
    RPC_MISC_ERROR, RPCError,
)
from fluxd.rpc.params import check_count, get_bool, get_int64, get_str
from fluxd.rpc.registry import RPCTable
from fluxd.util.version import CLIENT_VERSION, DEPRECATION_HEIGHT, format_sub_version

MIN_RELAY_TX_FEE = 100
CONNECT_WAIT = 10

GETCONNECTIONCOUNT_HELP = """getconnectioncount

Returns the number of connections to other nodes.

Result:
n          (numeric) The connection count
"""
PING_HELP = """ping

Requests that a ping be sent to all other nodes, to measure ping time.
Results provided in getpeerinfo, pingtime and pingwait fields are decimal seconds.
Ping command is handled in queue with all other commands, so it measures processing backlog, not just network ping.
"""
GETPEERINFO_HELP = """getpeerinfo

Returns data about each connected network node as a json array of objects.
"""
ADDNODE_HELP = """addnode "node" "add|remove|onetry"

Attempts add or remove a node from the addnode list.
Or try a connection to a node once.

Arguments:
1. "node"     (string, required) The node (see getpeerinfo for nodes)
2. "command"  (string, required) 'add' to add a node to the list, 'remove' to remove a node from the list, 'onetry' to try a connection to the node once
"""
DISCONNECTNODE_HELP = """disconnectnode "node" 

Immediately disconnects from the specified node.

Arguments:
1. "node"     (string, required) The node (see getpeerinfo for nodes)
"""
GETADDEDNODEINFO_HELP = """getaddednodeinfo dns ( "node" )

Returns information about the given added node, or all added nodes
(note that onetry addnodes are not listed here)
If dns is false, only a list of added nodes will be provided,
otherwise connected information will also be available.

Arguments:
1. dns        (boolean, required) If false, only a list of added nodes will be provided, otherwise connected information will also be available.
2. "node"   (string, optional) If provided, return information about this specific node, otherwise all nodes are returned.
"""
GETNETTOTALS_HELP = """getnettotals

Returns information about network traffic, including bytes in, bytes out,
and current time.
"""
GETNETWORKINFO_HELP = """getnetworkinfo
Returns an object containing various state info regarding P2P networking.
"""
SETBAN_HELP = """setban "ip(/netmask)" "add|remove" (bantime) (absolute)

Attempts add or remove a IP/Subnet from the banned list.

Arguments:
1. "ip(/netmask)" (string, required) The IP/Subnet (see getpeerinfo for nodes ip) with a optional netmask (default is /32 = single ip)
2. "command"      (string, required) 'add' to add a IP/Subnet to the list, 'remove' to remove a IP/Subnet from the list
3. "bantime"      (numeric, optional) time in seconds how long (or until when if [absolute] is set) the ip is banned (0 or empty means using the default time of 24h which can also be overwritten by the -bantime startup argument)
4. "absolute"     (boolean, optional) If set, the bantime must be a absolute timestamp in seconds since epoch (Jan 1 1970 GMT)
"""
LISTBANNED_HELP = """listbanned

List all banned IPs/Subnets.
"""
CLEARBANNED_HELP = """clearbanned

Clear all banned IPs.
"""


def _connman(node):
    if node.connman is None:
        raise RPCError(RPC_CLIENT_P2P_DISABLED, "Error: Peer-to-peer functionality missing or disabled")
    return node.connman


def _on_loop(node, callback, *args):
    """Run ``callback(*args)`` on the event loop thread and return its result."""
    future = asyncio.run_coroutine_threadsafe(_call(callback, *args), node.loop)
    return future.result(CONNECT_WAIT + 5)


async def _call(callback, *args):
    result = callback(*args)
    if asyncio.iscoroutine(result):
        result = await result
    return result


def rpc_getconnectioncount(node, params):
    check_count(params, 0, 0, GETCONNECTIONCOUNT_HELP)
    return len(_connman(node).peers)


def rpc_ping(node, params):
    check_count(params, 0, 0, PING_HELP)
    connman = _connman(node)
    _on_loop(node, lambda: [peer.send_ping() for peer in list(connman.peers.values()) if peer.handshake_done])
    return None


def _peer_json(peer, chainstate) -> dict:
    stats = peer.stats
    remote = peer.remote
    result = {
        "id": peer.id,
        "addr": peer.addr_name or str(peer.address),
        "services": f"{remote.services if remote else 0:016x}",
        "addr_processed": 0,
        "addr_rate_limited": 0,
        "whitelisted": peer.whitelisted,
        "lastsend": stats.last_send,
        "lastrecv": stats.last_recv,
        "bytessent": stats.bytes_sent,
        "bytesrecv": stats.bytes_recv,
        "conntime": stats.conn_time,
        "timeoffset": (remote.time - stats.conn_time) if remote else 0,
        "pingtime": round(stats.ping_time, 6) if stats.ping_time is not None else 0,
    }
    if stats.ping_wait is not None:
        result["pingwait"] = round(stats.ping_wait, 6)
    result["version"] = peer.version
    result["subver"] = peer.clean_subver if remote else ""
    result["inbound"] = peer.inbound
    result["startingheight"] = remote.start_height if remote else -1
    result["banscore"] = peer.misbehavior
    result["synced_headers"] = peer.synced_headers
    result["synced_blocks"] = peer.synced_blocks
    view = chainstate.view()
    in_flight = [view.lookup(block_hash) for block_hash in list(peer.in_flight)]
    result["inflight"] = sorted(entry.height for entry in in_flight if entry is not None)
    result["whitelisted"] = peer.whitelisted
    return result


def rpc_getpeerinfo(node, params):
    check_count(params, 0, 0, GETPEERINFO_HELP)
    connman = _connman(node)
    peers = sorted(list(connman.peers.values()), key=lambda peer: peer.id)
    return [_peer_json(peer, node.chainstate) for peer in peers if peer.handshake_done]


def rpc_addnode(node, params):
    command = get_str(params[1]) if len(params) == 2 else ""
    if len(params) != 2 or command not in ("onetry", "add", "remove"):
        raise RPCError(RPC_MISC_ERROR, ADDNODE_HELP)
    target = get_str(params[0])
    connman = _connman(node)
    if command == "onetry":
        _on_loop(node, connman.connect, target, "onetry")
        return None
    if command == "add":
        if target in connman.added_nodes:
            raise RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: Node already added")
        connman.added_nodes.append(target)
        _on_loop(node, lambda: asyncio.ensure_future(connman.connect(target, "manual")))
    else:
        if target not in connman.added_nodes:
            raise RPCError(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.")
        connman.added_nodes.remove(target)
    return None


def rpc_disconnectnode(node, params):
    check_count(params, 1, 1, DISCONNECTNODE_HELP)
    connman = _connman(node)
    peer = connman.find_by_name(get_str(params[0]))
    if peer is None:
        raise RPCError(RPC_CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes")
    _on_loop(node, peer.close, "disconnectnode")
    return None


def rpc_getaddednodeinfo(node, params):
    check_count(params, 1, 2, GETADDEDNODEINFO_HELP)
    with_dns = get_bool(params[0])
    connman = _connman(node)
    added = list(connman.added_nodes)
    if len(params) == 2:
        wanted = get_str(params[1])
        if wanted not in added:
            raise RPCError(RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.")
        added = [wanted]
    if not with_dns:
        return [{"addednode": name} for name in added]
    result = []
    for name in added:
        try:
            host, port = parse_host_port(name, node.params.default_port)
        except ValueError:
            continue
        peer = connman.find_peer(host, port)
        state = ("inbound" if peer.inbound else "outbound") if peer is not None else "false"
        result.append({"addednode": name, "connected": peer is not None,
                       "addresses": [{"address": f"{host}:{port}", "connected": state}]})
    return result


def rpc_getnettotals(node, params):
    check_count(params, 0, 0, GETNETTOTALS_HELP)
    recv, sent = _connman(node).totals()
    return {"totalbytesrecv": recv, "totalbytessent": sent, "timemillis": int(time.time() * 1000)}


def _networks_json(node) -> list[dict]:
    """C++ GetNetworksInfo over the proxies and limited networks the connection manager really uses."""
    connman = node.connman
    return (connman.policy if connman is not None else NetPolicy()).networks_json()


def rpc_getnetworkinfo(node, params):
    check_count(params, 0, 0, GETNETWORKINFO_HELP)
    connman = node.connman
    return {
        "version": CLIENT_VERSION,
        "subversion": format_sub_version(node.args.get_all("-uacomment")),
        "protocolversion": PROTOCOL_VERSION,
        "localservices": f"{connman.local_services if connman else 0:016x}",
        "timeoffset": 0,
        "connections": len(connman.peers) if connman else 0,
        "networks": _networks_json(node),
        "relayfee": amount_to_decimal(MIN_RELAY_TX_FEE),
        "localaddresses": [],
        "warnings": "",
    }


GETDEPRECATIONINFO_HELP = """getdeprecationinfo
Returns an object containing current version and deprecation block height. Applicable only on mainnet.

Result:
{
  "version": xxxxx,                      (numeric) the server version
  "subversion": "/MagicBean:x.y.z[-v]/",     (string) the server subversion string
  "deprecationheight": xxxxx,            (numeric) the block height at which this version will deprecate and shut down
}

Examples:
> flux-cli getdeprecationinfo 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getdeprecationinfo", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""


def rpc_getdeprecationinfo(node, params):
    """Mainnet only: elsewhere C++ answers its help text as the error."""
    if params or node.params.network_id != "main":
        raise RPCError(RPC_MISC_ERROR, GETDEPRECATIONINFO_HELP)
    return {"version": CLIENT_VERSION, "subversion": format_sub_version(), "deprecationheight": DEPRECATION_HEIGHT}


def rpc_setban(node, params):
    command = get_str(params[1]) if len(params) >= 2 else ""
    if len(params) < 2 or len(params) > 4 or command not in ("add", "remove"):
        raise RPCError(RPC_MISC_ERROR, SETBAN_HELP)
    connman = _connman(node)
    try:
        network = parse_subnet(get_str(params[0]))
    except ValueError:
        raise RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: Invalid IP/Subnet") from None
    if command == "remove":
        if not connman.bans.unban(network):
            raise RPCError(RPC_MISC_ERROR, "Error: Unban failed")
        connman.bans.save(connman.data_dir / "banlist.dat")
        return None
    if _already_banned(connman.bans, network, "/" in get_str(params[0]), connman.now()):
        raise RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned")
    ban_time = get_int64(params[2]) if len(params) >= 3 and params[2] is not None else 0
    absolute = len(params) == 4 and params[3] is True
    _on_loop(node, connman.ban_and_disconnect, get_str(params[0]), ban_time, absolute)
    return None


def _already_banned(bans, network, is_subnet: bool, now: int) -> bool:
    """C++ setban: a subnet must not be banned itself (CNode::IsBanned(CSubNet)); an address must not be
    covered by any banned subnet (CNode::IsBanned(CNetAddr))."""
    return bans.contains_subnet(network, now) if is_subnet else bans.is_banned(str(network.network_address), now)


def rpc_listbanned(node, params):
    check_count(params, 0, 0, LISTBANNED_HELP)
    return [{"address": address, "banned_until": until} for address, until in _connman(node).bans.listing()]


def rpc_clearbanned(node, params):
    check_count(params, 0, 0, CLEARBANNED_HELP)
    connman = _connman(node)
    connman.bans.clear()
    connman.bans.save(connman.data_dir / "banlist.dat")
    return None


def register(table: RPCTable) -> None:
    for name, handler, help_text in (
        ("getconnectioncount", rpc_getconnectioncount, GETCONNECTIONCOUNT_HELP),
        ("getdeprecationinfo", rpc_getdeprecationinfo, GETDEPRECATIONINFO_HELP),
        ("ping", rpc_ping, PING_HELP),
        ("getpeerinfo", rpc_getpeerinfo, GETPEERINFO_HELP),
        ("addnode", rpc_addnode, ADDNODE_HELP),
        ("disconnectnode", rpc_disconnectnode, DISCONNECTNODE_HELP),
        ("getaddednodeinfo", rpc_getaddednodeinfo, GETADDEDNODEINFO_HELP),
        ("getnettotals", rpc_getnettotals, GETNETTOTALS_HELP),
        ("getnetworkinfo", rpc_getnetworkinfo, GETNETWORKINFO_HELP),
        ("setban", rpc_setban, SETBAN_HELP),
        ("listbanned", rpc_listbanned, LISTBANNED_HELP),
        ("clearbanned", rpc_clearbanned, CLEARBANNED_HELP),
    ):
        table.register(name, "network", handler, help_text)
