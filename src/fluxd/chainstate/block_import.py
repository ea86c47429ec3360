"""-reindex and -loadblock: feed blocks from blk?????.dat-format files through ``Chainstate.process_block``.

Follows C++ LoadExternalBlockFile / ThreadImport:

* a file is scanned for the network magic; a frame whose size is outside
  80..MAX_BLOCK_SIZE or whose block does not deserialize is skipped and the
  scan resumes one byte after that magic (garbage, torn or truncated tails);
* a block whose parent is not yet indexed is remembered by position while
  reindexing (the parent may come later, even in a later file) and processed
  as soon as its parent arrives; an external file (-loadblock) has no
  position to come back to, so such blocks are skipped, as in C++;
* while reindexing blocks already sit in our block files, so they are indexed
  at their position and never appended a second time.

The ``reindexing`` meta flag (C++ WriteReindexing) stays set until every file
has been read, so a node stopped half-way resumes the reindex at its next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from fluxd.chainstate.chainstate import Chainstate
from fluxd.consensus.block_check import MAX_BLOCK_SIZE
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.storage.block_files import FRAME_HEADER, BlockFileError, BlockPos, block_file_name
from fluxd.storage.kv import KVStore, StorageError, WriteBatch
from fluxd.util.serialize import DecodeError, Reader

log = logging.getLogger("fluxd.import")
REINDEX_KEY = b"reindexing"
PROGRESS_SECONDS = 10.0


class ImportAborted(Exception):
    """A storage failure while importing (C++ state.IsError()): the import stops, nothing is lost."""


def is_reindexing(store: KVStore) -> bool:
    return store.get("meta", REINDEX_KEY) is not None


def set_reindexing(store: KVStore, on: bool) -> None:
    batch = WriteBatch()
    if on:
        batch.put("meta", REINDEX_KEY, b"\x01")
    else:
        batch.delete("meta", REINDEX_KEY)
    store.write(batch, sync=True)


def scan_blocks(data: bytes, magic: bytes, file_no: int = 0) -> Iterator[tuple[BlockPos, Block]]:
    """Every block framed as magic + u32 size in ``data``, skipping whatever is not (C++ scan rules)."""
    view = memoryview(data)
    pos = 0
    while True:
        found = data.find(magic, pos)
        if found < 0 or found + FRAME_HEADER > len(data):
            return
        pos = found + 1  # where the scan resumes if this frame is no good
        size = int.from_bytes(data[found + 4 : found + FRAME_HEADER], "little")
        if size < 80 or size > MAX_BLOCK_SIZE:
            continue
        start = found + FRAME_HEADER
        reader = Reader(view[start : start + size])
        try:
            block = Block.read(reader)
        except DecodeError as failure:
            log.info("Skipping unreadable block data at %s offset %d: %s", block_file_name(file_no), start, failure)
            continue
        yield BlockPos(file_no, start), block
        pos = start + reader.pos


class BlockImporter:
    """Loads block files into a chainstate; ``stop`` is checked between blocks."""

    def __init__(self, chainstate: Chainstate, stop: threading.Event | None = None) -> None:
        self.chainstate = chainstate
        self.stop = stop or threading.Event()
        self.loaded = 0
        self._unknown_parent: dict[bytes, list[BlockPos]] = {}  # parent hash -> children (reindex only)
        self._skipped_orphans = 0
        self._started = time.monotonic()
        self._last_report = self._started

    # ----- entry points ---------------------------------------------------------------------------
    def reindex(self) -> bool:
        """Rebuild from blk00000.dat, blk00001.dat, … up to the first missing file; True when finished."""
        chainstate = self.chainstate
        set_reindexing(chainstate.store, True)
        with _importing(chainstate):
            file_no = 0
            while chainstate.block_files.path(file_no).exists():
                log.info("Reindexing block file %s...", block_file_name(file_no))
                if not self._load(chainstate.block_files.path(file_no), file_no):
                    return False
                file_no += 1
        if self._unknown_parent:
            log.info("Reindex: %d blocks were left without their parent", sum(map(len, self._unknown_parent.values())))
        chainstate.ensure_genesis()
        set_reindexing(chainstate.store, False)
        log.info("Reindexing finished: %s", self._rate_text())
        return True

    def load_external(self, path: Path) -> bool:
        """-loadblock=<file>: import an external blk-format file (its blocks are appended to ours)."""
        if not path.is_file():
            log.warning("Warning: Could not open blocks file %s", path)
            return False
        log.info("Importing blocks file %s...", path)
        with _importing(self.chainstate):
            finished = self._load(path, None)
        if self._skipped_orphans:
            log.info("Skipped %d blocks of %s whose parent was not known", self._skipped_orphans, path)
            self._skipped_orphans = 0
        return finished

    # ----- one file -------------------------------------------------------------------------------
    def _load(self, path: Path, file_no: int | None) -> bool:
        started, loaded_before = time.monotonic(), self.loaded
        try:
            data = path.read_bytes()
        except OSError as failure:
            log.error("Cannot read block file %s: %s", path, failure)
            return False
        try:
            for pos, block in scan_blocks(data, self.chainstate.params.message_start, file_no or 0):
                if self.stop.is_set():
                    log.info("Block import interrupted at %s", self._rate_text())
                    return False
                self._offer(block, pos if file_no is not None else None)
        except ImportAborted as failure:
            log.error("Block import stopped: %s", failure)
            return False
        loaded = self.loaded - loaded_before
        if loaded:
            log.info("Loaded %d blocks from external file in %dms", loaded, (time.monotonic() - started) * 1000)
        return True

    def _offer(self, block: Block, pos: BlockPos | None) -> None:
        chainstate = self.chainstate
        block_hash = block.hash_rev
        if block_hash == chainstate.params.genesis_hash_rev:
            self._adopt_genesis(block, pos)
        elif block.header.prev_block_rev not in chainstate.index:
            log.debug("Out of order block %s, parent %s not known", _hum(block_hash), _hum(block.header.prev_block_rev))
            if pos is None:
                self._skipped_orphans += 1
            else:
                self._unknown_parent.setdefault(block.header.prev_block_rev, []).append(pos)
            return
        else:
            known = chainstate.index.get(block_hash)
            if known is None or not known.have_data():
                self._process(block, pos)
            elif known.height % 1000 == 0:
                log.info("Block Import: already had block %s at height %d", known.hash_hum, known.height)
        self._process_children(block_hash)

    def _adopt_genesis(self, block: Block, pos: BlockPos | None) -> None:
        chainstate = self.chainstate
        if block.hash_rev in chainstate.index:
            return
        if pos is None:  # an empty chain always has its genesis; only a reindex can get here
            chainstate.ensure_genesis()
            return
        chainstate.index_genesis(block, pos)
        self.loaded += 1

    def _process_children(self, parent_hash: bytes) -> None:
        queue = deque([parent_hash])
        while queue:
            for pos in self._unknown_parent.pop(queue.popleft(), []):
                try:
                    child = Block.from_bytes(self.chainstate.block_files.read(pos))
                except (BlockFileError, DecodeError) as failure:
                    log.warning("Cannot re-read out of order block at %s:%d: %s", block_file_name(pos.file_no), pos.data_pos, failure)
                    continue
                log.info("Processing out of order child %s of %s", child.hash_hum, _hum(parent_hash))
                if self._process(child, pos):
                    queue.append(child.hash_rev)

    def _process(self, block: Block, pos: BlockPos | None) -> bool:
        try:
            self.chainstate.process_block(block, stored_at=pos, pipelined=True)  # settled when the import ends
        except ValidationError as failure:
            log.warning("Imported block %s rejected: %s", block.hash_hum, failure.reason)
            return False
        except (StorageError, BlockFileError, OSError) as failure:
            raise ImportAborted(f"{type(failure).__name__}: {failure}") from failure
        self.loaded += 1
        self._report_progress()
        return True

    # ----- progress -------------------------------------------------------------------------------
    def _report_progress(self) -> None:
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_SECONDS:
            self._last_report = now
            log.info("Importing blocks: %s", self._rate_text())

    def _rate_text(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return f"height {self.chainstate.height}, {self.loaded} blocks in {elapsed:.1f}s ({self.loaded / elapsed:.1f} blocks/s)"


class _importing:
    """Sets ``chainstate.importing`` for the duration (C++ CImportingNow)."""

    def __init__(self, chainstate: Chainstate) -> None:
        self.chainstate = chainstate

    def __enter__(self) -> None:
        self.chainstate.importing = True

    def __exit__(self, *_exc) -> None:
        try:
            self.chainstate.settle()  # the last blocks' script checks
        finally:
            self.chainstate.importing = False


def _hum(hash_rev: bytes) -> str:
    return hash_rev[::-1].hex()
