"""Proof of Node header rules (C++ pon/pon.cpp; CONSENSUS_HEADERS.md §5).

The slot and PoN hash, the stake-target lottery (``CheckProofOfNode``), the
signature of the minting fluxnode and the order in which
``ContextualCheckPONBlockHeader`` applies them.  The fluxnode list lives in
chainstate; it reaches these rules through the ``FluxnodeKeys`` protocol.
"""

from __future__ import annotations

from fluxd.consensus.arith import set_compact
from fluxd.consensus.emergency import is_emergency_block, validate_emergency_signatures
from fluxd.consensus.fluxnode_sigs import FluxnodeKeys, NoFluxnodes  # noqa: F401 (the one key-lookup protocol)
from fluxd.core.block import BlockHeader
from fluxd.core.ecdsa import verify_der
from fluxd.core.hashes import sha256d
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active
from fluxd.util.hexutil import hum_to_rev

TEST_BYPASS_COLLATERAL = OutPoint(hum_to_rev("544553544e4f4400000000000000000000000000000000000000000000000000"), 0)


class PonCheckFailed(Exception):
    """ContextualCheckPONBlockHeader returned false; ``signature_failure`` mirrors C++ fSignatureFailure."""

    def __init__(self, detail: str, signature_failure: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.signature_failure = signature_failure


def pon_slot(params: ChainParams, timestamp: int) -> int:
    """GetSlotNumber: 30-second slots since the genesis block (C++ truncates toward zero, then casts to uint32)."""
    elapsed = timestamp - params.genesis.time
    quotient = abs(elapsed) // params.pon_target_spacing
    return (quotient if elapsed >= 0 else -quotient) % (1 << 32)


def pon_hash(collateral: OutPoint, prev_block_rev: bytes, slot: int) -> bytes:
    """GetPONHash: sha256d(collateral || previous block hash || le32(slot))."""
    return sha256d(collateral.to_bytes() + prev_block_rev + slot.to_bytes(4, "little"))


def header_pon_hash(params: ChainParams, header: BlockHeader) -> bytes:
    """GetPONHash(header): the slot comes from the header's own time."""
    return pon_hash(header.collateral, header.prev_block_rev, pon_slot(params, header.time))


def check_proof_of_node(params: ChainParams, hash_rev: bytes, bits: int, height: int) -> bool:
    """CheckProofOfNode; ``height`` 0 means the context-free bound max(ponLimit, ponStartLimit). Always true on regtest."""
    if params.is_regtest:
        return True
    compact = set_compact(bits)
    if height:
        activation = params.activation_height(Upgrade.PON)
        limit = params.pon_limit if height >= activation + params.pon_difficulty_window else params.pon_start_limit
    else:
        limit = max(params.pon_limit, params.pon_start_limit)
    if not compact.usable or compact.target > limit:
        return False
    return int.from_bytes(hash_rev, "little") <= compact.target


def is_test_bypass(params: ChainParams, header: BlockHeader) -> bool:
    """Testnet and regtest accept the TESTNOD collateral without a fluxnode or a signature."""
    return (params.is_regtest or params.is_testnet) and header.collateral == TEST_BYPASS_COLLATERAL


def contextual_check_pon_header(
    params: ChainParams,
    header: BlockHeader,
    height: int,
    check_signature: bool = False,
    tip_height: int = 0,
    fluxnodes: FluxnodeKeys | None = None,
) -> None:
    """ContextualCheckPONBlockHeader for a block at ``height``: raises PonCheckFailed."""
    if not header.is_pon:
        raise PonCheckFailed(f"block version {header.version} is not PON")
    if is_emergency_block(params, header):
        if not validate_emergency_signatures(params, header):
            raise PonCheckFailed("emergency block signature validation failed", signature_failure=True)
        if not is_pon_active(params, height):
            raise PonCheckFailed(f"emergency block not allowed at height {height}")
        return
    if not check_proof_of_node(params, header_pon_hash(params, header), header.bits, height):
        raise PonCheckFailed(f"stake hash doesn't meet target for slot {pon_slot(params, header.time)}")
    if is_test_bypass(params, header) or not check_signature:
        return
    _check_minter_signature(header, height, tip_height, fluxnodes or NoFluxnodes())


def _check_minter_signature(header: BlockHeader, height: int, tip_height: int, fluxnodes: FluxnodeKeys) -> None:
    """The fluxnode's operator key signed the block hash; checked only at the tip height or tip + 1 (C++ defers others)."""
    if height not in (tip_height, tip_height + 1):
        return
    pubkey = fluxnodes.operator_pubkey(header.collateral)
    if pubkey is None:
        if height == tip_height:
            return  # a competing block: the node may have expired in our tip, ConnectBlock decides
        raise PonCheckFailed(f"fluxnode {_describe(header.collateral)} not found for block at height {height}")
    if not verify_der(pubkey, header.hash_rev, header.block_sig):
        raise PonCheckFailed(f"block signature verification failed for fluxnode {_describe(header.collateral)}", signature_failure=True)


def _describe(collateral: OutPoint) -> str:
    return f"{collateral.txid_hum}:{collateral.n}"


def pon_tiebreak_key(params: ChainParams, header: BlockHeader) -> bytes:
    """Equal-work PoN siblings: the lower PoN hash wins, compared as C++ uint256 operator< does (memcmp of the raw bytes)."""
    return header_pon_hash(params, header)
