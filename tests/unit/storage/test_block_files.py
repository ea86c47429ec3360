from __future__ import annotations

import pytest

from fluxd.storage.block_files import BlockFileError, BlockFiles, BlockPos, scan_frames

MAGIC = bytes.fromhex("aae83f5f")


def _block(seed: int, size: int = 200) -> bytes:
    return bytes([seed]) * size


def test_append_read_and_rollover(tmp_path):
    files = BlockFiles(tmp_path, MAGIC, max_file_size=1000)
    positions = [files.append(_block(index)) for index in range(10)]
    assert positions[0] == BlockPos(0, 8)
    assert len({pos.file_no for pos in positions}) > 1
    for index, pos in enumerate(positions):
        assert files.read(pos) == _block(index)
    reopened = BlockFiles(tmp_path, MAGIC, max_file_size=1000)
    assert reopened.current_file == positions[-1].file_no


def test_scan_skips_garbage_and_torn_tail(tmp_path):
    files = BlockFiles(tmp_path, MAGIC)
    files.append(_block(1))
    with open(files.path(0), "ab") as handle:
        handle.write(b"garbage" + MAGIC + b"\xff\xff\xff\x7f")
    files.append(_block(2))
    with open(files.path(0), "ab") as handle:
        handle.write(MAGIC + (500).to_bytes(4, "little") + b"torn")
    blocks = [data for _, data in scan_frames(files.path(0), MAGIC)]
    assert blocks == [_block(1), _block(2)]


def test_bad_position_is_an_error(tmp_path):
    files = BlockFiles(tmp_path, MAGIC)
    files.append(_block(1))
    with pytest.raises(BlockFileError):
        files.read(BlockPos(0, 20))
    with pytest.raises(BlockFileError):
        files.read(BlockPos(7, 8))
