"""BlockFiles.sync fsyncs exactly the files appended to since the last sync."""

from __future__ import annotations

import os

from fluxd.storage.block_files import BlockFiles


def test_sync_covers_every_file_written_since_the_last_sync(tmp_path, monkeypatch):
    files = BlockFiles(tmp_path, b"\xfa\xbf\xb5\xda", max_file_size=200)
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    positions = [files.append(b"\x01" * 120) for _ in range(3)]
    assert [pos.file_no for pos in positions] == [0, 1, 2] and synced == []
    files.sync()
    assert len(synced) == 3
    files.sync()
    assert len(synced) == 3
    files.append(b"\x02" * 10, sync=True)
    files.sync()
    assert len(synced) == 4  # the synced append needs no second fsync
