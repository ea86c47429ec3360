"""CPartialMerkleTree / CMerkleBlock: a Bitcoin reference vector, Flux blocks, and C++'s rejections."""

from __future__ import annotations

import hashlib

import pytest

from fluxd.core.block import Block
from fluxd.core.merkle import block_merkle_root
from fluxd.core.merkle_block import MerkleBlock, PartialMerkleTree
from fluxd.util.serialize import Reader
from tests.vectors import load_json

ZERO = b"\x00" * 32
# The merkleblock message of the Bitcoin developer reference (7 transactions, one matched): an 80-byte
# Bitcoin header, then the partial tree.  The tree's root must be the header's merkle root.
BITCOIN_MERKLEBLOCK = bytes.fromhex(
    "0100000082bb869cf3a793432a66e826e05a6fc37469f8efb7421dc880670100000000007f16c5962e8bd963659c793ce370d95f"
    "093bc7e367117b3c30c1f8fdd0d9728776381b4d4c86041b554b852907000000043612262624047ee87660be1a707519a443b1c1"
    "ce3d248cbfc6c15870f6c5daa2019f5b01d4195ecbc9398fbf3c3b1fa9bb3183301d7a1fb3bd174fcfa40a2b6541ed70551dd7e8"
    "41883ab8f0b16bf04176b7d1480e4f0af9f3d4c3595768d06820d2a7bc994987302e5b1ac80fc425fe25f8b63169ea78e68fbaae"
    "fa59379bbf011d"
)


def _leaf(index: int) -> bytes:
    return hashlib.sha256(index.to_bytes(4, "little")).digest()


def _pair(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(left + right).digest()).digest()


def test_bitcoin_reference_merkleblock():
    tree_bytes = BITCOIN_MERKLEBLOCK[80:]
    tree = PartialMerkleTree.read(Reader(tree_bytes))
    assert tree.total_transactions == 7 and len(tree.hashes_rev) == 4
    assert tree.bits == (True, False, True, True, True, False, False, False)
    root, matches = tree.extract_matches()
    assert root == BITCOIN_MERKLEBLOCK[36:68]
    assert [txid[::-1].hex() for txid in matches] == ["652b0aa4cf4f17bdb31f7a1d308331bba91f3b3cbf8f39c9cb5e19d4015b9f01"]
    writer_bytes = tree.flag_bytes()
    assert writer_bytes == b"\x1d"


def test_hand_built_three_leaf_tree():
    """Leaves a b c, c matched: root bit, left subtree hash, right subtree descended to c (right repeats c)."""
    a, b, c = _leaf(1), _leaf(2), _leaf(3)
    tree = PartialMerkleTree.build([a, b, c], [False, False, True])
    assert tree.hashes_rev == (_pair(a, b), c)
    assert tree.bits == (True, False, True, True)
    assert tree.extract_matches() == (_pair(_pair(a, b), _pair(c, c)), [c])
    encoded = MerkleBlock(Block.from_hex(_flux_blocks()[0]).header, tree).to_bytes()[-(4 + 1 + 64 + 2):]
    assert encoded == b"\x03\x00\x00\x00\x02" + _pair(a, b) + c + b"\x01\x0d"


def test_single_transaction_tree():
    tree = PartialMerkleTree.build([_leaf(9)], [True])
    assert (tree.hashes_rev, tree.bits) == ((_leaf(9),), (True,))
    assert tree.extract_matches() == (_leaf(9), [_leaf(9)])


def _flux_blocks() -> list[str]:
    return [entry["block_hex"] for entry in load_json("flux_mainnet/blocks.json")["blocks"] if entry.get("block_hex")]


@pytest.mark.parametrize("block_hex", _flux_blocks())
def test_flux_block_proofs_carry_the_full_header(block_hex):
    block = Block.from_hex(block_hex)
    txids = [tx.txid_rev for tx in block.transactions]
    wanted = set(txids[-1:]) | set(txids[:1])
    proof = MerkleBlock.from_block(block, wanted).to_bytes()
    header_bytes = block.header.to_bytes()
    assert proof.startswith(header_bytes)  # PoW: nonce and Equihash solution; PoN: collateral and signature
    again = MerkleBlock.read(Reader(proof))
    assert again.header == block.header
    root, matches = again.tree.extract_matches()
    assert root == block.header.merkle_root_rev == block_merkle_root(txids)[0]
    assert matches == [txid for txid in txids if txid in wanted]


def _tree(total, hashes, bits):
    return PartialMerkleTree(total, tuple(hashes), tuple(bits))


@pytest.mark.parametrize(
    "tree",
    [
        _tree(0, [], []),  # an empty set
        _tree(2_000_000 // 60 + 1, [_leaf(1)], [False]),  # more transactions than a block can hold
        _tree(1, [_leaf(1), _leaf(2)], [True, True]),  # more hashes than transactions
        _tree(2, [_leaf(1), _leaf(2)], [True]),  # fewer bits than hashes
        _tree(2, [_leaf(1)], [True, True, True]),  # runs out of hashes
        _tree(2, [_leaf(1), _leaf(1)], [True, True, True]),  # identical left and right subtrees
        _tree(2, [_leaf(1), _leaf(2)], [False, False]),  # a hash left over
        _tree(1, [_leaf(1)], [True] + [False] * 8),  # a whole unused flag byte
        _tree(4, [_leaf(1)], [True]),  # runs out of bits
    ],
)
def test_invalid_trees_extract_the_zero_root(tree):
    assert tree.extract_matches()[0] == ZERO


def test_padding_bits_in_the_last_byte_are_allowed():
    tree = PartialMerkleTree.build([_leaf(1), _leaf(2)], [True, False])
    padded = _tree(2, tree.hashes_rev, tree.bits + (True,) * 5)
    assert padded.extract_matches() == tree.extract_matches()
