"""Mining statistics RPCs (C++ rpc/mining.cpp): getmininginfo, getnetworksolps/hashps, getlocalsolps, getgenerate.

There is no local PoW miner (-gen is refused), so localsolps is 0; ponminter
is true while the Proof-of-Node minter of a fluxnode runs (node/fluxnode_service.py);
pooledtx counts the mempool; currentblocksize / currentblocktx are as left by
the last block template (0/0 before any, 1000/0 after ``generate`` built one
from an empty mempool, as CreateNewBlock sets nLastBlockSize/nLastBlockTx).
"""

from __future__ import annotations

from fluxd.rpc.methods.blockchain import network_difficulty
from fluxd.rpc.params import check_count, get_int
from fluxd.rpc.registry import RPCTable

GETMININGINFO_HELP = """getmininginfo

Returns a json object containing mining-related information.
Result:
{
  "blocks": nnn,             (numeric) The current block
  "currentblocksize": nnn,   (numeric) The last block size
  "currentblocktx": nnn,     (numeric) The last block transaction
  "difficulty": xxx.xxxxx    (numeric) The current difficulty
  "errors": "..."          (string) Current errors
  "generate": true|false     (boolean) If the generation is on or off (see getgenerate or setgenerate calls)
  "genproclimit": n          (numeric) The processor limit for generation. -1 if no generation. (see getgenerate or setgenerate calls)
  "localsolps": xxx.xxxxx    (numeric) The average local solution rate in Sol/s since this node was started
  "networksolps": x          (numeric) The estimated network solution rate in Sol/s
  "pooledtx": n              (numeric) The size of the mem pool
  "testnet": true|false      (boolean) If using testnet or not
  "chain": "xxxx",         (string) current network name as defined in BIP70 (main, test, regtest)
  "ponminter": true|false    (boolean) If the PON minter is running
}

Examples:
> flux-cli getmininginfo 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getmininginfo", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""
GETNETWORKSOLPS_HELP = """getnetworksolps ( blocks height )

Returns the estimated network solutions per second based on the last n blocks.
Pass in [blocks] to override # of blocks, -1 specifies over difficulty averaging window.
Pass in [height] to estimate the network speed at the time when a certain block was found.

Arguments:
1. blocks     (numeric, optional, default=120) The number of blocks, or -1 for blocks over difficulty averaging window.
2. height     (numeric, optional, default=-1) To estimate at the time of the given height.

Result:
x             (numeric) Solutions per second estimated

Examples:
> flux-cli getnetworksolps 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getnetworksolps", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""
GETNETWORKHASHPS_HELP = (  # C++ repeats getnetworksolps' text under the deprecated name
    GETNETWORKSOLPS_HELP.replace(
        "getnetworksolps ( blocks height )\n\n",
        "getnetworkhashps ( blocks height )\n\nDEPRECATED - left for backwards-compatibility. Use getnetworksolps instead.\n",
        1,
    )
    .replace("> flux-cli getnetworksolps", "> flux-cli getnetworkhashps")
    .replace('"method": "getnetworksolps"', '"method": "getnetworkhashps"')
)
GETLOCALSOLPS_HELP = """getlocalsolps

Returns the average local solutions per second since this node was started.
This is the same information shown on the metrics screen (if enabled).

Result:
xxx.xxxxx     (numeric) Solutions per second average

Examples:
> flux-cli getlocalsolps 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getlocalsolps", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""
GETGENERATE_HELP = """getgenerate

Return if the server is set to generate coins or not. The default is false.
It is set with the command line argument -gen (or flux.conf setting gen)
It can also be set with the setgenerate call.

Result
true|false      (boolean) If the server is set to generate coins or not

Examples:
> flux-cli getgenerate 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getgenerate", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""


def uint256_to_double(value: int) -> float:
    """arith_uint256::getdouble: 32-bit limbs summed in double from the lowest up."""
    result, factor = 0.0, 1.0
    for _ in range(8):
        result += factor * (value & 0xFFFFFFFF)
        factor *= 4294967296.0
        value >>= 32
    return result


def network_hash_ps(chainstate, params, lookup: int, height: int) -> int:
    """GetNetworkHashPS: chainwork gained over the time spread of the last `lookup` blocks."""
    last = chainstate.tip
    if 0 <= height < chainstate.height:
        last = chainstate.entry_at(height)
    if last is None or last.height == 0:
        return 0
    if lookup <= 0:
        lookup = params.digishield_averaging_window
    lookup = min(lookup, last.height)
    first, low, high = last, last.time, last.time
    for _ in range(lookup):
        first = first.prev
        low, high = min(low, first.time), max(high, first.time)
    if low == high:
        return 0
    return int(uint256_to_double(last.chainwork - first.chainwork) / (high - low))


def _solps_args(params: list) -> tuple[int, int]:
    lookup = get_int(params[0]) if params else 120
    height = get_int(params[1]) if len(params) > 1 else -1
    return lookup, height


def rpc_getnetworksolps(node, params):
    check_count(params, 0, 2, GETNETWORKSOLPS_HELP)
    return network_hash_ps(node.chainstate, node.params, *_solps_args(params))


def rpc_getnetworkhashps(node, params):
    check_count(params, 0, 2, GETNETWORKHASHPS_HELP)
    return network_hash_ps(node.chainstate, node.params, *_solps_args(params))


def rpc_getlocalsolps(node, params):
    return 0.0  # no local Equihash miner: C++ GetLocalSolPS with an idle miner timer


def rpc_getgenerate(node, params):
    check_count(params, 0, 0, GETGENERATE_HELP)
    return node.args.get_bool("-gen", False)


def rpc_getmininginfo(node, params):
    check_count(params, 0, 0, GETMININGINFO_HELP)
    chainstate = node.chainstate
    size, tx_count = node.last_template_stats
    solps = network_hash_ps(chainstate, node.params, 120, -1)
    return {
        "blocks": chainstate.height,
        "currentblocksize": size,
        "currentblocktx": tx_count,
        "difficulty": network_difficulty(node),
        "errors": "",
        "genproclimit": _int32(node.args.get_int("-genproclimit", -1)),
        "localsolps": 0.0,
        "networksolps": solps,
        "networkhashps": solps,
        "pooledtx": len(node.mempool) if node.mempool is not None else 0,
        "testnet": node.params.is_testnet,
        "chain": node.params.network_id,
        "generate": node.args.get_bool("-gen", False),
        "ponminter": node.pon_minter is not None and node.pon_minter.running,
    }


def _int32(value: int) -> int:
    """C++ (int)GetArg(...): the int64 argument cut to 32 bits."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def register(table: RPCTable) -> None:
    table.register("getlocalsolps", "mining", rpc_getlocalsolps, GETLOCALSOLPS_HELP)
    table.register("getnetworksolps", "mining", rpc_getnetworksolps, GETNETWORKSOLPS_HELP)
    table.register("getnetworkhashps", "mining", rpc_getnetworkhashps, GETNETWORKHASHPS_HELP)
    table.register("getmininginfo", "mining", rpc_getmininginfo, GETMININGINFO_HELP)
    table.register("getgenerate", "generating", rpc_getgenerate, GETGENERATE_HELP)
