"""Raw blocks in ``blocks/blk00000.dat`` … framed as C++ does: network magic, u32 length, block.

Blocks are only appended; a block's position is (file number, offset of its
data).  ``scan_file`` walks the frames of a file for -reindex / -loadblock and
skips anything that is not a well-formed frame, as C++ LoadExternalBlockFile does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BLOCKFILE_SIZE = 0x8000000  # 128 MiB
MAX_BLOCK_FRAME = 2_000_000 + 1_000_000  # a block can't be larger (MAX_BLOCK_SIZE plus slack)
FRAME_HEADER = 8


class BlockFileError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class BlockPos:
    file_no: int
    data_pos: int


def block_file_name(file_no: int) -> str:
    return f"blk{file_no:05d}.dat"


class BlockFiles:
    """Append-only block storage under ``directory``; one writer, any number of readers."""

    def __init__(self, directory: Path | str, magic: bytes, max_file_size: int = MAX_BLOCKFILE_SIZE) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.magic = magic
        self.max_file_size = max_file_size
        self._lock = threading.Lock()
        self.current_file = self._last_file_no()
        self._unsynced: set[int] = set()  # files appended to since the last sync()
        self._sizes: dict[int, int] = {}  # files this object appended to: their size (only it appends)

    def _last_file_no(self) -> int:
        numbers = [int(path.name[3:8]) for path in self.directory.glob("blk?????.dat") if path.name[3:8].isdigit()]
        return max(numbers, default=0)

    def path(self, file_no: int) -> Path:
        return self.directory / block_file_name(file_no)

    def file_numbers(self) -> list[int]:
        return sorted(int(path.name[3:8]) for path in self.directory.glob("blk?????.dat") if path.name[3:8].isdigit())

    def append(self, block_bytes: bytes, sync: bool = False) -> BlockPos:
        frame = self.magic + len(block_bytes).to_bytes(4, "little") + block_bytes
        with self._lock:
            size = self._size(self.current_file)
            if size and size + len(frame) > self.max_file_size:
                self.current_file += 1
                size = self._size(self.current_file)
            with open(self.path(self.current_file), "ab") as handle:
                handle.write(frame)
                handle.flush()
                size = handle.tell() - len(frame)  # where the frame went, even if the file was changed meanwhile
                if sync:
                    os.fsync(handle.fileno())
                else:
                    self._unsynced.add(self.current_file)
            self._sizes[self.current_file] = size + len(frame)
            return BlockPos(self.current_file, size + FRAME_HEADER)

    def _size(self, file_no: int) -> int:
        known = self._sizes.get(file_no)
        if known is None:
            path = self.path(file_no)
            known = self._sizes[file_no] = path.stat().st_size if path.exists() else 0
        return known

    def sync(self) -> None:
        """fsync every file appended to since the last call (C++ FlushBlockFile before a chainstate flush)."""
        with self._lock:
            for file_no in sorted(self._unsynced):
                with open(self.path(file_no), "rb") as handle:
                    os.fsync(handle.fileno())
            self._unsynced.clear()

    def read(self, pos: BlockPos) -> bytes:
        try:
            with open(self.path(pos.file_no), "rb") as handle:
                handle.seek(pos.data_pos - FRAME_HEADER)
                header = handle.read(FRAME_HEADER)
                if len(header) != FRAME_HEADER or header[:4] != self.magic:
                    raise BlockFileError(f"no block at {block_file_name(pos.file_no)}:{pos.data_pos}")
                length = int.from_bytes(header[4:], "little")
                data = handle.read(length)
        except OSError as exc:
            raise BlockFileError(f"cannot read {block_file_name(pos.file_no)}: {exc}") from exc
        if len(data) != length:
            raise BlockFileError(f"truncated block at {block_file_name(pos.file_no)}:{pos.data_pos}")
        return data

    def scan(self, file_no: int) -> Iterator[tuple[BlockPos, bytes]]:
        yield from scan_frames(self.path(file_no), self.magic, file_no)


def scan_frames(path: Path, magic: bytes, file_no: int = 0) -> Iterator[tuple[BlockPos, bytes]]:
    """Every well-formed frame of a block file, in order (garbage and torn tails are skipped)."""
    data = path.read_bytes()
    pos = 0
    while True:
        found = data.find(magic, pos)
        if found < 0 or found + FRAME_HEADER > len(data):
            return
        length = int.from_bytes(data[found + 4 : found + 8], "little")
        start = found + FRAME_HEADER
        if length < 80 or length > MAX_BLOCK_FRAME or start + length > len(data):
            pos = found + 1
            continue
        yield BlockPos(file_no, start), data[start : start + length]
        pos = start + length
