"""The shielded state module block by block over an in-memory store: the real Zcash blocks 419,200–419,202
(Sapling outputs and spends, Groth16 JoinSplits) give their headers' hashFinalSaplingRoot, nullifiers are
spent once, anchors must exist (Sprout's may come from an earlier JoinSplit of the same transaction),
value pools add up, and every disconnect puts the state back exactly."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from fluxd.chainstate.chainstate import COLUMNS as STORE_COLUMNS
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.shielded_state import COLUMNS, ShieldedStateModule, ShieldedView
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.params.upgrades import Upgrade
from fluxd.storage.memory import MemoryStore
from tests.unit.chainstate.test_chainstate import PARAMS

VECTORS = Path(__file__).resolve().parents[2] / "data" / "vectors"
ACADIA_PARAMS = PARAMS.with_activation_heights({Upgrade.ACADIA: 1})
ZCASH_BLOCKS = [Block.from_bytes(bytes.fromhex(block["hex"])) for block in
                json.loads((VECTORS / "zcash_mainnet" / "sapling_first_blocks.json").read_text())["blocks"]]  # fmt: skip
# without their JoinSplits, whose anchors are roots of Zcash's Sprout history
BLOCKS = [dataclasses.replace(block, transactions=tuple(tx for tx in block.transactions if not tx.joinsplits))
          for block in ZCASH_BLOCKS]  # fmt: skip


@dataclass(eq=False)
class Entry:
    height: int
    hash_rev: bytes
    prev: "Entry | None"


class Harness:
    def __init__(self, params=ACADIA_PARAMS) -> None:
        self.module = ShieldedStateModule(params)
        self.store = MemoryStore(STORE_COLUMNS)
        self.layers: list[dict] = []
        self.history: list[tuple[Block, Entry, bytes]] = []
        self.tip: Entry | None = None

    def view(self) -> ShieldedView:
        return ShieldedView(StateReader(self.layers, self.store))

    def snapshot(self) -> dict:
        reader = StateReader(self.layers, self.store)
        return {column.name: list(reader.iterate_raw(column)) for column in COLUMNS}

    def connect(self, block: Block) -> None:
        height = self.tip.height + 1 if self.tip else 1
        entry = Entry(height, block.header.hash_rev, self.tip)
        layer: dict = {}
        undo = self.module.connect_block(BlockContext(block, entry, None, None), StateWriter(layer, self.layers, self.store))
        self.layers.insert(0, layer)
        self.history.append((block, entry, undo))
        self.tip = entry

    def disconnect(self) -> None:
        block, entry, undo = self.history.pop()
        layer: dict = {}
        self.module.disconnect_block(BlockContext(block, entry, None, None), undo, StateWriter(layer, self.layers, self.store))
        self.layers.insert(0, layer)
        self.tip = entry.prev


def _failure(harness: Harness, block: Block) -> str:
    with pytest.raises(ValidationError) as failed:
        harness.connect(block)
    return failed.value.reason


def _with_root(block: Block, root: bytes) -> Block:
    return dataclasses.replace(block, header=dataclasses.replace(block.header, final_sapling_root_rev=root))


def test_the_first_sapling_blocks_give_their_header_roots_and_undo_exactly():
    harness = Harness()
    snapshots = [harness.snapshot()]
    for block in BLOCKS:
        harness.connect(block)
        snapshots.append(harness.snapshot())
        assert harness.view().best_root("sapling") == block.header.final_sapling_root_rev
    view = harness.view()
    assert view.tree_at("sapling", BLOCKS[2].header.final_sapling_root_rev).size() == 7
    assert view.is_anchor("sapling", BLOCKS[1].header.final_sapling_root_rev)
    spend = next(tx for tx in BLOCKS[2].transactions if tx.shielded_spends).shielded_spends[0]
    assert view.nullifier_spent("sapling", spend.nullifier)
    for expected in reversed(snapshots[:-1]):
        harness.disconnect()
        assert harness.snapshot() == expected


def test_value_pools_per_block_and_along_the_chain():
    harness = Harness()
    for block in BLOCKS:
        harness.connect(block)
    pools = [harness.view().pools(entry.hash_rev) for _, entry, _ in harness.history]
    sapling = [sum(-tx.value_balance for tx in block.transactions) for block in BLOCKS]
    sprout = [sum(js.vpub_old - js.vpub_new for tx in block.transactions for js in tx.joinsplits) for block in BLOCKS]
    assert [(pool.sprout_delta, pool.sapling_delta) for pool in pools] == list(zip(sprout, sapling))
    assert (pools[-1].chain_sprout, pools[-1].chain_sapling) == (sum(sprout), sum(sapling))
    assert all(pool.sprout_root == SproutTree.empty_root() for pool in pools)


def test_a_wrong_sapling_root_is_refused_from_acadia_only():
    harness = Harness()
    assert _failure(harness, _with_root(BLOCKS[0], bytes(32))) == "bad-sapling-root-in-block"
    before_acadia = Harness(PARAMS)
    before_acadia.connect(_with_root(BLOCKS[0], bytes(32)))


def test_a_sapling_nullifier_is_spent_once_across_blocks_and_in_one_block():
    harness = Harness()
    for block in BLOCKS:
        harness.connect(block)
    spender = next(tx for tx in BLOCKS[2].transactions if tx.shielded_spends)
    again = _with_root(dataclasses.replace(BLOCKS[2], transactions=(BLOCKS[2].transactions[0], spender)),
                       BLOCKS[2].header.final_sapling_root_rev)  # fmt: skip
    assert _failure(harness, again) == "bad-txns-joinsplit-requirements-not-met"
    harness.disconnect()
    twice = dataclasses.replace(BLOCKS[2], transactions=(*BLOCKS[2].transactions, spender))
    assert _failure(harness, twice) == "bad-txns-joinsplit-requirements-not-met"


def test_a_spend_of_an_unknown_anchor_is_refused():
    harness = Harness()
    harness.connect(BLOCKS[0])
    harness.connect(BLOCKS[1])
    spender = next(tx for tx in BLOCKS[2].transactions if tx.shielded_spends)
    spend = dataclasses.replace(spender.shielded_spends[0], anchor=bytes(31) + b"\x01")
    block = dataclasses.replace(BLOCKS[2], transactions=(BLOCKS[2].transactions[0],
                                                         dataclasses.replace(spender, shielded_spends=(spend,))))  # fmt: skip
    assert _failure(harness, block) == "bad-txns-joinsplit-requirements-not-met"


def test_a_joinsplit_may_use_the_root_an_earlier_joinsplit_of_its_transaction_made():
    harness = Harness(PARAMS)
    empty = SproutTree.empty_root()
    source = next(tx for tx in ZCASH_BLOCKS[1].transactions if tx.joinsplits)
    first = dataclasses.replace(source.joinsplits[0], anchor=empty)
    tree = SproutTree()
    for commitment in first.commitments:
        tree.append(commitment)
    second = dataclasses.replace(source.joinsplits[0], anchor=tree.root(), nullifiers=(b"\x07" * 32, b"\x08" * 32))
    tx = dataclasses.replace(source, joinsplits=(first, second))
    harness.connect(dataclasses.replace(BLOCKS[0], transactions=(BLOCKS[0].transactions[0], tx)))
    view = harness.view()
    assert view.tree_at("sprout", view.best_root("sprout")).size() == 4
    assert all(view.nullifier_spent("sprout", nf) for js in (first, second) for nf in js.nullifiers)
    unknown = dataclasses.replace(second, anchor=b"\x09" * 32, nullifiers=(b"\x0a" * 32, b"\x0b" * 32))
    block = dataclasses.replace(BLOCKS[0], transactions=(BLOCKS[0].transactions[0], dataclasses.replace(source, joinsplits=(unknown,))))
    assert _failure(harness, block) == "bad-txns-joinsplit-requirements-not-met"


def test_an_empty_chain_has_the_empty_roots_as_anchors():
    view = Harness().view()
    assert view.best_root("sprout") == SproutTree.empty_root() and view.best_root("sapling") == SaplingTree.empty_root()
    assert view.tree_at("sapling", SaplingTree.empty_root()).size() == 0
