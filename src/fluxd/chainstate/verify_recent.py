"""verifychain's block pass: re-read the last blocks, run CheckBlock as from the database, and find their undo."""

from __future__ import annotations

import logging

from fluxd.consensus.block_check import check_block
from fluxd.consensus.validation import ValidationError
from fluxd.storage.kv import StorageError

log = logging.getLogger("fluxd.chainstate")


def verify_recent_blocks(chainstate, depth: int) -> bool:
    """False (with the reason in debug.log) at the first of the last ``depth`` blocks that fails."""
    active = chainstate.active
    for entry in reversed(active.slice(max(1, len(active) - depth))):
        try:
            block = chainstate.read_block(entry)
            check_block(chainstate.params, block, chainstate.now() + 7200, chainstate.height, check_pow=True,
                        keys=chainstate.fluxnodes, verifying_from_db=True)  # fmt: skip
            if block.hash_rev != entry.hash_rev or chainstate.read_undo(entry.hash_rev) is None:
                what = "the stored block has another hash" if block.hash_rev != entry.hash_rev else "undo data missing"
                log.error("verifychain: block %s at height %d failed: %s", entry.hash_hum, entry.height, what)
                return False
        except (ValidationError, StorageError, ValueError) as failure:
            log.error("verifychain: block %s at height %d failed: %s", entry.hash_hum, entry.height, failure)
            return False
    return True
