"""Start-up verification of the top of the active chain (C++ CVerifyDB::VerifyDB, -checkblocks / -checklevel).

Levels: 0 read each block, 1 check it, 2 check its undo data (these three are
``Chainstate.verify_recent``), 3 disconnect the blocks from the tip down in a
memory-only coins view and look for inconsistencies, 4 connect them again.
"""

from __future__ import annotations

import logging

from fluxd.chainstate.block_index import BlockIndexEntry
from fluxd.chainstate.chainstate import Chainstate
from fluxd.chainstate.coins import CoinsCache
from fluxd.chainstate.connect import connect_transactions, disconnect_transactions
from fluxd.chainstate.undo import BlockUndo
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.core.tx_parts import OutPoint
from fluxd.storage.block_files import BlockFileError
from fluxd.storage.kv import StorageError

log = logging.getLogger("fluxd.chainstate")
DEFAULT_CHECKBLOCKS = 288
DEFAULT_CHECKLEVEL = 3
COINS_VIEW_LIMIT = 256 * 1024 * 1024  # C++ stops the level-3 disconnects once the cache outgrows nCoinCacheUsage


class VerifyFailure(Exception):
    pass


def verify_db(chainstate: Chainstate, level: int = DEFAULT_CHECKLEVEL, depth: int = DEFAULT_CHECKBLOCKS) -> bool:
    """True when the last ``depth`` blocks (0 = all) pass every check up to ``level`` (clamped to 0..4)."""
    return chainstate.run_command(_verify_db, chainstate, level, depth)


def _verify_db(chainstate: Chainstate, level: int, depth: int) -> bool:
    if chainstate.height <= 0:
        return True
    depth = chainstate.height if depth <= 0 or depth > chainstate.height else depth
    level = max(0, min(4, level))
    log.info("Verifying last %d blocks at level %d", depth, level)
    try:
        if not chainstate.verify_recent(depth):
            return False
    except BlockFileError as failure:  # a block file that is missing or cut short
        log.error("VerifyDB(): *** ReadBlockFromDisk failed: %s", failure)
        return False
    if level < 3:
        return True
    try:
        coins, lowest, transactions = _disconnect_in_memory(chainstate, depth)
        if level >= 4:
            _reconnect_in_memory(chainstate, coins, lowest)
    except VerifyFailure as failure:
        log.error("VerifyDB(): *** %s", failure)
        return False
    log.info("No coin database inconsistencies in last %d blocks (%d transactions)", chainstate.height - lowest.height, transactions)
    return True


def _disconnect_in_memory(chainstate: Chainstate, depth: int) -> tuple[CoinsCache, BlockIndexEntry, int]:
    """Level 3: undo the top blocks in a coins view over the database; the lowest state reached and tx count."""
    coins = CoinsCache(chainstate.get_coin)
    state = chainstate.tip
    transactions = 0
    while state.height > chainstate.height - depth and state.height > 0 and coins.memory_usage <= COINS_VIEW_LIMIT:
        block = _read(chainstate, state)
        missing = _missing_outputs(block, coins)
        if missing:
            raise VerifyFailure(f"coin database inconsistencies found at {state.height} (block {state.hash_hum}: {missing})")
        undo_bytes = chainstate.read_undo(state.hash_rev)
        try:
            disconnect_transactions(block, BlockUndo.from_bytes(undo_bytes or b""), coins)
        except ValueError as failure:
            raise VerifyFailure(f"irrecoverable inconsistency in block data at {state.height}, hash={state.hash_hum}: {failure}") from None
        transactions += len(block.transactions)
        state = state.prev
    return coins, state, transactions


def _missing_outputs(block: Block, coins: CoinsCache) -> str:
    """The first output of ``block`` not in the coins view (C++ DisconnectBlock: 'outputs still spent?').

    An output a later transaction of the same block spends is not in the view either: C++ checks each
    transaction after undoing the ones after it, which puts such an output back first."""
    spent_here = {txin.prevout for tx in block.transactions if not tx.is_coinbase() for txin in tx.vin}
    for tx in block.transactions:
        for index, output in enumerate(tx.vout):
            outpoint = OutPoint(tx.txid_rev, index)
            coin = coins.get_coin(outpoint)
            if coin is None and outpoint not in spent_here and not output.script_pubkey.startswith(b"\x6a"):
                return f"output {tx.txid_hum}:{index} missing"
            if coin is not None and (coin.value != output.value or coin.script_pubkey != output.script_pubkey):
                return f"output {tx.txid_hum}:{index} differs"
    return ""


def _reconnect_in_memory(chainstate: Chainstate, coins: CoinsCache, lowest: BlockIndexEntry) -> None:
    """Level 4: connect the disconnected blocks again on the same view."""
    for height in range(lowest.height + 1, chainstate.height + 1):
        entry = chainstate.active[height]
        try:
            verify = height > chainstate.params.checkpoints.last_height
            connect_transactions(chainstate.params, _read(chainstate, entry), height, coins, verify, chainstate.verifier)
        except ValidationError as failure:
            raise VerifyFailure(f"found unconnectable block at {height}, hash={entry.hash_hum}: {failure.reason}") from None


def _read(chainstate: Chainstate, entry: BlockIndexEntry) -> Block:
    try:
        return chainstate.read_block(entry)
    except (BlockFileError, StorageError, ValueError) as failure:
        raise VerifyFailure(f"ReadBlockFromDisk failed at {entry.height}, hash={entry.hash_hum}: {failure}") from None
