"""The chainstate: block index, active chain and coins, persisted atomically (the only consensus writer).

Blocks are appended to the block files and indexed at once; connected blocks
change the in-memory ``TipCache``, flushed as one database batch (coins, undo
records, index records and the tip together) when it outgrows -dbcache, hourly,
at shutdown and before a database snapshot, so a crash at any moment leaves
tip, coins and index agreeing at the last flush, and the start-up path connects
the stored blocks beyond it again.  Chain selection follows the most work; reorganisations
disconnect with undo data back to the fork and connect the new branch.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fluxd.chainstate.block_index import (
    BLOCK_FAILED_CHILD,
    BLOCK_FAILED_MASK,
    BLOCK_FAILED_VALID,
    BLOCK_HAVE_DATA,
    BLOCK_HAVE_UNDO,
    BLOCK_VALID_SCRIPTS,
    BLOCK_VALID_TREE,
    HEADER_PREFIX,
    INDEX_COLUMN,
    RECORD_PREFIX,
    BlockIndexEntry,
    put_entry,
)
from fluxd.chainstate.active_chain import ActiveChain, ChainSnapshot
from fluxd.chainstate.compact_index import CompactBlockIndex
from fluxd.chainstate.coins import Coin, CoinsCache
from fluxd.chainstate.connect import ConnectResult, connect_transactions, disconnect_transactions
from fluxd.chainstate.shielded_jobs import DeferredChecks, deferred_checks, deferred_verdict
from fluxd.chainstate.fluxnodes.attach import WriterFluxnodeKeys, tip_list
from fluxd.chainstate.fluxnodes.list_state import FluxnodeList
from fluxd.chainstate.fluxnodes.module import FluxnodeListModule
from fluxd.chainstate.shielded_state import ShieldedStateModule
from fluxd.chainstate.modules import BlockContext, StateModule, check_columns, connect_modules, disconnect_modules
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.locked_reader import LockedStateReader
from fluxd.chainstate.tip_log import log_update_tip
from fluxd.chainstate.verify_recent import verify_recent_blocks
from fluxd.chainstate.state_columns import StateLayer, StateReader
from fluxd.chainstate.tip_cache import TIP_KEY, FlushingStore, TipCache
from fluxd.chainstate import tx_lookup, txindex_module
from fluxd.chainstate.undo import BlockUndo
from fluxd.chainstate.view import ChainView
from fluxd.chainstate.writer import ChainWriter
from fluxd.consensus.block_check import (
    check_block,
    check_block_header,
    contextual_check_block_header,
    contextual_check_pon_block,
    last_known_checkpoint_height,
)
from fluxd.consensus.pon import FluxnodeKeys, NoFluxnodes, pon_tiebreak_key
from fluxd.consensus.arith import block_work, chain_work_after
from fluxd.consensus.tx_contextual import contextual_check_block_transactions
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block, BlockHeader
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.genesis import build_genesis_block
from fluxd.params.upgrades import current_epoch_branch_id
from fluxd.storage.block_files import BlockFiles, BlockPos
from fluxd.storage.format_version import check_format_version
from fluxd.storage.kv import KVStore, StorageError, WriteBatch

log = logging.getLogger("fluxd.chainstate")
COLUMNS = ("meta", "block_index", "coins", "undo", "txindex", "timestamp", "ext", "ext_undo", "addressindex", "spentindex")
CHAINSTATE_FORMAT_VERSION = 6  # 4: compact block index records (block_index.py); 5: the fluxnode list (fn/ in ext);
# 6: the shielded state (sh/ in ext: trees at each anchor, nullifiers, value pools)
__all__ = ["COLUMNS", "TIP_KEY", "Chainstate"]
MAX_TIP_AGE = 24 * 60 * 60  # DEFAULT_MAX_TIP_AGE
PIPELINE_DEPTH = 3  # pipelined blocks whose script checks may still be running


@dataclass
class _PendingBlock:
    """A block connected in a scratch coins view whose script checks may still be running: not yet the tip."""

    entry: BlockIndexEntry
    block: Block
    coins: CoinsCache
    result: ConnectResult
    state: StateLayer = field(default_factory=dict)  # the consensus modules' writes for this block
    signatures: DeferredChecks | None = None  # its fluxnode signature and shielded checks, when it arrived just now
    connect_seconds: float = 0.0  # time spent connecting it so far (its script-check wait and commit are added at settle)


def writer_command(method):
    """A chainstate change: run on the chain writer when one is attached (callers on other threads wait for it)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        writer = self.writer
        if writer is not None and not writer.on_writer_thread():
            return writer.call(functools.partial(method, self, *args, **kwargs))
        return method(self, *args, **kwargs)

    return run


class Chainstate:
    def __init__(
        self,
        params: ChainParams,
        store: KVStore,
        block_files: BlockFiles,
        now: Callable[[], int],
        verifier: ScriptVerifier | None = None,
        txindex: bool = True,
        fluxnodes: FluxnodeKeys | None = None,
        fluxnode_list: bool = True,
        shielded: bool = True,
        checkpoints_enabled: bool = True,
        cache_bytes: int = 0,
    ) -> None:
        self.params = params
        self.cache = TipCache(store, cache_bytes, before_sync=block_files.sync)
        self.store = FlushingStore(store, self.flush)
        self.block_files = block_files
        self.now = now
        self.verifier = verifier or ScriptVerifier()
        self.txindex = txindex
        self.fluxnodes: FluxnodeKeys = fluxnodes or (WriterFluxnodeKeys(self) if fluxnode_list else NoFluxnodes())
        self.checkpoints_enabled = checkpoints_enabled  # -checkpoints
        self.index = CompactBlockIndex(self._read_header)  # hash_rev -> BlockIndexEntry
        self._chain: ActiveChain[BlockIndexEntry] = ActiveChain(self.index.entry)
        self.lock = threading.RLock()  # held by the writer while it changes the tip; readers of coins/state take it briefly
        self.writer: ChainWriter | None = None  # with a writer attached, every change runs on its thread
        self._leaves: set[BlockIndexEntry] = set()  # entries without a child (getchaintips)
        self._leaves_frozen: frozenset | None = frozenset()  # a copy for readers, made when first asked for
        self._leaves_lock = threading.Lock()
        self.most_work_header: BlockIndexEntry | None = None  # C++ pindexBestHeader (failed blocks included)
        self._view: ChainView | None = None
        self._publish_held = 0  # > 0 while a change that readers must not see half-done is under way
        self._held_events: list[tuple[str, BlockIndexEntry, Block]] = []  # listener calls waiting for that publication
        self.invalid_reasons: dict[bytes, str] = {}  # block hash -> C++ reject reason (this run)
        self.best_header: BlockIndexEntry | None = None
        self.listeners: list[Callable[[str, BlockIndexEntry, Block], None]] = []  # ("connect"|"disconnect", entry, block)
        self.connect_observer: Callable[[float], None] | None = None  # told each connected block's connect time (metrics)
        self.importing = False  # -reindex / -loadblock in progress (IBD)
        self._left_ibd = False
        self._candidates: set[BlockIndexEntry] = set()
        self._arrived: Block | None = None  # the block process_block is handling
        self._arrived_sigops: list[int] | None = None  # its legacy sigop counts, from CheckBlock
        self._arrived_signatures: DeferredChecks | None = None  # its fluxnode signature and shielded checks, in workers
        self.modules: list[StateModule] = []  # consensus and index state modules, in registration order
        self._pending: list[_PendingBlock] = []  # oldest first; see process_block(pipelined=True)
        if fluxnode_list:
            self.register_module(FluxnodeListModule(params))
        if shielded:
            self.register_module(ShieldedStateModule(params))
        if txindex:
            self.register_module(txindex_module.TxIndex())

    def register_module(self, module: StateModule) -> None:
        """Add a state module (before ``load``): it sees every block connected or disconnected from then on."""
        if module.kind not in ("consensus", "index"):
            raise ValueError(f"unknown state module kind {module.kind!r}")
        check_columns([*self.modules, module])
        self.modules.append(module)

    def module(self, name: str) -> StateModule | None:
        return next((module for module in self.modules if module.name == name), None)

    @property
    def _consensus_modules(self) -> list[StateModule]:
        return [module for module in self.modules if module.kind == "consensus"]

    @property
    def _index_modules(self) -> list[StateModule]:
        return [module for module in self.modules if module.kind == "index"]

    def fluxnode_list(self) -> FluxnodeList:
        """The fluxnode list at the tip, for readers (RPC, mempool)."""
        return tip_list(self)

    def state_reader(self) -> StateReader:
        """The state modules' data at the tip, for RPC, the mempool and templates (reads take the lock briefly)."""
        return LockedStateReader(self.cache.state_reader(), self.lock)

    def run_command(self, command: Callable, *args):
        """Run ``command(*args)`` as one chain-writer command and return its result (inline on the writer).

        Whatever it reads and changes is seen by no other command half-done:
        block templates, mempool acceptance and RPC actions that check and then change go through here.
        """
        writer = self.writer
        if writer is not None and not writer.on_writer_thread():
            return writer.call(command, *args)
        with self.lock:
            return command(*args)

    # ----- the published view ---------------------------------------------------------------
    def view(self) -> ChainView:
        """The chain as of the writer's last change: take it once per request and answer from it."""
        return self._view

    def _publish(self) -> None:
        if self._publish_held:
            return  # published when the change under way ends
        self._view = ChainView(
            chain=self._chain.snapshot(),
            best_header=self.best_header,
            most_work_header=self.most_work_header,
            leaves_of=self._leaves_snapshot,
            sequence=(self._view.sequence + 1) if self._view is not None else 0,
            _lookup=self.index.get,
        )

    def _leaves_snapshot(self) -> frozenset:
        """The leaf set as of now (copied once per change, only when a reader asks: ~24k leaves on mainnet)."""
        with self._leaves_lock:
            if self._leaves_frozen is None:
                self._leaves_frozen = frozenset(self._leaves)
            return self._leaves_frozen

    def _add_to_index(self, entry: BlockIndexEntry) -> None:
        """Note an entry ``index.add`` just made: leaves, most-work and best header."""
        with self._leaves_lock:
            self._leaves.add(entry)
            if entry.prev is not None:
                self._leaves.discard(entry.prev)
            self._leaves_frozen = None
        if self.most_work_header is None or entry.chainwork > self.most_work_header.chainwork:
            self.most_work_header = entry
        self._note_header(entry)

    # ----- start-up -------------------------------------------------------------------------
    @writer_command
    def load(self, reindex: bool = False) -> None:
        """Load the block index and tip; with ``reindex`` an empty database stays empty (the import adds genesis)."""
        check_format_version(self.store, CHAINSTATE_FORMAT_VERSION, "chainstate")
        self.index.load(self.store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX))
        with self._leaves_lock:
            self._leaves = set(self.index.leaves())
            self._leaves_frozen = None
        self.most_work_header = self.index.best_entry(include_failed=True)
        self.best_header = self.index.best_entry()
        tip_hash = self.store.get("meta", TIP_KEY)
        if tip_hash is None:
            if not reindex:
                self._write_genesis()
            return
        tip = self.index.get(tip_hash)
        if tip is None:
            raise StorageError("The chainstate tip is not in the block index. Restart with -reindex.")
        self._chain = ActiveChain(self.index.entry, self.index.chain_rows(tip).tolist())
        self._publish()
        self._rebuild_candidates()
        log.info("Loaded block index: %d entries, tip %s at height %d", len(self.index), tip.hash_hum, tip.height)
        with self.lock:
            self.activate_best_chain()  # blocks stored but not yet connected when the node stopped

    def _write_genesis(self) -> None:
        genesis = build_genesis_block(self.params)
        self.index_genesis(genesis, self.block_files.append(genesis.to_bytes(), sync=True))

    @writer_command
    def ensure_genesis(self) -> None:
        """C++ InitBlockIndex: a chain without a genesis block (an empty reindex) gets a fresh one."""
        with self.lock:
            if not self._chain:
                self._write_genesis()

    @writer_command
    def index_genesis(self, genesis: Block, pos: BlockPos) -> None:
        """Index the genesis block stored at ``pos`` and make it the tip of an empty chain."""
        work = block_work(genesis.header.bits, genesis.header.version)
        entry = self.index.add(genesis.header, work, None, BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA)
        entry.file_no, entry.data_pos = pos.file_no, pos.data_pos
        entry.tx_count = entry.chain_tx_count = len(genesis.transactions)
        batch = WriteBatch()
        put_entry(batch, entry)
        batch.put("meta", TIP_KEY, entry.hash_rev)
        self.store.write(batch, sync=True)
        self._add_to_index(entry)
        self._chain = ActiveChain(self.index.entry, [entry.row])
        self._publish()

    # ----- queries (answered from the published view: callers hold no lock) ------------------
    @property
    def active(self) -> ChainSnapshot[BlockIndexEntry]:
        view = self._view
        return view.chain if view is not None else self._chain.snapshot()

    @property
    def tip(self) -> BlockIndexEntry:
        return self._view.tip

    @property
    def height(self) -> int:
        view = self._view
        return view.height if view is not None else -1

    def entry_at(self, height: int) -> BlockIndexEntry | None:
        return self.active.at(height)

    def contains(self, entry: BlockIndexEntry) -> bool:
        return self.active.contains(entry)

    def is_initial_block_download(self) -> bool:
        """C++ IsInitialBlockDownload, latched to False once left (height 0 counts as synced, as Flux does)."""
        if self._left_ibd or self.height == 0:
            return False
        tip = self.tip
        if self.importing or tip.chainwork < self.params.minimum_chain_work or tip.time < self.now() - MAX_TIP_AGE:
            return True
        self._left_ibd = True
        return False

    def locator(self, entry: BlockIndexEntry | None = None) -> list[bytes]:
        """CChain::GetLocator: hashes stepping back exponentially from ``entry`` (default the tip) to genesis."""
        walker = entry or self.tip
        hashes: list[bytes] = []
        step = 1
        while walker is not None:
            hashes.append(walker.hash_rev)
            if walker.height == 0:
                break
            walker = walker.ancestor(max(walker.height - step, 0))
            if len(hashes) > 10:
                step *= 2
        return hashes

    def find_fork_in_locator(self, locator: list[bytes]) -> BlockIndexEntry:
        """FindForkInGlobalIndex: the first locator hash on the active chain, else genesis."""
        for block_hash in locator:
            entry = self.index.get(block_hash)
            if entry is not None and self.contains(entry):
                return entry
        return self.active[0]

    def read_block(self, entry: BlockIndexEntry) -> Block:
        return Block.from_bytes(self.block_files.read(BlockPos(entry.file_no, entry.data_pos)))

    def _read_header(self, entry: BlockIndexEntry) -> BlockHeader | None:
        """The full header of an index entry: its database record, else its block's (entry.header reads it)."""
        data = self.store.get(INDEX_COLUMN, HEADER_PREFIX + entry.hash_rev)
        if data is not None:
            return BlockHeader.from_bytes(data)
        return self.read_block(entry).header if entry.have_data() else None

    def unspent_output_height(self, txid_rev: bytes) -> int | None:
        """The height of a transaction with an unspent output at the tip (C++ pcoinsTip->AccessCoins), else None."""
        with self.lock:
            return self.cache.unspent_output_height(txid_rev)

    def find_transaction(self, txid_rev: bytes):
        """(transaction, block index entry), or None (chainstate/tx_lookup.py: -txindex, else C++'s slow path)."""
        return tx_lookup.find_transaction(self, txid_rev)

    def get_coin(self, outpoint: OutPoint) -> Coin | None:
        """The unspent coin at the tip (flushed or not), or None; readers do not fill the cache."""
        with self.lock:
            return self.cache.coins.peek(outpoint)

    def get_coin_at_tip(self, outpoint: OutPoint) -> tuple[Coin | None, ChainView]:
        """The unspent coin and the view of the tip it was read at (one moment: gettxout's coin and bestblock agree)."""
        with self.lock:
            return self.cache.coins.peek(outpoint), self._view

    def read_undo(self, hash_rev: bytes) -> bytes | None:
        with self.lock:
            return self.cache.read_undo(hash_rev)

    @writer_command
    def flush(self) -> None:
        """FlushStateToDisk(FLUSH_STATE_ALWAYS): write everything pending as one synced batch."""
        with self.lock:
            self.settle()
            self.cache.flush(sync=True)

    # ----- accepting blocks ---------------------------------------------------------------------
    @writer_command
    def process_block(self, block: Block, stored_at: BlockPos | None = None, pipelined: bool = False) -> BlockIndexEntry:
        """Check, store and index a block, then activate the best chain (ProcessNewBlock).

        ``stored_at`` is the block's position in the block files when it is already there (-reindex).
        ``pipelined``: more blocks follow at once (IBD, -reindex), so the newest
        block's script checks may go on in the worker processes after this
        returns; it becomes the tip (or is found invalid) when the next block
        is connected on it, at ``settle()``, or at any other chainstate change.
        """
        with self.lock:
            try:
                return self._process_block(block, stored_at, pipelined)
            finally:
                if not pipelined and self._pending:
                    self.activate_best_chain()  # whatever happened, no block stays pending

    def _process_block(self, block: Block, stored_at: BlockPos | None, pipelined: bool) -> BlockIndexEntry:
        known = self.index.get(block.hash_rev)
        if known is not None and known.have_data():
            return known
        entry = self.accept_header(block.header, persist=False)
        self._check_accepted_block(entry, block)
        pos = stored_at or self.block_files.append(block.to_bytes())
        entry.file_no, entry.data_pos = pos.file_no, pos.data_pos
        entry.status |= BLOCK_HAVE_DATA
        entry.tx_count = len(block.transactions)
        if entry.prev is not None and entry.prev.chain_tx_count:
            entry.chain_tx_count = entry.prev.chain_tx_count + entry.tx_count
        self._store_entry(entry)
        self._candidates.add(entry)
        self._arrived = block  # connected from memory rather than re-read from the block file
        try:
            self.activate_best_chain(keep_pending=pipelined)
        finally:
            self._arrived = self._arrived_sigops = None
        self._settle_unconnected_signatures(entry)
        return entry

    def _settle_unconnected_signatures(self, entry: BlockIndexEntry) -> None:
        """An arrived block not connected now (a side branch) still gets its signature verdict before we return."""
        signatures, self._arrived_signatures = self._arrived_signatures, None
        try:
            deferred_verdict(signatures)
        except ValidationError as failure:
            self._mark_failed(entry)
            self.invalid_reasons[entry.hash_rev] = failure.reason
            raise

    def pending_hashes(self) -> list[bytes]:
        """Blocks connected with process_block(pipelined=True) whose verdict is not yet known (oldest first)."""
        return [pending.entry.hash_rev for pending in self._pending]

    @writer_command
    def settle(self) -> None:
        """Finish a pipelined block: wait for its script checks, make it the tip or mark it invalid."""
        with self.lock:
            if self._pending:
                self.activate_best_chain()

    def _check_accepted_block(self, entry: BlockIndexEntry, block: Block) -> None:
        """AcceptBlock's CheckBlock + ContextualCheckBlock: a failure not due to a signature marks the block.

        A block that breaks them is never stored, even on a side branch (C++ order: PoN part, transactions, BIP34).
        """
        self._arrived_signatures = None
        try:
            height = self._writer_height()
            deferred: list = []  # fluxnode signatures and shielded checks go to workers: tip only once they verify
            self._arrived_sigops = check_block(self.params, block, self.now(), height, check_pow=False, keys=self.fluxnodes,
                                               deferred_signatures=deferred, verify_proofs=False)  # fmt: skip
            joinsplit_sig_dos = 0 if self.is_initial_block_download() else 100  # C++ ContextualCheckTransaction
            branch_id = current_epoch_branch_id(self.params, entry.height)
            self._arrived_signatures = deferred_checks(self.verifier, block, branch_id, joinsplit_sig_dos, deferred)
            contextual_check_pon_block(self.params, block.header, entry.height, height, self.fluxnodes)
            contextual_check_block_transactions(self.params, block, entry.height, shielded=False)
        except ValidationError as raised:
            failure = self._signatures_first(raised)
            if not failure.corruption_possible:
                self._mark_failed(entry)
                self.invalid_reasons[entry.hash_rev] = failure.reason
            else:
                self._store_entry(entry)  # the header stays known (accept_header left the write to us)
            raise failure from None

    def _signatures_first(self, failure: ValidationError, connecting: bool = False) -> ValidationError:
        """C++ runs CheckBlock (fluxnode signatures, JoinSplit proofs) before everything else, and
        ContextualCheckBlock (the other shielded checks) before ConnectBlock: a deferred failure of an earlier
        stage than ``failure``'s wins."""
        signatures, self._arrived_signatures = self._arrived_signatures, None
        try:
            deferred_verdict(signatures, contextual=connecting)
        except ValidationError as signature_failure:
            return signature_failure
        return failure

    def _writer_height(self) -> int:
        """The tip height as the chain writer sees it: a pending block counts (C++ would have connected it)."""
        pending = self._pending
        return pending[-1].entry.height if pending else self._chain.height

    def _checkpoint_known(self, hash_rev: bytes) -> bool:
        return hash_rev in self.index

    @writer_command
    def accept_header(self, header: BlockHeader, persist: bool = True) -> BlockIndexEntry:
        """AcceptBlockHeader: contextual header checks against the parent, then index it.

        ``persist=False`` leaves writing the new record to the caller (process_block stores it with its data).
        """
        existing = self.index.get(header.hash_rev)
        if existing is not None:
            if existing.status & BLOCK_FAILED_VALID:
                raise ValidationError("duplicate", 0)
            return existing
        check_block_header(self.params, header, self.now(), self._writer_height())
        prev = self.index.get(header.prev_block_rev)
        if prev is None:
            raise ValidationError("bad-prevblk", 10, code=0)
        if prev.status & BLOCK_FAILED_VALID:
            raise ValidationError("bad-prevblk", 100)
        checkpoint_known = self._checkpoint_known if self.checkpoints_enabled else None
        contextual_check_block_header(self.params, header, prev, self._writer_height(), checkpoint_known)
        entry = self.index.add(header, chain_work_after(prev.chainwork, header.bits, header.version), prev, BLOCK_VALID_TREE)
        self._add_to_index(entry)
        self._publish()
        if persist:
            self._store_entry(entry)
        return entry

    def _note_header(self, entry: BlockIndexEntry) -> None:
        best = self.best_header
        if best is None or entry.chainwork > best.chainwork:
            if not entry.status & BLOCK_FAILED_MASK:
                self.best_header = entry

    def _store_entry(self, entry: BlockIndexEntry) -> None:
        batch = WriteBatch()
        put_entry(batch, entry)
        self.store.write(batch)

    # ----- chain selection ----------------------------------------------------------------------
    def _rebuild_candidates(self) -> None:
        """Blocks with data that could become the tip (C++ setBlockIndexCandidates, loosely)."""
        self._candidates = set(self.index.candidates(self._chain.tip.chainwork))  # less work than the tip: never chosen

    def _best_candidate(self) -> BlockIndexEntry:
        best = self._chain.tip
        for entry in [entry for entry in self._candidates if entry.chainwork < best.chainwork or entry.status & BLOCK_FAILED_MASK]:
            self._candidates.discard(entry)
        for entry in self._candidates:
            if entry.chainwork < best.chainwork or not entry.have_data() or entry.status & BLOCK_FAILED_MASK:
                continue
            if entry.chainwork == best.chainwork and not self._wins_tie(entry, best):
                continue
            if self._path_connectable(entry):
                best = entry
        return best

    def _wins_tie(self, entry: BlockIndexEntry, best: BlockIndexEntry) -> bool:
        """CBlockIndexWorkComparator at equal work: PoN siblings by lower PoN hash, then first received (the tip stays)."""
        if entry.is_pon and best.is_pon and entry.height == best.height:  # headers read only for such ties
            entry_key, best_key = pon_tiebreak_key(self.params, entry.header), pon_tiebreak_key(self.params, best.header)
            if entry_key != best_key:
                return entry_key < best_key
        return not self._chain.contains(best) and entry.sequence_id < best.sequence_id

    def _path_connectable(self, entry: BlockIndexEntry) -> bool:
        walker: BlockIndexEntry | None = entry
        while walker is not None and not self._chain.contains(walker):
            if not walker.have_data() or walker.status & BLOCK_FAILED_MASK:
                return False
            walker = walker.prev
        return walker is not None

    def activate_best_chain(self, keep_pending: bool = False) -> None:
        """Connect towards the best candidate; ``keep_pending`` may leave the last block's scripts running.

        Readers see the chain before and after, never in between (a reorganisation is published once, at its end).
        """
        with self._held_change():
            self._activate_best_chain(keep_pending)

    @contextlib.contextmanager
    def _held_change(self):
        """Readers and listeners see the change once, at its end (its events dispatched together)."""
        self._publish_held += 1
        try:
            yield
        finally:
            self._publish_held -= 1
            self._publish()
            if not self._publish_held:
                self._dispatch_held_events()

    def _activate_best_chain(self, keep_pending: bool) -> None:
        while True:
            best = self._best_candidate()
            if self._pending:
                newest = self._pending[-1].entry
                if keep_pending and best.ancestor(newest.height) == newest:
                    if best == newest:
                        return
                    self._connect_path(newest, best, keep_pending)
                else:
                    self._settle_oldest()
                continue
            if best == self._chain.tip:
                return
            fork = best
            while not self._chain.contains(fork):
                fork = fork.prev
            while self._chain.tip != fork:
                self._disconnect_tip()
            self._connect_path(fork, best, keep_pending)

    def _connect_path(self, base: BlockIndexEntry, best: BlockIndexEntry, keep_pending: bool) -> None:
        path = []
        walker = best
        while walker != base:
            path.append(walker)
            walker = walker.prev
        for entry in reversed(path):
            if not self._connect(entry, keep_pending):
                break

    def _block_for(self, entry: BlockIndexEntry) -> Block:
        arrived = self._arrived
        return arrived if arrived is not None and arrived.hash_rev == entry.hash_rev else self.read_block(entry)

    def _connect(self, entry: BlockIndexEntry, keep_pending: bool = False) -> bool:
        """ConnectBlock on the tip or on the newest pending block; the oldest pending ones are then settled."""
        started = time.perf_counter()
        block = self._block_for(entry)
        base = self._pending[-1] if self._pending else None
        arrived = block is self._arrived
        coins = base.coins.layered() if base is not None else self.cache.block_view()
        try:
            contextual_check_pon_block(self.params, block.header, entry.height, entry.height - 1, self.fluxnodes)
            result = connect_transactions(
                self.params, block, entry.height, coins, self._script_checks_needed(entry), self.verifier,
                wait_for_scripts=False, contextually_checked=arrived,
                legacy_sigops=self._arrived_sigops if arrived else None,  # _check_accepted_block ran both
            )  # fmt: skip
            state = self._connect_consensus_modules(entry, block, coins, result.undo)
        except ValidationError as failure:
            self._connect_failed(entry, self._signatures_first(failure, connecting=True) if arrived else failure)
            return False
        signatures, self._arrived_signatures = (self._arrived_signatures, None) if arrived else (None, self._arrived_signatures)
        self._pending.append(_PendingBlock(entry, block, coins, result, state, signatures, time.perf_counter() - started))
        pipelined = keep_pending and self.verifier.pipelined
        while len(self._pending) > (PIPELINE_DEPTH if pipelined else 0):
            if not self._settle_oldest():
                return False  # this block was built on one found invalid: dropped with it
        return True

    def _connect_consensus_modules(self, entry: BlockIndexEntry, block: Block, coins: CoinsCache, undo: BlockUndo) -> StateLayer:
        """The block's layer of consensus-module writes, over the pending blocks' layers (as its coins are)."""
        layer: StateLayer = {}
        modules = self._consensus_modules
        if modules:
            below = [pending.state for pending in reversed(self._pending)] + [self.cache.state]
            connect_modules(modules, BlockContext(block, entry, coins, undo), layer, below, self.cache.store)
        return layer

    def _settle_oldest(self) -> bool:
        """Wait for the oldest pending block's script checks, then make it the tip; False when they failed."""
        pending = self._pending.pop(0)
        started = time.perf_counter()
        try:
            deferred_verdict(pending.signatures)
            pending.result.check_scripts()
        except ValidationError as failure:
            self._pending.clear()  # every later pending block was built on this one
            self._connect_failed(pending.entry, failure)
            return False
        entry, block = pending.entry, pending.block
        entry.status |= BLOCK_VALID_SCRIPTS | BLOCK_HAVE_UNDO
        entry.chain_tx_count = entry.prev.chain_tx_count + pending.result.tx_count
        self.cache.commit_state(pending.state)
        self._run_index_modules(BlockContext(block, entry, pending.coins, pending.result.undo), connected=True)
        self.cache.commit(pending.coins, entry, pending.result.undo.to_bytes())
        self._chain.append(entry)
        log_update_tip(self.params, entry, self.cache)
        self._publish()
        if self._pending:
            self._pending[0].coins.rebase(self.cache.coins)  # its layer below was just absorbed
        self.cache.flush_if_needed()
        observer = self.connect_observer
        if observer is not None:
            try:
                observer(pending.connect_seconds + time.perf_counter() - started)
            except Exception:  # metrics must never break the chain writer
                log.exception("connect observer failed")
        self._notify("connect", entry, block)
        return True

    def _connect_failed(self, entry: BlockIndexEntry, failure: ValidationError) -> None:
        log.warning("Block %s at height %d is invalid: %s %s", entry.hash_hum, entry.height, failure.reason, failure.detail)
        self.invalid_reasons[entry.hash_rev] = failure.reason
        if failure.corruption_possible:
            self._candidates.discard(entry)  # a bad signature is not committed to the hash: not marked failed
        else:
            self._mark_failed(entry)

    def _run_index_modules(self, context: BlockContext, connected: bool) -> None:
        """The index modules see the block as it becomes (or stops being) the tip; their writes go with the next flush."""
        for tx in context.block.transactions:
            self.cache.note_created(tx.txid_rev, context.height, len(tx.vout), connected)
        modules = self._index_modules
        if not modules:
            return
        layer: StateLayer = {}
        run = connect_modules if connected else disconnect_modules
        run(modules, context, layer, [self.cache.state], self.cache.store)
        self.cache.commit_state(layer)

    def _script_checks_needed(self, entry: BlockIndexEntry) -> bool:
        """ConnectBlock skips script checks for ancestors of the last checkpoint in the block index (with -checkpoints)."""
        if not self.checkpoints_enabled:
            return True
        last = last_known_checkpoint_height(self.params, self._checkpoint_known)
        if last is None:
            return True
        checkpoint_hash = dict(self.params.checkpoints.entries)[last]
        return self.index[checkpoint_hash].ancestor(entry.height) != entry

    def _disconnect_tip(self) -> None:
        entry = self._chain.tip
        if entry.height == 0:
            raise ValidationError("cannot disconnect the genesis block", 0)
        block = self.read_block(entry)
        undo_bytes = self.cache.read_undo(entry.hash_rev)
        if undo_bytes is None:
            raise StorageError(f"Undo data for block {entry.hash_hum} is missing. Restart with -reindex.")
        coins = self.cache.block_view()
        undo = BlockUndo.from_bytes(undo_bytes)
        disconnect_transactions(block, undo, coins)
        context = BlockContext(block, entry, coins, undo)
        self._run_index_modules(context, connected=False)
        consensus = self._consensus_modules
        if consensus:
            layer: StateLayer = {}
            disconnect_modules(consensus, context, layer, [self.cache.state], self.cache.store)
            self.cache.commit_state(layer)
        self.cache.commit(coins, entry.prev)
        self._chain.pop()
        log_update_tip(self.params, entry.prev, self.cache)
        self._publish()
        self.cache.flush_if_needed()
        self._notify("disconnect", entry, block)

    def _notify(self, event: str, entry: BlockIndexEntry, block: Block) -> None:
        """Tell the listeners; during a change readers must not see half-done, once it is published."""
        self._held_events.append((event, entry, block))
        if not self._publish_held:
            self._dispatch_held_events()

    def _dispatch_held_events(self) -> None:
        events, self._held_events = self._held_events, []
        for event, entry, block in events:
            self._call_listeners(event, entry, block)

    def _call_listeners(self, event: str, entry: BlockIndexEntry, block: Block) -> None:
        for listener in self.listeners:
            try:
                listener(event, entry, block)
            except Exception:  # a listener must never break the chain writer
                log.exception("chain listener failed on %s of %s", event, entry.hash_hum)

    def _mark_failed(self, entry: BlockIndexEntry) -> None:
        entry.status |= BLOCK_FAILED_VALID
        self._store_entry(entry)

    def fork_point(self, entry: BlockIndexEntry) -> BlockIndexEntry:
        """CChain::FindFork: the last block of ``entry``'s branch that is on the active chain."""
        walker = entry
        while not self.contains(walker):
            walker = walker.prev
        return walker

    def verify_recent(self, depth: int) -> bool:
        """verifychain: re-read and re-check the last ``depth`` blocks and their undo data."""
        return verify_recent_blocks(self, depth)

    # ----- operator actions -----------------------------------------------------------------------
    @writer_command
    def invalidate_block(self, entry: BlockIndexEntry) -> None:
        """InvalidateBlock: the block is failed, every block built on it is a failed child."""
        with self.lock:
            self.settle()
            with self._held_change():  # one change: the disconnects reach listeners together (C++ one ChainReorg)
                while self._chain.contains(entry) and self._chain.tip != entry.prev:
                    self._disconnect_tip()
            self._mark_failed(entry)
            for candidate in self.index.descendants(entry):
                candidate.status |= BLOCK_FAILED_CHILD
                self._store_entry(candidate)
            self._recompute_best_header()
            self._rebuild_candidates()
            self.activate_best_chain()
            self._publish()

    @writer_command
    def reconsider_block(self, entry: BlockIndexEntry) -> None:
        """ResetBlockFailureFlags: clear failures of the block, its descendants and its ancestors."""
        with self.lock:
            self.settle()
            for candidate in self.index.failed():
                related = candidate.ancestor(entry.height) == entry or entry.ancestor(candidate.height) == candidate
                if related and candidate.status & BLOCK_FAILED_MASK:
                    candidate.status &= ~BLOCK_FAILED_MASK
                    self._store_entry(candidate)
            self._recompute_best_header()
            self._rebuild_candidates()
            self.activate_best_chain()
            self._publish()

    def _recompute_best_header(self) -> None:
        self.best_header = self._chain.tip
        best = self.index.best_entry()
        if best is not None:
            self._note_header(best)
