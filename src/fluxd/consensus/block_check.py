"""Block and header checks (C++ main.cpp CheckBlockHeader, CheckBlock, ContextualCheckBlockHeader).

Every failure raises ValidationError with the C++ reject reason and DoS score.
The PoN rules themselves (slot, stake target, minter signature, emergency
quorum) live in ``pon.py`` and ``emergency.py``; this module applies them in
the C++ order.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxd.consensus.arith import check_proof_of_work
from fluxd.consensus.difficulty import ChainEntry, diffbits_reason, pon_era_reason, time_too_old_reason
from fluxd.consensus.equihash import check_equihash_solution
from fluxd.consensus.fluxnode_sigs import FluxnodeKeys
from fluxd.consensus.emergency import is_emergency_block
from fluxd.consensus.equihash_epochs import solution_size_allowed
from fluxd.consensus.pon import (
    FluxnodeKeys,
    PonCheckFailed,
    check_proof_of_node,
    contextual_check_pon_header,
    header_pon_hash,
)
from fluxd.consensus.sigops import MAX_BLOCK_SIGOPS, legacy_sigop_count
from fluxd.consensus.tx_check import check_transaction
from fluxd.consensus.validation import REJECT_OBSOLETE, ValidationError, reject
from fluxd.core.block import Block, BlockHeader
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active

MIN_BLOCK_VERSION = 4
MAX_BLOCK_SIZE = 2_000_000
MAX_BLOCK_SIG_SIZE = 73
MAX_EMERGENCY_BLOCK_SIG_SIZE = 512
MAX_FUTURE_DRIFT_LEGACY = 2 * 60 * 60
MAX_FUTURE_DRIFT_POW = 360
MAX_FUTURE_DRIFT_PON = 300
MAX_REORG_LENGTH = 40
PON_STABILISATION_HEIGHTS = range(2_020_000, 2_025_001)  # GetMaxReorgDepth: 5000 while the local tip is here
PON_STABILISATION_REORG_LENGTH = 5000


def check_block_header(params: ChainParams, header: BlockHeader, adjusted_time: int, tip_height: int, check_pow: bool = True) -> None:
    """CheckBlockHeader."""
    if header.version < MIN_BLOCK_VERSION:
        reject("version-too-low")
    if header.is_pon:
        max_sig = MAX_EMERGENCY_BLOCK_SIG_SIZE if is_emergency_block(params, header) else MAX_BLOCK_SIG_SIZE
        if len(header.block_sig) > max_sig:
            reject("bad-pon-sig-size")
        if check_pow and not is_emergency_block(params, header):
            if not check_proof_of_node(params, header_pon_hash(params, header), header.bits, 0):
                reject("high-hash", 50)
    else:
        prefix = header.prefix_bytes() + header.nonce_rev
        if check_pow and not check_equihash_solution(prefix, header.solution):
            reject("invalid-solution")
        if check_pow and not check_proof_of_work(header.hash_rev, header.bits, params.pow_limit, is_regtest=params.is_regtest):
            reject("high-hash", 50)
    check_future_time(params, header, adjusted_time, tip_height)


def max_future_drift(params: ChainParams, is_pon: bool, tip_height: int) -> int:
    """Seconds a header may be ahead of the adjusted time; the era is chosen by the *local tip* height.

    C++ compares ``chainActive.Height()`` with the LWMA activation height as unsigned ints, so regtest
    (activation -1) always allows 2 hours and an empty chain (-1) never does.
    """
    lwma_height = params.activation_height(Upgrade.LWMA) % (1 << 32)
    if tip_height % (1 << 32) < lwma_height:
        return MAX_FUTURE_DRIFT_LEGACY
    return MAX_FUTURE_DRIFT_PON if is_pon else MAX_FUTURE_DRIFT_POW


def check_future_time(params: ChainParams, header: BlockHeader, adjusted_time: int, tip_height: int) -> None:
    """CheckBlockHeader: nTime at most the future limit past the adjusted network time."""
    if header.time > adjusted_time + max_future_drift(params, header.is_pon, tip_height):
        raise ValidationError("time-too-new", 0)


def check_block(params: ChainParams, block: Block, adjusted_time: int, tip_height: int, check_pow: bool = True,
                keys: FluxnodeKeys | None = None, verifying_from_db: bool = False,
                deferred_signatures: list | None = None, verify_proofs: bool = True) -> list[int]:  # fmt: skip
    """CheckBlock: header, merkle root, size, coinbase placement, fluxnode duplicates, txs, sigops.

    Returns each transaction's legacy sigop count (ConnectBlock counts them again; callers may pass them on).
    """
    check_block_header(params, block.header, adjusted_time, tip_height, check_pow)
    root, mutated = block.compute_merkle_root()
    if root != block.header.merkle_root_rev:
        raise ValidationError("bad-txnmrklroot", 100, corruption_possible=True)
    if mutated:
        raise ValidationError("bad-txns-duplicate", 100, corruption_possible=True)
    if not block.transactions or len(block.to_bytes()) > MAX_BLOCK_SIZE:
        reject("bad-blk-length")
    if not block.transactions[0].is_coinbase():
        reject("bad-cb-missing")
    collaterals: set[OutPoint] = set()
    for tx in block.transactions[1:]:
        if tx.is_coinbase():
            reject("bad-cb-multiple")
        if tx.is_fluxnode_tx():
            if tx.fluxnode.collateral in collaterals:
                raise ValidationError("bad-fluxnode-tx-multiple").blaming(tx.txid_rev)
            collaterals.add(tx.fluxnode.collateral)
    for tx in block.transactions:
        try:
            check_transaction(params, tx, keys, verifying_from_db, deferred_signatures, verify_proofs)
        except ValidationError as failure:
            raise failure.blaming(tx.txid_rev)  # CheckTransaction calls SetInvalidTx
    legacy_sigops = [legacy_sigop_count(tx) for tx in block.transactions]
    if sum(legacy_sigops) > MAX_BLOCK_SIGOPS:
        raise ValidationError("bad-blk-sigops", 100, corruption_possible=True)
    return legacy_sigops


def max_reorg_depth(tip_height: int) -> int:
    """GetMaxReorgDepth: 40, or 5000 while the local tip is in the PoN stabilisation window."""
    return PON_STABILISATION_REORG_LENGTH if tip_height in PON_STABILISATION_HEIGHTS else MAX_REORG_LENGTH


def contextual_check_block_header(
    params: ChainParams,
    header: BlockHeader,
    prev: ChainEntry,
    tip_height: int | None = None,
    checkpoint_known: Callable[[bytes], bool] | None = None,
) -> None:
    """ContextualCheckBlockHeader in C++ order.

    ``tip_height`` is the local active-chain height (reorg depth); ``checkpoint_known``
    tells whether a block hash is in the block index (checkpoint rules, off when None
    as with ``-checkpoints=0``).
    """
    height = prev.height + 1
    if header.hash_rev == params.genesis_hash_rev:
        return
    if tip_height is not None and tip_height - prev.height >= max_reorg_depth(tip_height):
        raise ValidationError("bad-fork-prior-to-maxreorgdepth", 10, detail="forked chain older than max reorganization depth")
    era_reason = pon_era_reason(params, height, header.is_pon)
    if era_reason is not None:
        reject(era_reason)
    if header.is_pon:
        _check_pon_header(params, header, height)
    elif not solution_size_allowed(params, height, len(header.solution)):
        reject("bad-equihash-solution-size")
    bits_reason = diffbits_reason(params, prev, header.bits, header.time, header.is_pon)
    if bits_reason is not None:
        reject(bits_reason)
    if time_too_old_reason(header.time, header.is_pon, prev) is not None:
        raise ValidationError("time-too-old", 0)
    if checkpoint_known is not None:
        _check_checkpoints(params, header, height, checkpoint_known)
    if header.version < MIN_BLOCK_VERSION or (is_pon_active(params, height) and header.version < 100):
        raise ValidationError("bad-version", 0, REJECT_OBSOLETE)


def last_known_checkpoint_height(params: ChainParams, checkpoint_known: Callable[[bytes], bool]) -> int | None:
    """Checkpoints::GetLastCheckpoint: the highest checkpoint whose hash is already in the block index."""
    for height, hash_rev in reversed(params.checkpoints.entries):
        if checkpoint_known(hash_rev):
            return height
    return None


def _check_checkpoints(params: ChainParams, header: BlockHeader, height: int, checkpoint_known: Callable[[bytes], bool]) -> None:
    """No fork below the last known checkpoint; a checkpoint height must carry its hash (C++ gives no reject reason)."""
    last = last_known_checkpoint_height(params, checkpoint_known)
    if last is not None and height < last:
        raise ValidationError("", 100, detail=f"forked chain older than last checkpoint (height {height})")
    expected = dict(params.checkpoints.entries).get(height)
    if expected is not None and expected != header.hash_rev:
        raise ValidationError("", 0, detail=f"tried to connect to known forked chain (height {height})")


def _check_pon_header(params: ChainParams, header: BlockHeader, height: int) -> None:
    """ContextualCheckPONBlockHeader without the minter signature (C++ passes fCheckSignature=false here)."""
    try:
        contextual_check_pon_header(params, header, height)
    except PonCheckFailed as failure:
        raise ValidationError("bad-pon-header", 100, detail=failure.detail) from None


def contextual_check_pon_block(params: ChainParams, header: BlockHeader, height: int, tip_height: int, fluxnodes: FluxnodeKeys) -> None:
    """ContextualCheckBlock's PoN part, with the minter signature: ``bad-pon-block``.

    A signature failure is not committed to the block hash, so it is marked
    corruption-possible and the hash is not remembered as invalid (C++).
    """
    if not is_pon_active(params, height) or not header.is_pon:
        if is_pon_active(params, height) and header.hash_rev != params.genesis_hash_rev:
            reject("not-pon-block")
        return
    try:
        contextual_check_pon_header(params, header, height, True, tip_height, fluxnodes)
    except PonCheckFailed as failure:
        raise ValidationError("bad-pon-block", 100, detail=failure.detail, corruption_possible=failure.signature_failure) from None
