"""Insight-explorer index RPCs (C++ rpc/blockchain.cpp): getblockhashes over the timestamp index."""

from __future__ import annotations

from fluxd.chainstate.timestamp_index import TimestampIndex
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.insight import require_index
from fluxd.rpc.params import get_bool, get_int
from fluxd.rpc.registry import RPCTable
from fluxd.util.hexutil import rev_to_hum

GETBLOCKHASHES_USAGE = """getblockhashes high low ( {"noOrphans": true|false, "logicalTimes": true|false} )

Returns array of hashes of blocks within the timestamp range provided,

greater or equal to low, less than high.
"""
GETBLOCKHASHES_DISABLED = """
WARNING: getblockhashes is disabled.
To enable it, restart fluxd with the -experimentalfeatures and
-insightexplorer commandline options, or add these two lines
to the flux.conf file:

experimentalfeatures=1
insightexplorer=1
"""
GETBLOCKHASHES_DETAILS = """
Arguments:
1. high                            (numeric, required) The newer block timestamp
2. low                             (numeric, required) The older block timestamp
3. options                         (string, optional) A json object
    {
      "noOrphans": true|false      (boolean) will only include blocks on the main chain
      "logicalTimes": true|false   (boolean) will include logical timestamps with hashes
    }

Result:
[
  "xxxx"                   (hex string) The block hash
]
or
[
  {
    "blockhash": "xxxx"    (hex string) The block hash
    "logicalts": n         (numeric) The logical timestamp
  }
]

Examples:
> flux-cli getblockhashes 1558141697 1558141576
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getblockhashes", "params": [1558141697, 1558141576] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
> flux-cli getblockhashes 1558141697 1558141576 '{"noOrphans":false, "logicalTimes":true}'
"""
GETBLOCKHASHES_HELP = GETBLOCKHASHES_USAGE + GETBLOCKHASHES_DETAILS


def _help_text(enabled: bool) -> str:
    return GETBLOCKHASHES_USAGE + ("" if enabled else GETBLOCKHASHES_DISABLED) + GETBLOCKHASHES_DETAILS


def _options(params: list) -> tuple[bool, bool]:
    if len(params) < 3:
        return False, False
    options = params[2]
    if not isinstance(options, dict):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an object as expected")
    no_orphans = options.get("noOrphans")
    logical = options.get("logicalTimes")
    return (no_orphans is not None and get_bool(no_orphans)), (logical is not None and get_bool(logical))


def rpc_getblockhashes(node, params):
    index = node.chainstate.module(TimestampIndex.name)
    if len(params) < 2:
        raise RPCError(RPC_MISC_ERROR, _help_text(index is not None))
    require_index(node, TimestampIndex.name, "getblockhashes")
    high, low = get_int(params[0]) & 0xFFFFFFFF, get_int(params[1]) & 0xFFFFFFFF
    active_only, logical_times = _options(params)
    chainstate = node.chainstate
    view = chainstate.view()
    keep = None
    if active_only:
        keep = lambda hash_rev: (entry := view.lookup(hash_rev)) is not None and view.contains(entry)  # noqa: E731
    found = TimestampIndex.hashes_between(chainstate.state_reader(), high, low, keep)
    if logical_times:
        return [{"blockhash": rev_to_hum(hash_rev), "logicalts": logical - (1 << 32) if logical >= 1 << 31 else logical} for hash_rev, logical in found]
    return [rev_to_hum(hash_rev) for hash_rev, _ in found]


GETINDEXINFO_HELP = """getindexinfo

Returns the status of the optional indexes (an extension of this node, named after Bitcoin Core's):
an index switched on for an existing chain is built from the stored blocks while the node runs.

Result:
{
  "name": {                  (json object) one per index that is on
    "synced": true|false,    (boolean) whether the index is built up to the tip
    "best_block_height": n   (numeric) the height it is built up to
  }, ...
}

Examples:
> flux-cli getindexinfo
"""
INDEX_NAMES = ("txindex", "addressindex", "spentindex", "timestampindex")


def rpc_getindexinfo(node, params):
    if params:
        raise RPCError(RPC_MISC_ERROR, GETINDEXINFO_HELP)
    chainstate = node.chainstate
    result = {}
    for name in INDEX_NAMES:
        index = chainstate.module(name)
        if index is not None:
            progress = getattr(index, "progress", None)
            height = chainstate.height if progress is None else progress[0]
            result[name] = {"synced": progress is None, "best_block_height": height}
    return result


def register(table: RPCTable) -> None:
    table.register("getblockhashes", "blockchain", rpc_getblockhashes, GETBLOCKHASHES_HELP)
    table.register("getindexinfo", "blockchain", rpc_getindexinfo, GETINDEXINFO_HELP)
