"""Blockchain RPCs (C++ rpc/blockchain.cpp): counts, hashes, headers, blocks, difficulty, chain info."""

from __future__ import annotations

import re

from fluxd.consensus.arith import get_compact
from fluxd.consensus.difficulty import next_work_required
from fluxd.params.upgrades import UPGRADE_INFO, Upgrade, UpgradeState, current_epoch_branch_id, upgrade_state
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPCError
from fluxd.rpc import shielded_json
from fluxd.rpc.chain_info import size_on_disk, softforks_json, verification_progress
from fluxd.rpc.params import check_count, get_bool, get_int, get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.chainstate.utxo_stats import utxo_stats
from fluxd.core.amount import amount_to_decimal
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.pool import MEMPOOL_HEIGHT
from fluxd.rpc.tx_json import script_pubkey_json
from fluxd.rpc.insight import spent_lookup
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RawNumber

GETBLOCKCOUNT_HELP = """getblockcount

Returns the number of blocks in the best valid block chain.

Result:
n    (numeric) The current block count
"""
GETBESTBLOCKHASH_HELP = """getbestblockhash

Returns the hash of the best (tip) block in the longest block chain.

Result
"hex"      (string) the block hash hex encoded
"""
GETBLOCKHASH_HELP = """getblockhash index

Returns hash of block in best-block-chain at index provided.

Arguments:
1. index         (numeric, required) The block index

Result:
"hash"         (string) The block hash
"""
GETBLOCKHEADER_HELP = """getblockheader "hash" ( verbose )

If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.
If verbose is true, returns an Object with information about blockheader <hash>.

Arguments:
1. "hash"          (string, required) The block hash
2. verbose           (boolean, optional, default=true) true for a json object, false for the hex encoded data
"""
GETBLOCK_HELP = """getblock "hash|height" ( verbosity )

If verbosity is 0, returns a string that is serialized, hex-encoded data for the block.
If verbosity is 1, returns an Object with information about the block.
If verbosity is 2, returns an Object with information about the block and information about each transaction. 

Arguments:
1. "hash|height"          (string, required) The block hash or height
2. verbosity              (numeric, optional, default=1) 0 for hex encoded data, 1 for a json object, and 2 for json object with transaction data
"""
GETDIFFICULTY_HELP = """getdifficulty

Returns the proof-of-work difficulty as a multiple of the minimum difficulty.

Result:
n.nnn       (numeric) the proof-of-work difficulty as a multiple of the minimum difficulty.
"""
GETBLOCKCHAININFO_HELP = """getblockchaininfo
Returns an object containing various state info regarding block chain processing.
"""
INVALIDATEBLOCK_HELP = """invalidateblock "hash"

Permanently marks a block as invalid, as if it violated a consensus rule.

Arguments:
1. hash   (string, required) the hash of the block to mark as invalid
"""
RECONSIDERBLOCK_HELP = """reconsiderblock "hash"

Removes invalidity status of a block and its descendants, reconsider them for activation.
This can be used to undo the effects of invalidateblock.

Arguments:
1. hash   (string, required) the hash of the block to reconsider
"""


def difficulty_from_bits(params, bits: int) -> float:
    """GetDifficultyINTERNAL: the pow limit's mantissa over these bits', shifted by whole bytes."""
    limit = get_compact(params.pow_limit)
    shift, limit_shift = (bits >> 24) & 0xFF, (limit >> 24) & 0xFF
    mantissa = bits & 0x00FFFFFF
    difficulty = (limit & 0x00FFFFFF) / mantissa if mantissa else float("inf")
    while shift < limit_shift:
        difficulty *= 256.0
        shift += 1
    while shift > limit_shift:
        difficulty /= 256.0
        shift -= 1
    return difficulty


def network_difficulty(node, tip=None) -> float:
    """GetNetworkDifficulty: the difficulty of the bits the next block must carry."""
    tip = tip or node.chainstate.view().tip
    return difficulty_from_bits(node.params, next_work_required(node.params, tip, None))


def _confirmations(view, entry) -> int:
    return view.height - entry.height + 1 if view.contains(entry) else -1


def _type_fields(header) -> dict:
    if header.is_pon:
        return {"type": "PON", "collateral": header.collateral.short_str(), "blocksig": header.block_sig.hex()}
    return {"type": "POW", "nonce": rev_to_hum(header.nonce_rev), "solution": header.solution.hex()}


def _links(view, entry, result: dict) -> dict:
    if entry.prev is not None:
        result["previousblockhash"] = entry.prev.hash_hum
    following = view.at(entry.height + 1)
    if following is not None and view.contains(entry):
        result["nextblockhash"] = following.hash_hum
    return result


def header_json(node, entry, view=None) -> dict:
    """getblockheader's object; ``view``: the chain view the request answers from (default: the latest)."""
    view, header = view or node.chainstate.view(), entry.header
    result = {
        "hash": entry.hash_hum,
        "confirmations": _confirmations(view, entry),
        "height": entry.height,
        "version": header.version,
        "merkleroot": rev_to_hum(header.merkle_root_rev),
        "finalsaplingroot": rev_to_hum(header.final_sapling_root_rev),
        "time": header.time,
        **_type_fields(header),
        "bits": f"{header.bits:08x}",
        "difficulty": difficulty_from_bits(node.params, header.bits),
        "chainwork": f"{entry.chainwork:064x}",
    }
    return _links(view, entry, result)


def block_json(node, entry, block, tx_details: bool, view=None) -> dict:
    view, header = view or node.chainstate.view(), block.header
    spent = spent_lookup(node) if tx_details else None  # C++ TxToJSON adds the -spentindex fields
    txs = [tx_to_json(tx, node.params.base58, spent=spent) if tx_details else tx.txid_hum for tx in block.transactions]
    result = {
        "hash": block.hash_hum,
        "confirmations": _confirmations(view, entry),
        "size": len(block.to_bytes()),
        "height": entry.height,
        "version": header.version,
        "merkleroot": rev_to_hum(header.merkle_root_rev),
        "finalsaplingroot": rev_to_hum(header.final_sapling_root_rev),
        "tx": txs,
        "time": header.time,
        **_type_fields(header),
        "bits": f"{header.bits:08x}",
        "difficulty": difficulty_from_bits(node.params, header.bits),
        "chainwork": f"{entry.chainwork:064x}",
        **shielded_json.block_fields(node, entry, block),
    }
    return _links(view, entry, result)


def _entry_by_hash(node, value, view=None):
    entry = (view or node.chainstate.view()).lookup(uint256_from_text(get_str(value)))  # C++ uint256S(params[0].get_str()), no hex check
    if entry is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
    return entry


def rpc_getblockcount(node, params):
    check_count(params, 0, 0, GETBLOCKCOUNT_HELP)
    return node.chainstate.view().height


def rpc_getbestblockhash(node, params):
    check_count(params, 0, 0, GETBESTBLOCKHASH_HELP)
    return node.chainstate.view().tip.hash_hum


def rpc_getblockhash(node, params):
    check_count(params, 1, 1, GETBLOCKHASH_HELP)
    entry = node.chainstate.view().at(get_int(params[0]))
    if entry is None:
        raise RPCError(RPC_INVALID_PARAMETER, "Block height out of range")
    return entry.hash_hum


def rpc_getblockheader(node, params):
    check_count(params, 1, 2, GETBLOCKHEADER_HELP)
    verbose = get_bool(params[1]) if len(params) > 1 else True
    view = node.chainstate.view()
    entry = _entry_by_hash(node, params[0], view)
    return header_json(node, entry, view) if verbose else entry.header.to_bytes().hex()


def rpc_getblock(node, params):
    check_count(params, 1, 2, GETBLOCK_HELP)
    text = get_str(params[0])
    view = node.chainstate.view()
    if len(text) < 64:
        if not re.fullmatch(r"[0-9]+", text):
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid block height parameter")
        height = int(text)
        if height > 2**31 - 1:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid block height parameter")
        entry = view.at(height)
        if entry is None:
            raise RPCError(RPC_INVALID_PARAMETER, "Block height out of range")
    else:
        entry = view.lookup(bytes.fromhex(text[:64])[::-1]) if re.fullmatch(r"[0-9a-fA-F]{64}", text) else None
    verbosity = 1
    if len(params) > 1:
        is_number = isinstance(params[1], (int, RawNumber)) and not isinstance(params[1], bool)
        verbosity = get_int(params[1]) if is_number else (1 if get_bool(params[1]) else 0)  # C++ isNum() ? get_int : get_bool
    if not 0 <= verbosity <= 2:
        raise RPCError(RPC_INVALID_PARAMETER, "Verbosity must be in range from 0 to 2")
    if entry is None or not entry.have_data():
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
    block = node.chainstate.read_block(entry)
    if verbosity == 0:
        return block.to_bytes().hex()
    return block_json(node, entry, block, verbosity == 2, view)


def rpc_getdifficulty(node, params):
    """C++ getdifficulty answers GetNetworkDifficulty (the next block's bits), as getblockchaininfo and getmininginfo do."""
    check_count(params, 0, 0, GETDIFFICULTY_HELP)
    return network_difficulty(node)


def _upgrades_json(node, height: int) -> dict:
    upgrades = {}
    for upgrade in list(Upgrade)[1:]:
        state = upgrade_state(node.params, height, upgrade)
        if state is UpgradeState.DISABLED:
            continue
        info = UPGRADE_INFO[upgrade]
        upgrades[f"{info.branch_id:08x}"] = {
            "name": info.name,
            "activationheight": node.params.activation_height(upgrade),
            "status": "active" if state is UpgradeState.ACTIVE else "pending",
            "info": info.info,
        }
    return upgrades


def rpc_getblockchaininfo(node, params):
    check_count(params, 0, 0, GETBLOCKCHAININFO_HELP)
    chainstate = node.chainstate
    view = chainstate.view()
    tip = view.tip
    return {
        "chain": node.params.network_id,
        "blocks": view.height,
        "headers": view.most_work_header.height,
        "bestblockhash": tip.hash_hum,
        "difficulty": network_difficulty(node, tip),
        "verificationprogress": verification_progress(node.params.checkpoints, tip),
        "chainwork": f"{tip.chainwork:064x}",
        "pruned": False,
        "size_on_disk": size_on_disk(chainstate.block_files),
        **shielded_json.chain_fields(node, tip),
        "softforks": softforks_json(node.params, tip),
        "upgrades": _upgrades_json(node, tip.height),
        "consensus": {
            "chaintip": f"{current_epoch_branch_id(node.params, tip.height):08x}",
            "nextblock": f"{current_epoch_branch_id(node.params, tip.height + 1):08x}",
        },
    }


def rpc_invalidateblock(node, params):
    check_count(params, 1, 1, INVALIDATEBLOCK_HELP)
    node.chainstate.invalidate_block(_entry_by_hash(node, params[0]))
    return None


def rpc_reconsiderblock(node, params):
    check_count(params, 1, 1, RECONSIDERBLOCK_HELP)
    node.chainstate.reconsider_block(_entry_by_hash(node, params[0]))
    return None


def register(table: RPCTable) -> None:
    table.register("getblockcount", "blockchain", rpc_getblockcount, GETBLOCKCOUNT_HELP)
    table.register("getbestblockhash", "blockchain", rpc_getbestblockhash, GETBESTBLOCKHASH_HELP)
    table.register("getblockhash", "blockchain", rpc_getblockhash, GETBLOCKHASH_HELP)
    table.register("getblockheader", "blockchain", rpc_getblockheader, GETBLOCKHEADER_HELP)
    table.register("getblock", "blockchain", rpc_getblock, GETBLOCK_HELP)
    table.register("getdifficulty", "blockchain", rpc_getdifficulty, GETDIFFICULTY_HELP)
    table.register("getblockchaininfo", "blockchain", rpc_getblockchaininfo, GETBLOCKCHAININFO_HELP)
    table.register("invalidateblock", "blockchain", rpc_invalidateblock, INVALIDATEBLOCK_HELP)
    table.register("reconsiderblock", "blockchain", rpc_reconsiderblock, RECONSIDERBLOCK_HELP)
    register_gettxout(table)
    register_tips(table)
    register_utxo_stats(table)



GETTXOUT_HELP = """gettxout "txid" n ( includemempool )

Returns details about an unspent transaction output.

Arguments:
1. "txid"       (string, required) The transaction id
2. n              (numeric, required) vout value
3. includemempool  (boolean, optional) Whether to include the mempool
"""


def rpc_gettxout(node, params):
    """gettxout: the chain's coins, seen through the mempool by default (C++ CCoinsViewMemPool + pruneSpent)."""
    check_count(params, 2, 3, GETTXOUT_HELP)
    text = get_str(params[0])
    index = get_int(params[1])
    include_mempool = get_bool(params[2]) if len(params) > 2 else True
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text) or index < 0:
        return None
    chainstate = node.chainstate
    outpoint = OutPoint(bytes.fromhex(text)[::-1], index)
    view = chainstate.view()
    pool = node.mempool if include_mempool else None
    coin = None
    if pool is not None:
        with pool.lock:
            if outpoint in pool.spent_by:
                return None
            coin = pool.output_coin(outpoint)
    if coin is None:
        coin, view = chainstate.get_coin_at_tip(outpoint)  # the coin and the view of the tip it was read at
    if coin is None:
        return None
    tip = view.tip
    confirmations = 0 if coin.height == MEMPOOL_HEIGHT else tip.height - coin.height + 1
    return {
        "bestblock": tip.hash_hum,
        "confirmations": confirmations,
        "value": amount_to_decimal(coin.value),
        "scriptPubKey": script_pubkey_json(coin.script_pubkey, node.params.base58),
        "version": coin.tx_version,
        "coinbase": coin.is_coinbase,
    }


def register_gettxout(table: RPCTable) -> None:
    table.register("gettxout", "blockchain", rpc_gettxout, GETTXOUT_HELP)


GETCHAINTIPS_HELP = """getchaintips ( blockheight )
Return information about all known tips in the block tree, including the main chain as well as orphaned branches.

Arguments:
1. blockheight   (numeric, optional) only show tips at or above this height
"""
VERIFYCHAIN_HELP = """verifychain ( checklevel numblocks )

Verifies blockchain database.

Arguments:
1. checklevel   (numeric, optional, 0-4, default=3) How thorough the block verification is.
2. numblocks    (numeric, optional, default=288, 0=all) The number of blocks to check.

Result:
true|false       (boolean) Verified or not
"""


def _tip_status(view, entry) -> str:
    if view.contains(entry):
        return "active"
    if entry.status & 96:
        return "invalid"
    if entry.chain_tx_count == 0:
        return "headers-only"
    if entry.is_valid(5):
        return "valid-fork"
    if entry.is_valid(2):
        return "valid-headers"
    return "unknown"


def rpc_getchaintips(node, params):
    check_count(params, 0, 1, GETCHAINTIPS_HELP)
    view = node.chainstate.view()
    min_height = 0
    if params:
        requested = get_int(params[0])
        min_height = requested if 0 <= requested <= view.height else 0
    return [
        {
            "height": entry.height,
            "hash": entry.hash_hum,
            "branchlen": entry.height - view.fork_point(entry).height,
            "status": _tip_status(view, entry),
        }
        for entry in view.tips(min_height)
    ]


def rpc_verifychain(node, params):
    check_count(params, 0, 2, VERIFYCHAIN_HELP)
    if params:
        get_int(params[0])
    depth = get_int(params[1]) if len(params) > 1 else 288
    return node.chainstate.verify_recent(depth if depth > 0 else node.chainstate.height)


def register_tips(table: RPCTable) -> None:
    table.register("getchaintips", "blockchain", rpc_getchaintips, GETCHAINTIPS_HELP)
    table.register("verifychain", "blockchain", rpc_verifychain, VERIFYCHAIN_HELP)


GETTXOUTSETINFO_HELP = """gettxoutsetinfo

Returns statistics about the unspent transaction output set.
Note this call may take some time.
"""


def rpc_gettxoutsetinfo(node, params):
    check_count(params, 0, 0, GETTXOUTSETINFO_HELP)
    chainstate = node.chainstate
    tip, snapshot = chainstate.run_command(lambda: (chainstate.tip, chainstate.store.snapshot()))  # flushed first
    stats = utxo_stats(snapshot, tip.hash_rev, tip.height)
    return {
        "height": stats.height,
        "bestblock": rev_to_hum(stats.best_block_rev),
        "transactions": stats.transactions,
        "txouts": stats.txouts,
        "bytes_serialized": stats.bytes_serialized,
        "hash_serialized": rev_to_hum(stats.hash_serialized_rev),
        "total_amount": amount_to_decimal(stats.total_amount),
    }


def register_utxo_stats(table: RPCTable) -> None:
    table.register("gettxoutsetinfo", "blockchain", rpc_gettxoutsetinfo, GETTXOUTSETINFO_HELP)
