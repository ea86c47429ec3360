"""Opens the chainstate databases under the network datadir and loads the chain at start-up."""

from __future__ import annotations

import asyncio
import logging

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.rocks import RocksStore

log = logging.getLogger("fluxd.chainstate")


class ChainService:
    warmup_text = "Loading block index..."

    def __init__(self, node) -> None:
        self.node = node
        self.store: RocksStore | None = None
        self.verifier: ScriptVerifier | None = None

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._open)

    def _open(self) -> None:
        node = self.node
        self.store = RocksStore(node.net_dir / "chainstate", COLUMNS)
        par = node.args.get_int("-par", 0)
        self.verifier = ScriptVerifier.with_threads(par if par > 0 else None)
        files = BlockFiles(node.net_dir / "blocks", node.params.message_start)
        chainstate = Chainstate(
            node.params, self.store, files, node.clock.now, self.verifier, txindex=node.args.get_bool("-txindex", True)
        )
        chainstate.load()
        node.chainstate = chainstate
        log.info("Chain loaded: height %d, tip %s", chainstate.height, chainstate.tip.hash_hum)

    async def stop(self) -> None:
        chainstate = getattr(self.node, "chainstate", None)
        if chainstate is not None:
            with chainstate.lock:
                self.store.close()
        if self.verifier is not None:
            self.verifier.close()
