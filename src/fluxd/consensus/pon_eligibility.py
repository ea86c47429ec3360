"""Which confirmed fluxnodes may mint a slot's Proof-of-Node block, best first (C++ pon.cpp GetEligibleNodes,
GetNodeRank).  A node is eligible when its PoN hash for the slot meets the target; the order is by that hash
as C++ compares uint256 (memcmp of the internal bytes), and a rank is 1-based."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from fluxd.consensus.pon import check_proof_of_node, pon_hash
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams


class EligibleNode(NamedTuple):
    pon_hash_rev: bytes
    collateral: OutPoint


def eligible_nodes(
    params: ChainParams, confirmed: Iterable[OutPoint], prev_block_rev: bytes, height: int, slot: int, bits: int
) -> list[EligibleNode]:
    found = []
    for collateral in confirmed:
        hash_rev = pon_hash(collateral, prev_block_rev, slot)
        if check_proof_of_node(params, hash_rev, bits, height):
            found.append(EligibleNode(hash_rev, collateral))
    found.sort(key=lambda node: node.pon_hash_rev)
    return found


def node_rank(nodes: list[EligibleNode], collateral: OutPoint) -> int:
    """1 for the best; -1 when the collateral is not eligible."""
    for position, node in enumerate(nodes):
        if node.collateral == collateral:
            return position + 1
    return -1
