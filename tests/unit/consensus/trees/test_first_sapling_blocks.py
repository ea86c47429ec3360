"""Zcash mainnet 419,200-419,202, the first Sapling blocks: hashFinalSaplingRoot recomputes.

Data: zebra-test vectors (tests/data/vectors/zcash_mainnet/, provenance in its README).
Starting from the empty depth-32 tree, each block's outputs' cmu are appended
in transaction order and the root must equal that block's header field.
"""

from __future__ import annotations

from fluxd.consensus.trees.incremental import IncrementalMerkleTree
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.core.block import Block
from fluxd.util.serialize import Reader
from tests.vectors import load_json

DATA = load_json("zcash_mainnet/sapling_first_blocks.json")


def _blocks():
    return [(entry, Block.from_hex(entry["hex"])) for entry in DATA["blocks"]]


def _outputs(block: Block) -> list[bytes]:
    return [out.cmu for tx in block.transactions for out in tx.shielded_outputs]


def test_blocks_parse_and_chain():
    previous = None
    for entry, block in _blocks():
        assert block.hash_hum == entry["hash"]
        if previous is not None:
            assert block.header.prev_block_rev == previous.hash_rev
        previous = block
    assert [len(_outputs(block)) for _, block in _blocks()] == [0, 5, 2]


def test_final_sapling_roots_recompute():
    tree = SaplingTree()
    for _, block in _blocks():
        for cmu in _outputs(block):
            tree.append(cmu)
        assert tree.root() == block.header.final_sapling_root_rev
        assert tree.python_root() == block.header.final_sapling_root_rev


def test_frontier_after_419201_matches_zebra_treestate():
    """The zebra treestate pads parents to depth - 1 with empty entries; C++ trims them."""
    tree = SaplingTree()
    for _, block in _blocks()[:2]:
        for cmu in _outputs(block):
            tree.append(cmu)
    reference = _read_padded(bytes.fromhex(DATA["sapling_treestate_after_419201"]))
    assert (tree.left, tree.right, tree.parents) == reference


def _read_padded(data: bytes):
    """Read (left, right, parents) without wfcheck, then trim trailing empty parents."""
    reader = Reader(data)
    left = _opt(reader)
    right = _opt(reader)
    parents = [_opt(reader) for _ in range(reader.count(1))]
    reader.expect_end("treestate")
    while parents and parents[-1] is None:
        parents.pop()
    return left, right, parents


def _opt(reader: Reader):
    return reader.hash32() if reader.u8() else None


def test_trimmed_treestate_deserializes():
    left, right, parents = _read_padded(bytes.fromhex(DATA["sapling_treestate_after_419201"]))
    tree = SaplingTree()
    tree.left, tree.right, tree.parents = left, right, parents
    assert isinstance(SaplingTree.deserialize(tree.serialize()), IncrementalMerkleTree)
    assert SaplingTree.deserialize(tree.serialize()).size() == 5
