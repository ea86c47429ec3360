"""Witnesses and authentication paths of the note commitment trees (C++ IncrementalWitness, MerklePath in
src/flux/IncrementalMerkleTree.{hpp,cpp}).

A witness keeps the tree as it was when its note was the last leaf, the roots of the subtrees completed
since ("filled", oldest first) and the subtree being filled now ("cursor" at ``cursor_depth``).  Its root is
the tree's root with those as the missing uncles; its path is what a spend proof takes.  Consensus does
not need witnesses (wallets do); they are here so the C++ merkle_path / merkle_witness vectors check the
trees completely.
"""

from __future__ import annotations

from fluxd.consensus.trees.incremental import IncrementalMerkleTree, TreeFullError
from fluxd.util.serialize import Writer


def next_depth(tree: IncrementalMerkleTree, skip: int) -> int:
    """C++ next_depth: the depth of the next unfilled subtree, once ``skip`` uncles are filled."""
    for node, depth in ((tree.left, 0), (tree.right, 0)):
        if node is None:
            if not skip:
                return depth
            skip -= 1
    depth = 1
    for parent in tree.parents:
        if parent is None:
            if not skip:
                return depth
            skip -= 1
        depth += 1
    return depth + skip


def is_complete(tree: IncrementalMerkleTree, depth: int) -> bool:
    return tree.left is not None and tree.right is not None and len(tree.parents) == depth - 1 and all(
        parent is not None for parent in tree.parents)  # fmt: skip


def root_with(tree: IncrementalMerkleTree, depth: int, fillers: list[bytes]) -> bytes:
    """C++ root(depth, filler_hashes): missing siblings from ``fillers`` in order, then empty roots."""
    queue = list(fillers)

    def filler(level: int) -> bytes:
        return queue.pop(0) if queue else tree.empty_root(level)

    left = tree.left if tree.left is not None else filler(0)
    right = tree.right if tree.right is not None else filler(0)
    node = tree.combine(left, right, 0)
    level = 1
    for parent in tree.parents:
        node = tree.combine(parent, node, level) if parent is not None else tree.combine(node, filler(level), level)
        level += 1
    while level < depth:
        node = tree.combine(node, filler(level), level)
        level += 1
    return node


def path_bytes(tree: IncrementalMerkleTree, fillers: list[bytes]) -> bytes:
    """C++ path(filler_hashes) serialized as MerklePath: the sibling hashes top-down (each a 32-byte vector) and
    the left/right bits top-down as one LE64 integer."""
    if tree.left is None:
        raise ValueError("can't create an authentication path for the beginning of the tree")
    queue = list(fillers)

    def filler(level: int) -> bytes:
        return queue.pop(0) if queue else tree.empty_root(level)

    path, index = ([tree.left], [1]) if tree.right is not None else ([filler(0)], [0])
    level = 1
    for parent in tree.parents:
        path.append(parent if parent is not None else filler(level))
        index.append(1 if parent is not None else 0)
        level += 1
    while level < tree.depth:
        path.append(filler(level))
        index.append(0)
        level += 1
    writer = Writer()
    writer.compact_size(len(path))
    for node in reversed(path):
        writer.var_bytes(node)
    writer.u64(int("".join(str(bit) for bit in reversed(index)), 2))
    return writer.getvalue()


class IncrementalWitness:
    def __init__(self, tree: IncrementalMerkleTree) -> None:
        self.tree = tree.copy()
        self.filled: list[bytes] = []
        self.cursor: IncrementalMerkleTree | None = None
        self.cursor_depth = 0

    def append(self, leaf: bytes) -> None:
        if self.cursor is not None:
            self.cursor.append(leaf)
            if is_complete(self.cursor, self.cursor_depth):
                self.filled.append(root_with(self.cursor, self.cursor_depth, []))
                self.cursor = None
            return
        self.cursor_depth = next_depth(self.tree, len(self.filled))
        if self.cursor_depth >= self.tree.depth:
            raise TreeFullError("tree is full")
        if self.cursor_depth == 0:
            self.filled.append(leaf)
        else:
            self.cursor = type(self.tree)(self.tree.depth)
            self.cursor.append(leaf)

    def partial_path(self) -> list[bytes]:
        uncles = list(self.filled)
        if self.cursor is not None:
            uncles.append(root_with(self.cursor, self.cursor_depth, []))
        return uncles

    def root(self) -> bytes:
        return root_with(self.tree, self.tree.depth, self.partial_path())

    def element(self) -> bytes:
        return self.tree.last()

    def path(self) -> bytes:
        return path_bytes(self.tree, self.partial_path())

    def serialize(self) -> bytes:
        writer = Writer()
        self.tree.write(writer)
        writer.compact_size(len(self.filled))
        for node in self.filled:
            writer.write(node)
        writer.boolean(self.cursor is not None)
        if self.cursor is not None:
            self.cursor.write(writer)
        return writer.getvalue()


__all__ = ["IncrementalWitness", "TreeFullError", "is_complete", "next_depth", "path_bytes", "root_with"]
