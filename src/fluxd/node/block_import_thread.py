"""The import thread (C++ ThreadImport): -reindex from our block files, then every -loadblock file, in order."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from fluxd.chainstate.block_import import BlockImporter
from fluxd.chainstate.chainstate import Chainstate

log = logging.getLogger("fluxd.import")


def wipe_database(path: Path) -> None:
    """-reindex: destroy the chainstate database (C++ opens it with fWipe); the block files stay."""
    if path.exists():
        log.info("Wiping the chainstate database %s for -reindex", path)
        shutil.rmtree(path)


class ImportThread:
    def __init__(self, chainstate: Chainstate, reindex: bool, files: list[Path], on_done=None) -> None:
        self.stop = threading.Event()
        self.importer = BlockImporter(chainstate, self.stop)
        self.reindex = reindex
        self.files = files
        self.on_done = on_done
        self.thread = threading.Thread(target=self._run, name="flux-loadblk", daemon=True)

    @property
    def needed(self) -> bool:
        return self.reindex or bool(self.files)

    def start(self) -> None:
        self.thread.start()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def join(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        try:
            if self.reindex and not self.importer.reindex():
                return
            for path in self.files:
                if self.stop.is_set():
                    return
                self.importer.load_external(path)
            if self.on_done is not None:
                self.on_done()
        except Exception:  # the import must never take the node down with a traceback on stderr
            log.exception("Block import failed")
