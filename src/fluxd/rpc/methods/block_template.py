"""getblocktemplate (C++ rpc/mining.cpp, BIP 22/23 as Flux has it).

Order of checks as C++: -mineraddress required (-32601), the request must be
an object, ``mode`` a string ("template" or "proposal", else -8), proposals
are answered with the BIP 22 result, then -9 "Flux is not connected!" when
there is no peer (regtest included: C++ has no exception).  C++ has the IBD
check (-10) commented out, so a node still downloading answers templates.

The template is cached as C++'s statics: rebuilt when the tip changed, or
when the mempool's transaction counter moved and the cached one is more than
5 seconds old; every answer refreshes its time (UpdateTime).

Payout fields: ``miner_reward`` (coinbase output 0), then one group of
``<tier>_fluxnode_*`` / legacy ``*_zelnode_*`` fields per payable fluxnode
tier, then ``flux_creation_*`` for the one-off funding outputs.  With no
fluxnode list yet no tier is payable, so, as C++ shows when GetNextPayment
finds nobody, no fluxnode fields appear.  UniValue's pushKV appends, so a
height with several funding outputs (regtest 10) repeats
``flux_creation_address`` / ``flux_creation_amount`` exactly as C++ writes it.
"""

from __future__ import annotations

from fluxd.consensus.arith import set_compact
from fluxd.consensus.difficulty import median_time_past
from fluxd.consensus.sigops import MAX_BLOCK_SIGOPS
from fluxd.chainstate.fluxnodes.attach import tip_payees
from fluxd.core.address import script_to_address
from fluxd.consensus.coinbase import required_outputs
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.rpc.block_assembler import AssemblerSettings, BlockTemplate, update_time
from fluxd.rpc.block_validity import check_block_validity
from fluxd.rpc.errors import (
    RPC_CLIENT_NOT_CONNECTED,
    RPC_INVALID_PARAMETER,
    RPC_METHOD_NOT_FOUND,
    RPC_MISC_ERROR,
    RPC_TYPE_ERROR,
    RPCError,
)
from fluxd.rpc.longpoll import parse_longpollid, wait_for_change
from fluxd.rpc.methods.mining import assemble, decode_block, duplicate_status, mining_script
from fluxd.rpc.params import check_count
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.template_cache import TemplateCache
from fluxd.rpc.tx_selection import MAX_BLOCK_SIZE
from fluxd.util.hexutil import rev_to_hum

TEMPLATE_REFRESH_SECONDS = 5
MUTABLE = ("time", "transactions", "prevblock")
NONCE_RANGE = "00000000ffffffff"
GETBLOCKTEMPLATE_HELP = """getblocktemplate ( "jsonrequestobject" )

If the request parameters include a 'mode' key, that is used to explicitly select between the default 'template' request or a 'proposal'.
It returns data needed to construct a block to work on.
See https://en.bitcoin.it/wiki/BIP_0022 for full specification.

Arguments:
1. "jsonrequestobject"       (string, optional) A json object in the following spec
     {
       "mode":"template"    (string, optional) This must be set to "template" or omitted
       "capabilities":[       (array, optional) A list of strings
           "support"           (string) client side supported feature, 'longpoll', 'coinbasetxn', 'coinbasevalue', 'proposal', 'serverlist', 'workid'
           ,...
         ]
     }


Result:
{
  "version" : n,                     (numeric) The block version
  "previousblockhash" : "xxxx",    (string) The hash of current highest block
  "finalsaplingroothash" : "xxxx", (string) The hash of the final sapling root
  "transactions" : [                 (array) contents of non-coinbase transactions that should be included in the next block
      {
         "data" : "xxxx",          (string) transaction data encoded in hexadecimal (byte-for-byte)
         "hash" : "xxxx",          (string) hash/id encoded in little-endian hexadecimal
         "depends" : [              (array) array of numbers 
             n                        (numeric) transactions before this one (by 1-based index in 'transactions' list) that must be present in the final block if this one is
             ,...
         ],
         "fee": n,                   (numeric) difference in value between transaction inputs and outputs (in Satoshis); for coinbase transactions, this is a negative Number of the total collected block fees (ie, not including the block subsidy); if key is not present, fee is unknown and clients MUST NOT assume there isn't one
         "sigops" : n,               (numeric) total number of SigOps, as counted for purposes of block limits; if key is not present, sigop count is unknown and clients MUST NOT assume there aren't any
         "required" : true|false     (boolean) if provided and true, this transaction must be in the final block
      }
      ,...
  ],
  "coinbasetxn" : { ... },           (json object) information for coinbase transaction
  "target" : "xxxx",               (string) The hash target
  "mintime" : xxx,                   (numeric) The minimum timestamp appropriate for next block time in seconds since epoch (Jan 1 1970 GMT)
  "mutable" : [                      (array of string) list of ways the block template may be changed 
     "value"                         (string) A way the block template may be changed, e.g. 'time', 'transactions', 'prevblock'
     ,...
  ],
  "noncerange" : "00000000ffffffff",   (string) A range of valid nonces
  "sigoplimit" : n,                 (numeric) limit of sigops in blocks
  "sizelimit" : n,                  (numeric) limit of block size
  "curtime" : ttt,                  (numeric) current timestamp in seconds since epoch (Jan 1 1970 GMT)
  "bits" : "xxx",                 (string) compressed target of next block
  "height" : n                      (numeric) The height of the next block
}

Examples:
> flux-cli getblocktemplate 
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getblocktemplate", "params": [] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""


class RepeatedKeys(dict):
    """A JSON object written with its pairs in order, repeats included (UniValue::pushKV appends)."""

    def __init__(self, pairs: list[tuple[str, object]]) -> None:
        super().__init__(pairs)
        self._pairs = list(pairs)

    def items(self):
        return list(self._pairs)


def transactions_updated(node) -> int:
    mempool = node.mempool
    return mempool.transactions_updated if mempool is not None else 0


def rpc_getblocktemplate(node, params):
    check_count(params, 0, 1, GETBLOCKTEMPLATE_HELP)
    if not node.args.get("-mineraddress") and node.wallet is None:
        raise RPCError(RPC_METHOD_NOT_FOUND, "Wallet disabled and -mineraddress not set")
    mode, longpollid, request = _read_request(params)
    if mode == "proposal":
        return _proposal(node, request)
    if mode != "template":
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid mode")
    if node.connman is None or not node.connman.peers:
        raise RPCError(RPC_CLIENT_NOT_CONNECTED, "Flux is not connected!")
    cache = node.template_cache
    if longpollid is not None:
        watched, updated_last = parse_longpollid(longpollid, node.chainstate.tip.hash_rev, cache.updated_last)
        wait_for_change(node, watched, updated_last, lambda: transactions_updated(node))
    with cache.lock:
        template = _current_template(node, cache)
        update_time(template, node.params, node.clock.now())
        return template_json(node, template, cache.updated_last)


def _read_request(params: list) -> tuple[str, object, dict]:
    if not params:
        return "template", None, {}
    request = params[0]
    if not isinstance(request, dict):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an object as expected")
    mode = request.get("mode")
    if mode is None:
        mode = "template"
    elif type(mode) is not str:
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid mode")
    return mode, request.get("longpollid"), request


def _proposal(node, request: dict):
    """BIP 22 proposal: null when the block would be valid on the tip, else why not."""
    data = request.get("data")
    if type(data) is not str:
        raise RPCError(RPC_TYPE_ERROR, "Missing data String key for proposal")
    block = decode_block(data)
    return node.chainstate.run_command(_check_proposal, node.chainstate, block)


def _check_proposal(chainstate, block):
    """A chain-writer command: TestBlockValidity on the tip, which does not move meanwhile."""
    known = chainstate.view().lookup(block.hash_rev)
    if known is not None:
        return duplicate_status(known) or "duplicate-inconclusive"
    if block.header.prev_block_rev != chainstate.tip.hash_rev:
        return "inconclusive-not-best-prevblk"
    try:
        check_block_validity(chainstate, block, check_pow=False, check_merkle_root=True, check_pon_signature=True)
    except ValidationError as failure:
        return failure.reason or "rejected"
    return None


def _current_template(node, cache: TemplateCache) -> BlockTemplate:
    tip, now = node.chainstate.tip, node.clock.now()
    updated = transactions_updated(node)
    stale = updated != cache.updated_last and now - cache.start > TEMPLATE_REFRESH_SECONDS
    if cache.template is None or cache.prev != tip or stale:
        cache.prev = None  # a failure below leaves the next call to build afresh
        cache.updated_last = updated
        cache.start = now
        script = mining_script(node)
        cache.template = assemble(node, script, AssemblerSettings.from_args(node.args, node.params))
        cache.prev = cache.template.prev
    return cache.template


def _transaction_json(tx, template: BlockTemplate, index: int, positions: dict[bytes, int]) -> dict:
    depends = [positions[txin.prevout.txid_rev] for txin in tx.vin if txin.prevout.txid_rev in positions]
    entry = {
        "data": tx.to_bytes().hex(),
        "hash": tx.txid_hum,
        "depends": depends,
        "fee": template.fees[index],
        "sigops": template.sigops[index],
    }
    if tx.is_coinbase():
        entry["required"] = True
    return entry


def template_json(node, template: BlockTemplate, updated_last: int) -> RepeatedKeys:
    block: Block = template.block
    header, prev = block.header, template.prev
    positions: dict[bytes, int] = {}
    entries = []
    for index, tx in enumerate(block.transactions):
        positions[tx.txid_rev] = index
        entries.append(_transaction_json(tx, template, index, positions))
    pairs = [
        ("capabilities", ["proposal"]),
        ("version", header.version),
        ("previousblockhash", rev_to_hum(header.prev_block_rev)),
        ("finalsaplingroothash", rev_to_hum(header.final_sapling_root_rev)),
        ("transactions", entries[1:]),
        ("coinbasetxn", entries[0]),
        ("longpollid", node.chainstate.tip.hash_hum + str(updated_last)),
        ("target", f"{set_compact(header.bits).target:064x}"),
        ("mintime", median_time_past(prev) + 1),
        ("mutable", list(MUTABLE)),
        ("noncerange", NONCE_RANGE),
        ("sigoplimit", MAX_BLOCK_SIGOPS),
        ("sizelimit", MAX_BLOCK_SIZE),
        ("curtime", header.time),
        ("bits", f"{header.bits:08x}"),
        ("height", prev.height + 1),
        ("miner_reward", block.transactions[0].vout[0].value),
    ]
    pairs += _fluxnode_payout_fields(node, prev.height + 1)
    for output in required_outputs(node.params, prev.height + 1).funding:
        pairs += [("flux_creation_address", output.address), ("flux_creation_amount", output.amount)]
    return RepeatedKeys(pairs)


TIER_FIELD_NAMES = {1: ("basic", "cumulus"), 2: ("super", "nimbus"), 3: ("bamf", "stratus")}


def _fluxnode_payout_fields(node, height: int) -> list[tuple[str, object]]:
    """C++ getblocktemplate: per payee tier, the fluxnode name pair, then the legacy zelnode names (pools read them)."""
    pairs: list[tuple[str, object]] = []
    for tier, script, amount in tip_payees(node.chainstate, height):
        legacy, name = TIER_FIELD_NAMES[tier]
        address = script_to_address(script, node.params.base58)
        for prefix, kind in ((name, "fluxnode"), (legacy, "zelnode"), (name, "zelnode")):
            pairs += [(f"{prefix}_{kind}_address", address), (f"{prefix}_{kind}_payout", amount)]
    return pairs


def register(table: RPCTable) -> None:
    table.register("getblocktemplate", "mining", rpc_getblocktemplate, GETBLOCKTEMPLATE_HELP)
