"""Block and header checks (C++ main.cpp CheckBlockHeader, CheckBlock, ContextualCheckBlockHeader).

Every failure raises ValidationError with the C++ reject reason and DoS score.
PoN signatures against the fluxnode list are the PoN issue's part; here a PoN
header is checked for its form, the regtest/testnet bypass collateral, slot
time and difficulty.
"""

from __future__ import annotations

from fluxd.consensus.arith import check_proof_of_work, set_compact
from fluxd.consensus.difficulty import ChainEntry, median_time_past, next_pon_work_required, next_work_required
from fluxd.consensus.equihash import check_equihash_solution
from fluxd.consensus.equihash_epochs import solution_size_allowed
from fluxd.consensus.sigops import MAX_BLOCK_SIGOPS, legacy_sigop_count
from fluxd.consensus.tx_check import check_transaction
from fluxd.consensus.validation import REJECT_OBSOLETE, ValidationError, reject
from fluxd.core.block import Block, BlockHeader
from fluxd.core.hashes import sha256d
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active
from fluxd.util.hexutil import hum_to_rev

MIN_BLOCK_VERSION = 4
MAX_BLOCK_SIZE = 2_000_000
MAX_BLOCK_SIG_SIZE = 73
MAX_EMERGENCY_BLOCK_SIG_SIZE = 512
MAX_FUTURE_DRIFT_LEGACY = 2 * 60 * 60
MAX_FUTURE_DRIFT_POW = 360
MAX_FUTURE_DRIFT_PON = 300
TEST_BYPASS_COLLATERAL = OutPoint(hum_to_rev("544553544e4f4400000000000000000000000000000000000000000000000000"), 0)


def is_emergency_block(params: ChainParams, header: BlockHeader) -> bool:
    return header.is_pon and header.collateral.txid_rev == params.emergency_collateral_hash_rev


def check_block_header(params: ChainParams, header: BlockHeader, adjusted_time: int, tip_height: int, check_pow: bool = True) -> None:
    """CheckBlockHeader."""
    if header.version < MIN_BLOCK_VERSION:
        reject("version-too-low")
    if header.is_pon:
        max_sig = MAX_EMERGENCY_BLOCK_SIG_SIZE if is_emergency_block(params, header) else MAX_BLOCK_SIG_SIZE
        if len(header.block_sig) > max_sig:
            reject("bad-pon-sig-size")
    else:
        prefix = header.prefix_bytes() + header.nonce_rev
        if check_pow and not check_equihash_solution(prefix, header.solution):
            reject("invalid-solution")
        if check_pow and not check_proof_of_work(header.hash_rev, header.bits, params.pow_limit, is_regtest=params.is_regtest):
            reject("high-hash", 50)
    _check_future_time(params, header, adjusted_time, tip_height)


def _check_future_time(params: ChainParams, header: BlockHeader, adjusted_time: int, tip_height: int) -> None:
    lwma_height = params.activation_height(Upgrade.LWMA) % (1 << 32)  # C++ compares as unsigned int
    if tip_height % (1 << 32) < lwma_height:
        drift = MAX_FUTURE_DRIFT_LEGACY
    else:
        drift = MAX_FUTURE_DRIFT_PON if header.is_pon else MAX_FUTURE_DRIFT_POW
    if header.time > adjusted_time + drift:
        raise ValidationError("time-too-new", 0)


def check_block(params: ChainParams, block: Block, adjusted_time: int, tip_height: int, check_pow: bool = True) -> None:
    """CheckBlock: header, merkle root, size, coinbase placement, fluxnode duplicates, txs, sigops."""
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
                reject("bad-fluxnode-tx-multiple")
            collaterals.add(tx.fluxnode.collateral)
    for tx in block.transactions:
        check_transaction(params, tx, verifying_from_db=True)
    if sum(legacy_sigop_count(tx) for tx in block.transactions) > MAX_BLOCK_SIGOPS:
        raise ValidationError("bad-blk-sigops", 100, corruption_possible=True)


def contextual_check_block_header(params: ChainParams, header: BlockHeader, prev: ChainEntry) -> None:
    """ContextualCheckBlockHeader (without the max-reorg and checkpoint parts, which need the chain)."""
    height = prev.height + 1
    if header.hash_rev == params.genesis_hash_rev:
        return
    if is_pon_active(params, height):
        if not header.is_pon:
            reject("not-pon-block")
        _check_pon_header(params, header, prev)
        if header.bits != next_pon_work_required(params, prev):
            reject("bad-pon-diffbits")
    elif header.is_pon:
        reject("premature-pon-block")
    if not header.is_pon:
        if not solution_size_allowed(params, height, len(header.solution)):
            reject("bad-equihash-solution-size")
        if header.bits != next_work_required(params, prev, header.time):
            reject("bad-diffbits")
        if header.time <= median_time_past(prev):
            raise ValidationError("time-too-old", 0)
    elif header.time <= prev.time:
        raise ValidationError("time-too-old", 0)
    if header.version < MIN_BLOCK_VERSION or (is_pon_active(params, height) and header.version < 100):
        raise ValidationError("bad-version", 0, REJECT_OBSOLETE)


def pon_slot(params: ChainParams, timestamp: int) -> int:
    """GetSlotNumber: 30-second slots since the genesis block."""
    elapsed = timestamp - params.genesis.time
    quotient = abs(elapsed) // params.pon_target_spacing
    return (quotient if elapsed >= 0 else -quotient) % (1 << 32)


def pon_hash(collateral: OutPoint, prev_block_rev: bytes, slot: int) -> bytes:
    """GetPONHash: sha256d(collateral || previous block hash || le32(slot))."""
    return sha256d(collateral.to_bytes() + prev_block_rev + slot.to_bytes(4, "little"))


def check_proof_of_node(params: ChainParams, hash_rev: bytes, bits: int, height: int) -> bool:
    """CheckProofOfNode (always true on regtest, as in C++)."""
    if params.is_regtest:
        return True
    compact = set_compact(bits)
    activation = params.activation_height(Upgrade.PON)
    limit = params.pon_limit if height >= activation + params.pon_difficulty_window else params.pon_start_limit
    if not compact.usable or compact.target > limit:
        return False
    return int.from_bytes(hash_rev, "little") <= compact.target


def _check_pon_header(params: ChainParams, header: BlockHeader, prev: ChainEntry) -> None:
    """ContextualCheckPONBlockHeader without the signature (C++ passes fCheckSignature=false here)."""
    if is_emergency_block(params, header):
        return
    stake_hash = pon_hash(header.collateral, header.prev_block_rev, pon_slot(params, header.time))
    if not check_proof_of_node(params, stake_hash, header.bits, prev.height + 1):
        reject("bad-pon-header")
