"""Opens the chainstate databases under the network datadir and loads the chain at start-up.

Start-up follows C++ AppInit2: -reindex wipes the database, the block index is
loaded, the top blocks are verified (-checkblocks / -checklevel) unless
reindexing, and the import thread (-reindex, -loadblock) runs in the background
once the genesis block is known; RPC warm-up ends while it is still importing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fluxd.chainstate.block_import import is_reindexing, set_reindexing
from fluxd.chainstate.chainstate import CHAINSTATE_FORMAT_VERSION, COLUMNS, TIP_KEY, Chainstate
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.tip_cache import DEFAULT_DBCACHE_MIB, coins_cache_bytes
from fluxd.chainstate.index_build import BuildableIndex, IndexBuilder
from fluxd.chainstate.index_settings import INDEX_OPTIONS, open_buildable, optional_modules
from fluxd.chainstate.txindex_setting import TxIndexMismatch, check_txindex_setting, store_txindex_setting
from fluxd.chainstate.verify_db import DEFAULT_CHECKBLOCKS, DEFAULT_CHECKLEVEL, verify_db
from fluxd.chainstate.writer import ChainWriter
from fluxd.node.block_import_thread import ImportThread, wipe_database
from fluxd.node.startup import StartupError
from fluxd.rpc.context import NodeContext
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.format_version import check_format_version
from fluxd.storage.kv import StorageError
from fluxd.storage.rocks import RocksStore

log = logging.getLogger("fluxd.chainstate")
CORRUPT_TEXT = "Corrupted block database detected.\nPlease restart with -reindex to recover."


class ChainService:
    warmup_text = "Loading block index..."

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.store: RocksStore | None = None
        self.verifier: ScriptVerifier | None = None
        self.chainstate: Chainstate | None = None
        self.reindex = False
        self.importer: ImportThread | None = None
        self.writer: ChainWriter | None = None
        self.indexes: list[BuildableIndex] = []
        self.index_builder: IndexBuilder | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.writer = ChainWriter()  # the one thread that changes chain and coins from here on
        try:
            await loop.run_in_executor(self.writer.executor, self._open)
            if not self.reindex:
                self.context.rpc_table.set_warmup("Verifying blocks...")
                await loop.run_in_executor(self.writer.executor, self._verify)
            self._start_import()
            await self._wait_for_genesis()
        except BaseException:
            await loop.run_in_executor(None, self._close)
            raise
        self.context.chainstate = self.chainstate
        log.info("Chain loaded: height %d, tip %s", self.chainstate.height, self.chainstate.tip.hash_hum)
        self.start_index_builder()

    def _open(self) -> None:
        context = self.context
        if context.args.get_bool("-reindex"):
            wipe_database(context.net_dir / "chainstate")
        self.store = RocksStore(context.net_dir / "chainstate", COLUMNS)
        self.verifier = ScriptVerifier.for_par(context.args.get_int("-par", 0))  # -par=N: N-1 worker processes
        files = BlockFiles(context.net_dir / "blocks", context.params.message_start)
        txindex = context.args.get_bool("-txindex", False)  # C++ default: off (fluxnodes and explorers set txindex=1)
        if not context.args.get_bool("-experimentalfeatures"):  # C++ AppInit2: mapArgs.count, in this order
            if context.args.is_set("-developerencryptwallet"):
                raise StartupError("Wallet encryption requires -experimentalfeatures.")
            if context.args.is_set("-insightexplorer"):
                raise StartupError("Insight explorer requires -experimentalfeatures.")
        if context.args.get_bool("-insightexplorer") and not txindex:
            raise StartupError("-insightexplorer requires -txindex.")
        cache_bytes = coins_cache_bytes(context.args.get_int("-dbcache", DEFAULT_DBCACHE_MIB), txindex)
        log.info("* Using %.1fMiB for in-memory UTXO set", cache_bytes / (1 << 20))
        self.chainstate = Chainstate(
            context.params, self.store, files, context.clock.now, self.verifier, txindex=txindex, cache_bytes=cache_bytes,
            checkpoints_enabled=context.args.get_bool("-checkpoints", True),  # C++ fCheckpointsEnabled
        )
        self.chainstate.writer = self.writer
        if context.metrics is not None:
            self.chainstate.connect_observer = context.metrics.observe_connect  # from the first block (-reindex too)
        self.reindex = context.args.get_bool("-reindex") or is_reindexing(self.store)
        try:
            check_txindex_setting(self.store, txindex, self.store.get("meta", TIP_KEY) is None, self.reindex)
        except TxIndexMismatch as exc:
            raise StartupError(str(exc)) from None
        try:
            check_format_version(self.store, CHAINSTATE_FORMAT_VERSION, "chainstate")  # before any index flag lands in a new database
            self.indexes = self._optional_indexes()
            for index in self.indexes:
                self.chainstate.register_module(index)
            self.chainstate.load(reindex=self.reindex)
        except StorageError as failure:
            raise StartupError(str(failure)) from None
        store_txindex_setting(self.store, txindex)
        if self.reindex:
            set_reindexing(self.store, True)  # a stop before the import ends resumes it at the next start

    def _optional_indexes(self) -> list[BuildableIndex]:
        """-insightexplorer's indexes (or each alone: -addressindex, -spentindex, -timestampindex).

        Unlike C++ they may be switched on or off for an existing database: one
        switched on is built from the stored blocks while the node runs
        (``start_index_builder``), one switched off is dropped.
        """
        args = self.context.args
        insight = args.get_bool("-insightexplorer")
        chain_exists = self.store.get("meta", TIP_KEY) is not None
        genesis = self.context.params.genesis_hash_rev
        indexes = []
        for module in optional_modules():
            index = open_buildable(self.store, module, insight or args.get_bool(INDEX_OPTIONS[module.name]), chain_exists, genesis)
            if index is not None:
                indexes.append(index)
        return indexes

    def start_index_builder(self) -> None:
        """Build the indexes switched on for an existing chain, in the background (after the chain is loaded)."""
        if any(not index.ready for index in self.indexes):
            self.index_builder = IndexBuilder(self.chainstate, self.indexes, lambda: self.context.shutdown_requested)
            self.index_builder.start()

    def _verify(self) -> None:
        args = self.context.args
        level = args.get_int("-checklevel", DEFAULT_CHECKLEVEL)
        depth = args.get_int("-checkblocks", DEFAULT_CHECKBLOCKS)
        if not verify_db(self.chainstate, level, depth):
            raise StartupError(CORRUPT_TEXT)

    def _start_import(self) -> None:
        files = [Path(name) for name in self.context.args.get_all("-loadblock")]
        on_done = None
        if self.context.args.get_bool("-stopafterblockimport"):
            on_done = lambda: self.context.request_shutdown("stop after block import")  # noqa: E731
        self.importer = ImportThread(self.chainstate, self.reindex, files, on_done)
        if self.importer.needed:
            self.importer.start()
        elif on_done is not None:
            on_done()

    async def _wait_for_genesis(self) -> None:
        """C++ 'Waiting for genesis block to be imported...' (only an empty chain being reindexed waits)."""
        if self.chainstate.active:
            return
        log.info("Waiting for genesis block to be imported...")
        while not self.chainstate.active and self.importer.is_alive():
            if self.context.shutdown_requested:
                raise StartupError("Shutdown requested while waiting for the genesis block")
            await asyncio.sleep(0.05)
        self.chainstate.ensure_genesis()  # the import stopped without finding one

    def _close(self) -> None:
        if self.importer is not None:
            self.importer.join()
        if self.index_builder is not None:
            self.index_builder.join()
        if self.chainstate is not None:
            self.chainstate.run_command(self._flush_and_close)
        elif self.store is not None:
            self.store.close()
        if self.writer is not None:
            self.writer.stop()
        if self.verifier is not None:
            self.verifier.close()

    def _flush_and_close(self) -> None:
        self.chainstate.flush()  # FlushStateToDisk at shutdown
        self.store.close()

    async def stop(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._close)
