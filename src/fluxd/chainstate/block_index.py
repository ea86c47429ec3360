"""The block index: one entry per accepted header, with chainwork, status and a skip list.

Status flags and the skip-list heights follow C++ ``chain.h`` (``BlockStatus``,
``GetSkipHeight``), so ``ancestor(height)`` is O(log n) from any entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.consensus.difficulty import median_time_past
from fluxd.core.block import BlockHeader
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.serialize import DecodeError, Reader, Writer

BLOCK_VALID_UNKNOWN = 0
BLOCK_VALID_HEADER = 1
BLOCK_VALID_TREE = 2
BLOCK_VALID_TRANSACTIONS = 3
BLOCK_VALID_CHAIN = 4
BLOCK_VALID_SCRIPTS = 5
BLOCK_VALID_MASK = 7
BLOCK_HAVE_DATA = 8
BLOCK_HAVE_UNDO = 16
BLOCK_FAILED_VALID = 32
BLOCK_FAILED_CHILD = 64
BLOCK_FAILED_MASK = BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD

NO_FILE = -1
INDEX_FORMAT_VERSION = 1


def _invert_lowest_one(value: int) -> int:
    return value & (value - 1)


def skip_height(height: int) -> int:
    """C++ GetSkipHeight: a height below ``height`` that makes ancestor walks logarithmic."""
    if height < 2:
        return 0
    if height & 1:
        return _invert_lowest_one(_invert_lowest_one(height - 1)) + 1
    return _invert_lowest_one(height)


@dataclass(eq=False, slots=True)
class BlockIndexEntry:
    header: BlockHeader
    height: int
    chainwork: int
    prev: "BlockIndexEntry | None" = None
    skip: "BlockIndexEntry | None" = None
    status: int = BLOCK_VALID_HEADER
    tx_count: int = 0
    chain_tx_count: int = 0
    file_no: int = NO_FILE
    data_pos: int = 0
    undo_file_no: int = NO_FILE
    undo_pos: int = 0
    sequence_id: int = 0
    hash_rev: bytes = field(default=b"")

    def __post_init__(self) -> None:
        if not self.hash_rev:
            self.hash_rev = self.header.hash_rev
        if self.prev is not None and self.skip is None:
            self.skip = self.prev.ancestor(skip_height(self.height))

    @property
    def hash_hum(self) -> str:
        return rev_to_hum(self.hash_rev)

    @property
    def time(self) -> int:
        return self.header.time

    @property
    def bits(self) -> int:
        return self.header.bits

    @property
    def prev_hash_rev(self) -> bytes:
        return self.header.prev_block_rev

    def ancestor(self, height: int) -> "BlockIndexEntry | None":
        """C++ CBlockIndex::GetAncestor."""
        if height > self.height or height < 0:
            return None
        walk: BlockIndexEntry = self
        walk_height = self.height
        while walk_height > height:
            skip_walk = skip_height(walk_height)
            skip_prev = skip_height(walk_height - 1)
            if walk.skip is not None and (
                skip_walk == height
                or (skip_walk > height and not (skip_prev < skip_walk - 2 and skip_prev >= height))
            ):
                walk = walk.skip
                walk_height = skip_walk
            else:
                assert walk.prev is not None
                walk = walk.prev
                walk_height -= 1
        return walk

    def is_valid(self, up_to: int = BLOCK_VALID_TRANSACTIONS) -> bool:
        if self.status & BLOCK_FAILED_MASK:
            return False
        return (self.status & BLOCK_VALID_MASK) >= up_to

    def raise_validity(self, up_to: int) -> bool:
        if self.status & BLOCK_FAILED_MASK:
            return False
        if (self.status & BLOCK_VALID_MASK) < up_to:
            self.status = (self.status & ~BLOCK_VALID_MASK) | up_to
            return True
        return False

    def have_data(self) -> bool:
        return bool(self.status & BLOCK_HAVE_DATA)

    def median_time_past(self) -> int:
        """C++ GetMedianTimePast: the median time of this block and up to 10 before it."""
        return median_time_past(self)

    def record_bytes(self) -> bytes:
        """The database record (the header plus index fields; links are rebuilt on load)."""
        writer = Writer()
        writer.u8(INDEX_FORMAT_VERSION)
        writer.u32(self.height)
        writer.var_bytes(self.chainwork.to_bytes(32, "big"))
        writer.u32(self.status)
        writer.u32(self.tx_count)
        writer.u64(self.chain_tx_count)
        writer.i32(self.file_no)
        writer.u64(self.data_pos)
        writer.i32(self.undo_file_no)
        writer.u64(self.undo_pos)
        self.header.write(writer)
        return writer.getvalue()


@dataclass(frozen=True, slots=True)
class IndexRecord:
    """A decoded block index record before it is linked to its parent."""

    header: BlockHeader
    height: int
    chainwork: int
    status: int
    tx_count: int
    chain_tx_count: int
    file_no: int
    data_pos: int
    undo_file_no: int
    undo_pos: int

    @classmethod
    def from_bytes(cls, data: bytes) -> "IndexRecord":
        reader = Reader(data)
        if reader.u8() != INDEX_FORMAT_VERSION:
            raise DecodeError("unknown block index record version")
        height = reader.u32()
        chainwork = int.from_bytes(reader.var_bytes(), "big")
        status = reader.u32()
        tx_count = reader.u32()
        chain_tx_count = reader.u64()
        file_no = reader.i32()
        data_pos = reader.u64()
        undo_file_no = reader.i32()
        undo_pos = reader.u64()
        header = BlockHeader.read(reader)
        reader.expect_end("block index record")
        return cls(header, height, chainwork, status, tx_count, chain_tx_count, file_no, data_pos, undo_file_no, undo_pos)

    def to_entry(self, prev: BlockIndexEntry | None) -> BlockIndexEntry:
        return BlockIndexEntry(
            header=self.header, height=self.height, chainwork=self.chainwork, prev=prev, status=self.status,
            tx_count=self.tx_count, chain_tx_count=self.chain_tx_count, file_no=self.file_no,
            data_pos=self.data_pos, undo_file_no=self.undo_file_no, undo_pos=self.undo_pos,
        )
