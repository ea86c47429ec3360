"""Partial merkle trees: any subset of any txid list round-trips through the wire and proves the block's root."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxd.core.merkle import block_merkle_root
from fluxd.core.merkle_block import MerkleBlock, PartialMerkleTree
from fluxd.util.serialize import DecodeError, Reader, Writer
from tests.property import strategies as S

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
txid_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70, unique=True)


@st.composite
def txids_and_matches(draw):
    txids = draw(txid_lists)
    matches = draw(st.lists(st.booleans(), min_size=len(txids), max_size=len(txids)))
    return txids, matches


def _wire(tree: PartialMerkleTree) -> bytes:
    writer = Writer()
    tree.write(writer)
    return writer.getvalue()


@SETTINGS
@given(txids_and_matches())
def test_built_tree_round_trips_and_proves_the_root(case):
    txids, matches = case
    tree = PartialMerkleTree.build(txids, matches)
    data = _wire(tree)
    reader = Reader(data)
    again = PartialMerkleTree.read(reader)
    assert reader.at_end() and _wire(again) == data
    root, found = again.extract_matches()
    assert root == block_merkle_root(txids)[0]
    assert found == [txid for txid, matched in zip(txids, matches) if matched]
    assert len(data) <= 10 + (129 * len(txids) + 3) // 4  # the C++ bound: 10 + ceil(32.25 N)


@SETTINGS
@given(txids_and_matches(), st.data())
def test_a_changed_hash_breaks_the_proof(case, data):
    txids, matches = case
    tree = PartialMerkleTree.build(txids, matches)
    index = data.draw(st.integers(min_value=0, max_value=len(tree.hashes_rev) - 1))
    flipped = bytes([tree.hashes_rev[index][0] ^ 1]) + tree.hashes_rev[index][1:]
    hashes = tree.hashes_rev[:index] + (flipped,) + tree.hashes_rev[index + 1 :]
    changed = PartialMerkleTree(tree.total_transactions, hashes, tree.bits)
    assert changed.extract_matches()[0] != block_merkle_root(txids)[0]


@SETTINGS
@given(S.headers(), txids_and_matches())
def test_merkle_block_round_trips_with_any_header(header, case):
    merkle_block = MerkleBlock(header, PartialMerkleTree.build(*case))
    data = merkle_block.to_bytes()
    reader = Reader(data)
    again = MerkleBlock.read(reader)
    assert reader.at_end() and again.to_bytes() == data and again.header == header


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_decode_errors(data):
    try:
        tree = PartialMerkleTree.read(Reader(data))
    except DecodeError:
        return
    tree.extract_matches()
