"""Partial merkle trees and merkle blocks (C++ merkleblock.h CPartialMerkleTree / CMerkleBlock).

A partial merkle tree proves that some txids are leaves of a block's merkle
tree.  The tree is walked depth first; each visited node contributes one flag
bit (1: an ancestor of a matched txid, or a matched txid itself).  A node
whose bit is 0, or a leaf, also contributes its hash and is not descended.

Wire format: u32 total transactions, vector<uint256> hashes (internal byte
order), vector<u8> flag bits packed least significant bit first.  A merkle
block is the full block header (as the node serializes it: Equihash solution
or PoN collateral and signature) followed by the tree.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from fluxd.core.block import Block, BlockHeader
from fluxd.core.hashes import sha256d
from fluxd.util.serialize import Reader, Writer

ZERO_32 = b"\x00" * 32
MAX_BLOCK_SIZE = 2_000_000
MIN_SERIALIZED_TX_SIZE = 60  # C++ ExtractMatches' lower bound on a serialized transaction


def _tree_width(total: int, height: int) -> int:
    """Nodes at ``height`` (leaves are height 0) of a tree over ``total`` leaves (C++ CalcTreeWidth)."""
    return (total + (1 << height) - 1) >> height


def _tree_height(total: int) -> int:
    height = 0
    while _tree_width(total, height) > 1:
        height += 1
    return height


def _node_hash(txids_rev: Sequence[bytes], height: int, pos: int) -> bytes:
    """C++ CalcHash: the merkle node at (height, pos); a missing right child repeats the left."""
    if height == 0:
        return txids_rev[pos]
    left = _node_hash(txids_rev, height - 1, pos * 2)
    has_right = pos * 2 + 1 < _tree_width(len(txids_rev), height - 1)
    right = _node_hash(txids_rev, height - 1, pos * 2 + 1) if has_right else left
    return sha256d(left + right)


@dataclass(frozen=True, slots=True)
class PartialMerkleTree:
    total_transactions: int
    hashes_rev: tuple[bytes, ...]
    bits: tuple[bool, ...]  # after a read: every bit of the flag bytes, padding included (as C++)

    @classmethod
    def build(cls, txids_rev: Sequence[bytes], matches: Sequence[bool]) -> "PartialMerkleTree":
        """The tree proving the txids whose ``matches`` flag is set (C++ CPartialMerkleTree(vTxid, vMatch))."""
        hashes: list[bytes] = []
        bits: list[bool] = []
        total = len(txids_rev)
        if total:
            _traverse_and_build(txids_rev, matches, _tree_height(total), 0, hashes, bits)
        return cls(total, tuple(hashes), tuple(bits))

    def extract_matches(self) -> tuple[bytes, list[bytes]]:
        """(merkle root _rev, matched txids _rev); the root is all zero when the tree is invalid (C++ ExtractMatches)."""
        total = self.total_transactions
        if total == 0 or total > MAX_BLOCK_SIZE // MIN_SERIALIZED_TX_SIZE:
            return ZERO_32, []
        if len(self.hashes_rev) > total or len(self.bits) < len(self.hashes_rev):
            return ZERO_32, []
        walk = _Extraction(self)
        root = walk.node(_tree_height(total), 0)
        if walk.bad:
            return ZERO_32, walk.matches
        if (walk.bits_used + 7) // 8 != (len(self.bits) + 7) // 8 or walk.hashes_used != len(self.hashes_rev):
            return ZERO_32, walk.matches
        return root, walk.matches

    def flag_bytes(self) -> bytes:
        packed = bytearray((len(self.bits) + 7) // 8)
        for index, bit in enumerate(self.bits):
            packed[index // 8] |= bit << (index % 8)
        return bytes(packed)

    def write(self, writer: Writer) -> None:
        writer.u32(self.total_transactions)
        writer.compact_size(len(self.hashes_rev))
        for hash_rev in self.hashes_rev:
            writer.write(hash_rev)
        writer.var_bytes(self.flag_bytes())

    @classmethod
    def read(cls, reader: Reader) -> "PartialMerkleTree":
        total = reader.u32()
        hashes = tuple(reader.hash32() for _ in range(reader.count(32)))
        packed = reader.var_bytes()
        bits = tuple(bool(packed[index // 8] >> (index % 8) & 1) for index in range(len(packed) * 8))
        return cls(total, hashes, bits)


def _traverse_and_build(txids_rev, matches, height: int, pos: int, hashes: list, bits: list) -> None:
    """C++ TraverseAndBuild."""
    total = len(txids_rev)
    first, stop = pos << height, min((pos + 1) << height, total)
    parent_of_match = any(matches[first:stop])
    bits.append(parent_of_match)
    if height == 0 or not parent_of_match:
        hashes.append(_node_hash(txids_rev, height, pos))
        return
    _traverse_and_build(txids_rev, matches, height - 1, pos * 2, hashes, bits)
    if pos * 2 + 1 < _tree_width(total, height - 1):
        _traverse_and_build(txids_rev, matches, height - 1, pos * 2 + 1, hashes, bits)


class _Extraction:
    """C++ TraverseAndExtract's state: bits and hashes consumed, matches found, the bad flag."""

    def __init__(self, tree: PartialMerkleTree) -> None:
        self.tree = tree
        self.bits_used = 0
        self.hashes_used = 0
        self.matches: list[bytes] = []
        self.bad = False

    def node(self, height: int, pos: int) -> bytes:
        tree = self.tree
        if self.bits_used >= len(tree.bits):
            self.bad = True
            return ZERO_32
        parent_of_match = tree.bits[self.bits_used]
        self.bits_used += 1
        if height == 0 or not parent_of_match:
            return self._stored_hash(height == 0 and parent_of_match)
        left = self.node(height - 1, pos * 2)
        if pos * 2 + 1 < _tree_width(tree.total_transactions, height - 1):
            right = self.node(height - 1, pos * 2 + 1)
            if right == left:  # two subtrees over distinct txids can never hash the same
                self.bad = True
        else:
            right = left
        return sha256d(left + right)

    def _stored_hash(self, matched: bool) -> bytes:
        if self.hashes_used >= len(self.tree.hashes_rev):
            self.bad = True
            return ZERO_32
        hash_rev = self.tree.hashes_rev[self.hashes_used]
        self.hashes_used += 1
        if matched:
            self.matches.append(hash_rev)
        return hash_rev


@dataclass(frozen=True, slots=True)
class MerkleBlock:
    header: BlockHeader
    tree: PartialMerkleTree

    @classmethod
    def from_block(cls, block: Block, txids_rev: Collection[bytes]) -> "MerkleBlock":
        """C++ CMerkleBlock(block, setTxids): the header and a tree matching the block's txids in the set."""
        all_txids = [tx.txid_rev for tx in block.transactions]
        return cls(block.header, PartialMerkleTree.build(all_txids, [txid in txids_rev for txid in all_txids]))

    def write(self, writer: Writer) -> None:
        self.header.write(writer)
        self.tree.write(writer)

    def to_bytes(self) -> bytes:
        writer = Writer()
        self.write(writer)
        return writer.getvalue()

    @classmethod
    def read(cls, reader: Reader) -> "MerkleBlock":
        return cls(BlockHeader.read(reader), PartialMerkleTree.read(reader))
