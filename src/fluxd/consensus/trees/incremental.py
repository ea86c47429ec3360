"""The incremental Merkle tree shared by Sprout and Sapling (C++ IncrementalMerkleTree).

The tree keeps only its right frontier: ``left`` and ``right`` are the two
newest leaves of the current pair, and ``parents[i]`` is the root of a full
left subtree of height ``i + 1`` still waiting for its right sibling (None
when there is none).  Node hashes are 32 bytes in internal order, exactly as
the C++ node keeps its uint256.

Serialization is the C++ one: Optional(left), Optional(right), then a
CompactSize count and one Optional per parent, where Optional is a 0x00 byte
or a 0x01 byte followed by the 32-byte hash.  Reading enforces the C++
well-formedness rules (``wfcheck``).

Subclasses give the depth and the hash: ``combine(left, right, level)`` where
level 0 joins two leaves, and ``uncommitted()`` for the empty leaf.
"""

from __future__ import annotations

import threading

from fluxd.util.serialize import DecodeError, Reader, Writer

HASH_SIZE = 32
_EMPTY_ROOTS_LOCK = threading.Lock()  # the caches grow by index; keep growth atomic


class TreeFullError(ValueError):
    """Appending to a tree that already holds 2**depth leaves (C++ "tree is full")."""


class IncrementalMerkleTree:
    """Frontier of an append-only Merkle tree of fixed depth (see module docstring).

    A tree kind is a subclass giving its hash: the classmethods ``combine(left, right, level)`` (two 32-byte
    children at ``level``, 0 = leaves, into their parent) and ``uncommitted()`` (the empty leaf, EmptyRoot(0)),
    with ``DEFAULT_DEPTH``, ``MAX_DEPTH`` and its own ``_EMPTY_ROOTS`` cache list."""

    __slots__ = ("depth", "left", "right", "parents", "_root")

    DEFAULT_DEPTH = 0
    MAX_DEPTH = 64
    _EMPTY_ROOTS: list[bytes] = []  # each subclass sets its own cache list

    def __init__(self, depth: int | None = None) -> None:
        depth = self.DEFAULT_DEPTH if depth is None else depth
        if not 1 <= depth <= self.MAX_DEPTH:
            raise ValueError(f"tree depth {depth} is out of range 1..{self.MAX_DEPTH}")
        self.depth = depth
        self.left: bytes | None = None
        self.right: bytes | None = None
        self.parents: list[bytes | None] = []
        self._root: bytes | None = None

    @classmethod
    def empty_root(cls, depth: int | None = None) -> bytes:
        """Root of an empty tree of ``depth`` (C++ EmptyMerkleRoots; default: the class depth)."""
        depth = cls.DEFAULT_DEPTH if depth is None else depth
        if not 0 <= depth <= cls.MAX_DEPTH:
            raise ValueError(f"empty root depth {depth} is out of range 0..{cls.MAX_DEPTH}")
        roots = cls._EMPTY_ROOTS
        if depth < len(roots):
            return roots[depth]
        with _EMPTY_ROOTS_LOCK:
            if not roots:
                roots.append(cls.uncommitted())
            while len(roots) <= depth:
                below = roots[-1]
                roots.append(cls.combine(below, below, len(roots) - 1))
        return roots[depth]

    # -- state ------------------------------------------------------------------

    def size(self) -> int:
        """Number of leaves appended: the parents read as a binary number."""
        count = (self.left is not None) + (self.right is not None)
        for i, parent in enumerate(self.parents):
            if parent is not None:
                count += 1 << (i + 1)
        return count

    def __len__(self) -> int:
        return self.size()

    def last(self) -> bytes:
        """The most recently appended leaf; ValueError on an empty tree."""
        if self.right is not None:
            return self.right
        if self.left is not None:
            return self.left
        raise ValueError("tree has no cursor")

    def is_full(self) -> bool:
        """True when all 2**depth leaf positions are taken (C++ is_complete(Depth))."""
        if self.left is None or self.right is None:
            return False
        if len(self.parents) != self.depth - 1:
            return False
        return all(parent is not None for parent in self.parents)

    def copy(self):
        """An independent copy; hashes are immutable bytes, so only the list is copied."""
        other = self.__class__.__new__(self.__class__)
        other.depth = self.depth
        other.left = self.left
        other.right = self.right
        other.parents = list(self.parents)
        other._root = self._root
        return other

    __copy__ = copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IncrementalMerkleTree) or type(other) is not type(self):
            return NotImplemented
        return (self.depth, self.left, self.right, self.parents) == (
            other.depth, other.left, other.right, other.parents)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(depth={self.depth}, size={self.size()})"

    # -- append and root --------------------------------------------------------

    def append(self, leaf: bytes) -> None:
        """Append one 32-byte leaf; TreeFullError when the tree is full."""
        leaf = _check_hash(leaf, "leaf")
        if self.is_full():
            raise TreeFullError("tree is full")
        self._root = None
        if self.left is None:
            self.left = leaf
        elif self.right is None:
            self.right = leaf
        else:
            carry = self.combine(self.left, self.right, 0)
            self.left, self.right = leaf, None
            self._carry_up(carry)

    def _carry_up(self, carry: bytes) -> None:
        """Merge a completed pair into the parents, like a binary counter increment."""
        parents = self.parents
        for i in range(self.depth):
            if i == len(parents):
                parents.append(carry)
                return
            if parents[i] is None:
                parents[i] = carry
                return
            carry = self.combine(parents[i], carry, i + 1)
            parents[i] = None

    def root(self) -> bytes:
        """The tree root in internal byte order (memoized until the next append)."""
        if self._root is None:
            self._root = self._compute_root()
        return self._root

    def _compute_root(self) -> bytes:
        """Fold the frontier upward, filling missing siblings with empty roots."""
        empty = self.empty_root
        left = self.left if self.left is not None else empty(0)
        right = self.right if self.right is not None else empty(0)
        node = self.combine(left, right, 0)
        level = 1
        for parent in self.parents:
            if parent is not None:
                node = self.combine(parent, node, level)
            else:
                node = self.combine(node, empty(level), level)
            level += 1
        while level < self.depth:
            node = self.combine(node, empty(level), level)
            level += 1
        return node

    # -- serialization ------------------------------------------------------------

    def write(self, writer: Writer) -> None:
        """Write the C++ serialization to ``writer``."""
        _write_optional(writer, self.left)
        _write_optional(writer, self.right)
        writer.compact_size(len(self.parents))
        for parent in self.parents:
            _write_optional(writer, parent)

    def serialize(self) -> bytes:
        """The C++ serialization as bytes."""
        writer = Writer()
        self.write(writer)
        return writer.getvalue()

    @classmethod
    def read(cls, reader: Reader, depth: int | None = None):
        """Read a tree from ``reader``; DecodeError for malformed or non-canonical data."""
        tree = cls(depth)
        tree.left = _read_optional(reader)
        tree.right = _read_optional(reader)
        count = reader.count(1)
        tree.parents = [_read_optional(reader) for _ in range(count)]
        tree._wfcheck()
        return tree

    @classmethod
    def deserialize(cls, data: bytes, depth: int | None = None):
        """Parse exactly one serialized tree (trailing bytes are an error)."""
        reader = Reader(data)
        tree = cls.read(reader, depth)
        reader.expect_end("incremental merkle tree")
        return tree

    def _wfcheck(self) -> None:
        """C++ wfcheck: the representation must be canonical for the depth."""
        if len(self.parents) >= self.depth:
            raise DecodeError("tree has too many parents")
        if self.parents and self.parents[-1] is None:
            raise DecodeError("tree has non-canonical representation of parent")
        if self.left is None and self.right is not None:
            raise DecodeError("tree has non-canonical representation; right should not exist")
        if self.left is None and self.parents:
            raise DecodeError("tree has non-canonical representation; parents should not be unempty")


def _check_hash(value: bytes, what: str) -> bytes:
    value = bytes(value)
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")
    return value


def _write_optional(writer: Writer, value: bytes | None) -> None:
    if value is None:
        writer.u8(0)
    else:
        writer.u8(1)
        writer.write(value)


def _read_optional(reader: Reader) -> bytes | None:
    flag = reader.u8()
    if flag == 0:
        return None
    if flag != 1:
        raise DecodeError("non-canonical optional discriminant")
    return reader.hash32()
