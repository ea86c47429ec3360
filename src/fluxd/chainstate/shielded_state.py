"""Shielded chain state as a consensus module (C++ CCoinsViewCache anchors and nullifiers, ConnectBlock's
tree updates, the block index's value pools).

Columns (all in ``ext``):

- ``SPROUT_ANCHORS`` / ``SAPLING_ANCHORS``: tree root (internal bytes) → the tree's C++ serialization, one
  per root a block left (C++ 'A' / 'Z' records); the empty tree's root is always an anchor and never stored;
- ``BEST``: b"sprout" / b"sapling" → the root at the tip (C++ 'a' / 'z', GetBestAnchor);
- ``SPROUT_NULLIFIERS`` / ``SAPLING_NULLIFIERS``: nullifier → b"" (C++ 's' / 'S');
- ``POOLS``: block hash → LE64 Sprout and Sapling deltas of the block, the chain's totals after it, then
  the Sprout root after it (C++ CBlockIndex nSproutValue, nSaplingValue, nChainSproutValue,
  nChainSaplingValue, hashFinalSproutRoot: getblock's valuePools and anchor).

Per block, in transaction order (ConnectBlock): ``HaveShieldedRequirements`` against what the earlier
transactions left (``bad-txns-joinsplit-requirements-not-met``), then the transaction's commitments are
appended (JoinSplits' to the Sprout tree, outputs' cmu to the Sapling tree) and its nullifiers marked;
after the block the roots become anchors and the best ones, and from ACADIA the header's
hashFinalSaplingRoot must be the Sapling root (``bad-sapling-root-in-block``).  The undo is every key's
value before the block (chainstate/keyed_undo.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from fluxd.chainstate.keyed_undo import RecordingWriter, apply_keyed_undo
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import BYTES, Column, StateReader, StateWriter, fixed_bytes
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree
from fluxd.consensus.validation import ValidationError, reject
from fluxd.core.transaction import Transaction
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, network_upgrade_active

SPROUT_ANCHORS = Column("shielded.sprout_anchor", family="ext", prefix=b"sh/A", key=fixed_bytes(32), value=BYTES)
SAPLING_ANCHORS = Column("shielded.sapling_anchor", family="ext", prefix=b"sh/Z", key=fixed_bytes(32), value=BYTES)
BEST = Column("shielded.best", family="ext", prefix=b"sh/b", key=BYTES, value=fixed_bytes(32))
SPROUT_NULLIFIERS = Column("shielded.sprout_nullifier", family="ext", prefix=b"sh/s", key=fixed_bytes(32), value=BYTES)
SAPLING_NULLIFIERS = Column("shielded.sapling_nullifier", family="ext", prefix=b"sh/S", key=fixed_bytes(32), value=BYTES)
POOLS = Column("shielded.pools", family="ext", prefix=b"sh/v", key=fixed_bytes(32), value=fixed_bytes(64))
COLUMNS = (SPROUT_ANCHORS, SAPLING_ANCHORS, BEST, SPROUT_NULLIFIERS, SAPLING_NULLIFIERS, POOLS)
REQUIREMENTS_NOT_MET = "bad-txns-joinsplit-requirements-not-met"

_KINDS = {"sprout": (SproutTree, SPROUT_ANCHORS, SPROUT_NULLIFIERS), "sapling": (SaplingTree, SAPLING_ANCHORS, SAPLING_NULLIFIERS)}


class ShieldedView:
    """The shielded state as one reader sees it (the tip for RPC and the mempool, the parent at connect)."""

    def __init__(self, state: StateReader) -> None:
        self.state = state

    def best_root(self, kind: str) -> bytes:
        root = self.state.get(BEST, kind.encode())
        return root if root is not None else _KINDS[kind][0].empty_root()

    def tree_at(self, kind: str, root: bytes):
        """C++ GetSproutAnchorAt / GetSaplingAnchorAt: the tree with that root, or None when it is no anchor."""
        tree_class, anchors, _ = _KINDS[kind]
        if root == tree_class.empty_root():
            return tree_class()
        raw = self.state.get(anchors, root)
        return None if raw is None else tree_class.deserialize(raw)

    def is_anchor(self, kind: str, root: bytes) -> bool:
        return root == _KINDS[kind][0].empty_root() or self.state.get(_KINDS[kind][1], root) is not None

    def nullifier_spent(self, kind: str, nullifier: bytes) -> bool:
        return self.state.get(_KINDS[kind][2], nullifier) is not None

    def pools(self, block_hash_rev: bytes) -> BlockPools | None:
        """The value pools and Sprout root a connected block left, if it is connected."""
        raw = self.state.get(POOLS, block_hash_rev)
        return None if raw is None else BlockPools(*struct.unpack("<qqqq", raw[:32]), raw[32:])


@dataclass(frozen=True, slots=True)
class BlockPools:
    sprout_delta: int
    sapling_delta: int
    chain_sprout: int
    chain_sapling: int
    sprout_root: bytes  # internal byte order


def have_shielded_requirements(tx: Transaction, view: ShieldedView, spent=None) -> bool:
    """C++ HaveShieldedRequirements: nullifiers unspent (``spent(kind, nf)``, default the view's), Sprout
    anchors stored or made by an earlier JoinSplit of the same transaction, Sapling anchors stored."""
    spent = spent or view.nullifier_spent
    intermediates: dict[bytes, object] = {}
    for joinsplit in tx.joinsplits:
        if any(spent("sprout", nullifier) for nullifier in joinsplit.nullifiers):
            return False
        tree = intermediates.get(joinsplit.anchor)
        tree = tree.copy() if tree is not None else view.tree_at("sprout", joinsplit.anchor)
        if tree is None:
            return False
        for commitment in joinsplit.commitments:
            tree.append(commitment)
        intermediates[tree.root()] = tree
    for spend in tx.shielded_spends:
        if spent("sapling", spend.nullifier) or not view.is_anchor("sapling", spend.anchor):
            return False
    return True


def value_deltas(tx: Transaction) -> tuple[int, int]:
    """A transaction's change to the Sprout and Sapling pools (C++ nSproutValue / nSaplingValue parts)."""
    return sum(js.vpub_old - js.vpub_new for js in tx.joinsplits), -tx.value_balance


class ShieldedStateModule:
    name = "shielded"
    kind = "consensus"
    columns = COLUMNS

    def __init__(self, params: ChainParams) -> None:
        self.params = params

    def connect_block(self, context: BlockContext, state: StateWriter) -> bytes:
        writer = RecordingWriter(state, COLUMNS)
        view = ShieldedView(state)
        roots = {kind: view.best_root(kind) for kind in _KINDS}
        trees: dict = {}  # read only when the block has shielded parts (most blocks have none)
        sprout_delta = sapling_delta = 0
        for tx in context.block.transactions:
            if not tx.has_shielded():
                continue
            if not have_shielded_requirements(tx, view):
                raise ValidationError(REQUIREMENTS_NOT_MET).blaming(tx.txid_rev)
            trees = trees or {kind: view.tree_at(kind, roots[kind]) for kind in _KINDS}
            self._apply(tx, trees, writer)
            sprout, sapling = value_deltas(tx)
            sprout_delta, sapling_delta = sprout_delta + sprout, sapling_delta + sapling
        for kind, tree in trees.items():
            self._push_anchor(kind, tree, view, writer)
            roots[kind] = tree.root()
        if network_upgrade_active(self.params, context.height, Upgrade.ACADIA):
            if context.block.header.final_sapling_root_rev != roots["sapling"]:
                reject("bad-sapling-root-in-block")
        self._record_pools(context, view, writer, (sprout_delta, sapling_delta), roots["sprout"])
        return writer.undo()

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        apply_keyed_undo(state, COLUMNS, undo or b"\x00", "shielded undo")

    @staticmethod
    def _apply(tx: Transaction, trees: dict, writer: RecordingWriter) -> None:
        for joinsplit in tx.joinsplits:
            for commitment in joinsplit.commitments:
                trees["sprout"].append(commitment)
            for nullifier in joinsplit.nullifiers:
                writer.put(SPROUT_NULLIFIERS, nullifier, b"")
        for output in tx.shielded_outputs:
            trees["sapling"].append(output.cmu)
        for spend in tx.shielded_spends:
            writer.put(SAPLING_NULLIFIERS, spend.nullifier, b"")

    @staticmethod
    def _push_anchor(kind: str, tree, view: ShieldedView, writer: RecordingWriter) -> None:
        """C++ PushAnchor: a new root is stored with its tree and becomes the best one."""
        root = tree.root()
        if root == view.best_root(kind):
            return
        if root != type(tree).empty_root():
            writer.put(_KINDS[kind][1], root, tree.serialize())
        writer.put(BEST, kind.encode(), root)

    @staticmethod
    def _record_pools(context: BlockContext, view: ShieldedView, writer, deltas: tuple[int, int], sprout_root: bytes) -> None:
        prev = context.entry.prev
        before = view.pools(prev.hash_rev) if prev is not None else None
        chain_sprout, chain_sapling = (before.chain_sprout, before.chain_sapling) if before is not None else (0, 0)
        sprout_delta, sapling_delta = deltas
        totals = struct.pack("<qqqq", sprout_delta, sapling_delta, chain_sprout + sprout_delta, chain_sapling + sapling_delta)
        writer.put(POOLS, context.entry.hash_rev, totals + sprout_root)


__all__ = ["BlockPools", "COLUMNS", "REQUIREMENTS_NOT_MET", "ShieldedStateModule", "ShieldedView", "have_shielded_requirements"]
