"""Finding a transaction by id (C++ GetTransaction without the mempool): the transaction index, or the slow path.

With -txindex the index names the block and position.  Without it, as C++'s
fAllowSlow path, the block at the height of one of the transaction's unspent
outputs is read (so a fully spent confirmed transaction is not found).
"""

from __future__ import annotations

from fluxd.chainstate import txindex_module


def find_transaction(chainstate, txid_rev: bytes):
    """(transaction, block index entry), or None."""
    if not chainstate.txindex:
        return _find_by_coins(chainstate, txid_rev)
    found = txindex_module.lookup(chainstate.state_reader(), txid_rev)
    if found is None:
        return None
    block_hash_rev, position = found
    entry = chainstate.index.get(block_hash_rev)
    if entry is None or not entry.have_data():
        return None
    block = chainstate.read_block(entry)
    if position >= len(block.transactions):
        return None
    return block.transactions[position], entry


def _find_by_coins(chainstate, txid_rev: bytes):
    height = chainstate.unspent_output_height(txid_rev)
    entry = chainstate.entry_at(height) if height is not None and height > 0 else None  # C++: nHeight > 0
    if entry is None:
        return None
    for tx in chainstate.read_block(entry).transactions:
        if tx.txid_rev == txid_rev:
            return tx, entry
    return None
