"""The C++ debug strings of blocks and transactions (CBlock/CTransaction/CTxIn/CTxOut::ToString).

decoderawblock returns ``CBlock::ToString()``; the text is kept byte for
byte, truncated hashes and scripts included.
"""

from __future__ import annotations

from fluxd.core.block import Block
from fluxd.core.fluxnode_tx import FLUXNODE_TX_VERSION
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import SEQUENCE_FINAL, TxIn, TxOut
from fluxd.util.hexutil import rev_to_hum

COIN = 100_000_000
SAPLING_MIN_TX_VERSION = 4


def txout_to_string(txout: TxOut) -> str:
    """CTxOut::ToString: C++ integer division and remainder truncate toward zero."""
    value = txout.value
    whole, part = abs(value) // COIN, abs(value) % COIN
    if value < 0:
        whole, part = -whole, -part
    return f"CTxOut(nValue={whole}.{part:08d}, scriptPubKey={txout.script_pubkey.hex()[:30]})"


def txin_to_string(txin: TxIn) -> str:
    text = "CTxIn(" + txin.prevout.short_str()
    if txin.prevout.is_null():
        text += f", coinbase {txin.script_sig.hex()}"
    else:
        text += f", scriptSig={txin.script_sig.hex()[:24]}"
    if txin.sequence != SEQUENCE_FINAL:
        text += f", nSequence={txin.sequence}"
    return text + ")"


def _tx_head(tx: Transaction) -> str:
    short = tx.txid_hum[:10]
    counts = f"vin.size={len(tx.vin)}, vout.size={len(tx.vout)}, nLockTime={tx.lock_time}"
    if not tx.overwintered:
        return f"CTransaction(hash={short}, ver={tx.version}, {counts})\n"
    head = f"CTransaction(hash={short}, ver={tx.version}, fOverwintered=1, nVersionGroupId={tx.version_group_id:08x}, {counts}, nExpiryHeight={tx.expiry_height}"
    if tx.version >= SAPLING_MIN_TX_VERSION:
        shielded = f", vShieldedSpend.size={len(tx.shielded_spends)}, vShieldedOutput.size={len(tx.shielded_outputs)}"
        return head + f", valueBalance={tx.value_balance}{shielded})\n"
    return head + ")\n"


def tx_to_string(tx: Transaction) -> str:
    """CTransaction::ToString (a v5 fluxnode transaction: one line with its nType)."""
    if tx.version == FLUXNODE_TX_VERSION and not tx.overwintered:
        return f"CTransaction(hash={tx.txid_hum[:10]}, ver={tx.version}, type={tx.fluxnode.n_type})\n"
    lines = [_tx_head(tx)]
    lines += ["    " + txin_to_string(txin) + "\n" for txin in tx.vin]
    lines += ["    " + txout_to_string(txout) + "\n" for txout in tx.vout]
    return "".join(lines)


def block_to_string(block: Block) -> str:
    """CBlock::ToString of a freshly decoded block (its in-memory merkle tree not built: an empty list)."""
    header = block.header
    text = (
        f"CBlock(hash={header.hash_hum}, ver={header.version}, hashPrevBlock={rev_to_hum(header.prev_block_rev)}, "
        f"hashMerkleRoot={rev_to_hum(header.merkle_root_rev)}, hashFinalSaplingRoot={rev_to_hum(header.final_sapling_root_rev)}, "
        f"nTime={header.time}, nBits={header.bits:08x}, nNonce={rev_to_hum(header.nonce_rev)}, "
        f"nSolution={header.solution.hex()}, vtx={len(block.transactions)})\n"
    )
    text += "".join(f"  {tx_to_string(tx)}\n" for tx in block.transactions)
    return text + "  vMerkleTree: \n"
