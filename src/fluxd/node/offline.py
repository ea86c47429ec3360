"""Offline tools on a stopped node's datadir: ``fluxd -db-info`` and ``fluxd -checkdb`` (our extensions).

Both take the datadir lock (so they never run beside a live node: the usual
"Cannot obtain a lock" refusal otherwise), open the chainstate database
read-only, load the block index and tip without networking, RPC, debug.log,
pid or cookie files, do their work and exit.  Nothing is written: a write the
chainstate would make (a missing genesis block, a flush) fails on the
read-only database instead.

``-db-info`` prints getdbinfo's result, built by the RPC's own function.
``-checkdb`` runs verifychain (all blocks at level 3 unless -checkblocks /
-checklevel say otherwise) plus block-file and metadata sanity checks and
prints one line per check and a summary; the exit status is 0 when the
datadir is intact and ``EXIT_DAMAGED`` when a check failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fluxd.chainstate.block_index import BLOCK_FAILED_MASK, BLOCK_HAVE_UNDO, INDEX_COLUMN, RECORD_PREFIX
from fluxd.chainstate.chainstate import CHAINSTATE_FORMAT_VERSION, COLUMNS, Chainstate
from fluxd.chainstate.modules import UNDO_COLUMN, undo_key
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.index_settings import stored_indexes
from fluxd.chainstate.tip_cache import DEFAULT_DBCACHE_MIB, TIP_KEY, coins_cache_bytes
from fluxd.chainstate.txindex_setting import stored_txindex_setting
from fluxd.chainstate.undo import BlockUndo
from fluxd.chainstate.verify_db import DEFAULT_CHECKLEVEL, verify_db
from fluxd.core.block import BlockHeader
from fluxd.node.config import datadir
from fluxd.node.datadir_lock import DatadirLock
from fluxd.node.startup import StartupError, select_params
from fluxd.rpc.methods.dbinfo import db_info
from fluxd.storage.block_files import FRAME_HEADER, MAX_BLOCK_FRAME, BlockFiles, block_file_name
from fluxd.storage.format_version import VERSION_KEY
from fluxd.storage.kv import StorageError
from fluxd.storage.rocks import RocksStore
from fluxd.util.args import Args
from fluxd.util.clock import Clock
from fluxd.util.serialize import Reader
from fluxd.util.univalue import dumps

EXIT_DAMAGED = 3
MAX_DETAILS = 5  # problem lines shown under a failed check (the count says how many there were)
HEADER_READ = 4096  # bytes read at a block's start to parse its header (an Equihash header is 1487 bytes)
NETWORK_SUBDIRS = {"main": "", "test": "testnet3", "regtest": "regtest"}


class OfflineError(Exception):
    """The tool cannot run (no such datadir, no database): printed as an error, exit status 1."""


def network_dir(args: Args) -> tuple[object, Path]:
    """The chain parameters and the network datadir (not created: the tools only read)."""
    params = select_params(args)
    sub = NETWORK_SUBDIRS[params.network_id]
    net_dir = datadir(args) / sub if sub else datadir(args)
    if not net_dir.is_dir():
        raise OfflineError(f"No {params.network_id} data directory at {net_dir}")
    return params, net_dir


@contextmanager
def locked(net_dir: Path) -> Iterator[None]:
    """Hold the datadir lock (raises DatadirLocked while a node runs on it)."""
    lock = DatadirLock(net_dir)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def open_store(net_dir: Path) -> RocksStore:
    return RocksStore(net_dir / "chainstate", COLUMNS, read_only=True)


def build_chainstate(args: Args, params, net_dir: Path, store: RocksStore) -> Chainstate:
    """A chainstate over the read-only store with the modules the database was built with (not loaded yet)."""
    blocks_dir = net_dir / "blocks"
    if not blocks_dir.is_dir():
        raise StorageError(f"No block directory at {blocks_dir}")
    clock = Clock()
    if args.get_int("-mocktime", 0):
        clock.set_mock(args.get_int("-mocktime", 0))
    txindex = stored_txindex_setting(store)
    chainstate = Chainstate(
        params, store, BlockFiles(blocks_dir, params.message_start), clock.now, ScriptVerifier(), txindex=txindex,
        cache_bytes=coins_cache_bytes(args.get_int("-dbcache", DEFAULT_DBCACHE_MIB), txindex),
        checkpoints_enabled=args.get_bool("-checkpoints", True),
    )  # fmt: skip
    for index in stored_indexes(store):
        chainstate.register_module(index)
    return chainstate


def _load(chainstate: Chainstate, store: RocksStore) -> None:
    """Chainstate.load, refusing first what would make it write (an empty database would get a genesis block)."""
    if store.get("meta", TIP_KEY) is None:
        raise StorageError("The chainstate database has no tip record (an empty or unfinished database)")
    chainstate.load()


# ----- fluxd -db-info --------------------------------------------------------------------------------


def run_db_info(args: Args) -> int:
    """Print getdbinfo's JSON for the stopped node's datadir; 0, or raises OfflineError / DatadirLocked."""
    params, net_dir = network_dir(args)
    with locked(net_dir):
        try:
            store = open_store(net_dir)
        except StorageError as failure:
            raise OfflineError(str(failure)) from None
        try:
            chainstate = build_chainstate(args, params, net_dir, store)
            _load(chainstate, store)
            result = db_info(chainstate, net_dir)
        except (StorageError, OSError, ValueError) as failure:  # a damaged database: a message, not a traceback
            raise OfflineError(str(failure)) from None
        finally:
            store.close()
    print(dumps(result, 2))
    return 0


# ----- fluxd -checkdb ---------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    status: str  # "ok", "FAIL" or "skip"
    summary: str
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        label = {"ok": "OK  ", "FAIL": "FAIL", "skip": "SKIP"}[self.status]
        shown = [f"       {detail}" for detail in self.details[:MAX_DETAILS]]
        if len(self.details) > MAX_DETAILS:
            shown.append(f"       ... and {len(self.details) - MAX_DETAILS} more")
        return [f"{label}  {self.name}: {self.summary}", *shown]


def _outcome(name: str, problems: list[str], what: str, clean: str) -> Check:
    if problems:
        return Check(name, "FAIL", f"{len(problems)} of {what} damaged", problems)
    return Check(name, "ok", clean)


class _ErrorLog(logging.Handler):
    """The error lines the chainstate logs while verifying (verify_db reports failures only there)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextmanager
def _captured(logger_name: str) -> Iterator[_ErrorLog]:
    logger = logging.getLogger(logger_name)
    handler, propagate = _ErrorLog(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # into the report, not onto the terminal as bare log lines
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class IntegrityCheck:
    """The checks of ``fluxd -checkdb`` over an open read-only store; ``run`` returns them in order."""

    def __init__(self, args: Args, params, net_dir: Path, store: RocksStore) -> None:
        self.args, self.params, self.net_dir, self.store = args, params, net_dir, store
        self.depth = args.get_int("-checkblocks", 0)
        self.level = args.get_int("-checklevel", DEFAULT_CHECKLEVEL)
        self.checks: list[Check] = []
        self.chainstate: Chainstate | None = None

    def run(self) -> list[Check]:
        steps: list[tuple[str, Callable[[], Check]]] = [
            ("format-version", self._format_version),
            ("tip-record", self._tip_record),
            ("block-index", self._block_index),
            ("block-files", self._block_files),
            ("undo-data", self._undo_data),
            ("module-undo", self._module_undo),
            ("verifychain", self._verifychain),
        ]
        blocked: str | None = None
        for name, step in steps:
            if blocked is not None and name not in ("format-version", "tip-record", "block-index"):
                self.checks.append(Check(name, "skip", f"not run: {blocked} failed"))
                continue
            try:
                check = step()
            except Exception as failure:  # a damaged database may break any reader: report it, never a traceback
                check = Check(name, "FAIL", f"{type(failure).__name__}: {failure}")
            self.checks.append(check)
            if check.status == "FAIL" and name in ("format-version", "tip-record", "block-index") and blocked is None:
                blocked = name  # the chain cannot be loaded: what needs it is skipped
        return self.checks

    # metadata -----------------------------------------------------------------------------------
    def _format_version(self) -> Check:
        stored = self.store.get("meta", VERSION_KEY)
        if stored is None:
            return Check("format-version", "FAIL", "the chainstate database has no format version record")
        version = int.from_bytes(stored, "little")
        if version != CHAINSTATE_FORMAT_VERSION:
            return Check("format-version", "FAIL", f"chainstate format version {version}, this fluxd uses {CHAINSTATE_FORMAT_VERSION}")
        return Check("format-version", "ok", f"chainstate format version {version}")

    def _tip_record(self) -> Check:
        tip_hash = self.store.get("meta", TIP_KEY)
        if tip_hash is None:
            return Check("tip-record", "FAIL", "the chainstate database has no tip record")
        for key, _ in self.store.iterate(INDEX_COLUMN, prefix=RECORD_PREFIX):
            if key.endswith(tip_hash):
                height = int.from_bytes(key[len(RECORD_PREFIX) : -len(tip_hash)], "big")
                return Check("tip-record", "ok", f"tip {tip_hash[::-1].hex()} (height {height}) is in the block index")
        return Check("tip-record", "FAIL", f"the tip record names block {tip_hash[::-1].hex()}, which is not in the block index")

    def _block_index(self) -> Check:
        chainstate = build_chainstate(self.args, self.params, self.net_dir, self.store)
        try:
            _load(chainstate, self.store)
        except StorageError as failure:
            return Check("block-index", "FAIL", f"the chain cannot be loaded: {failure}")
        self.chainstate = chainstate
        problems = []
        for entry in chainstate.active.slice(0):
            if not entry.have_data():
                problems.append(f"block {entry.hash_hum} at height {entry.height} is on the active chain without block data")
            if entry.status & BLOCK_FAILED_MASK:
                problems.append(f"block {entry.hash_hum} at height {entry.height} is on the active chain but marked failed")
        summary = f"{len(chainstate.index)} entries, active chain to height {chainstate.height} ({chainstate.tip.hash_hum})"
        return _outcome("block-index", problems, f"{chainstate.height + 1} active blocks", summary)

    # block files ----------------------------------------------------------------------------------
    def _block_files(self) -> Check:
        chainstate = self.chainstate
        files = chainstate.block_files
        sizes: dict[int, int | None] = {}
        problems: list[str] = []
        with_data = [entry for entry in chainstate.index.values() if entry.have_data()]
        handles: dict[int, object] = {}
        try:
            for entry in sorted(with_data, key=lambda item: (item.file_no, item.data_pos)):
                problem = self._frame_problem(entry, files, sizes, handles)
                if problem:
                    problems.append(f"block {entry.hash_hum} at height {entry.height}: {problem}")
        finally:
            for handle in handles.values():
                handle.close()
        count = len([size for size in sizes.values() if size is not None])
        clean = f"{len(with_data)} blocks in {count} blk file(s): every frame header and block hash matches"
        return _outcome("block-files", problems, f"{len(with_data)} stored blocks", clean)

    def _frame_problem(self, entry, files, sizes: dict, handles: dict) -> str:
        file_no, data_pos = entry.file_no, entry.data_pos
        where = f"{block_file_name(file_no)}:{data_pos}"
        if file_no not in sizes:
            path = files.path(file_no)
            sizes[file_no] = path.stat().st_size if path.is_file() else None
            if sizes[file_no] is not None:
                handles[file_no] = open(path, "rb")
        size = sizes[file_no]
        if size is None:
            return f"{block_file_name(file_no)} is missing"
        if data_pos < FRAME_HEADER or data_pos > size:
            return f"{where} is past the end of the file ({size} bytes): truncated"
        handle = handles[file_no]
        handle.seek(data_pos - FRAME_HEADER)
        frame = handle.read(FRAME_HEADER)
        if frame[:4] != files.magic:
            return f"{where}: no network magic before the block (found {frame[:4].hex()})"
        length = int.from_bytes(frame[4:], "little")
        if length < 80 or length > MAX_BLOCK_FRAME:
            return f"{where}: implausible block size {length} in the frame header"
        if data_pos + length > size:
            return f"{where}: the block ({length} bytes) runs past the end of the file ({size} bytes): truncated"
        try:
            header = BlockHeader.read(Reader(handle.read(min(length, HEADER_READ))))
        except ValueError as failure:
            return f"{where}: the block header does not parse ({failure})"
        if header.hash_rev != entry.hash_rev:
            return f"{where}: the stored block hashes to {header.hash_hum}, not to its index entry"
        return ""

    # undo data ------------------------------------------------------------------------------------
    def _active_blocks(self):
        return self.chainstate.active.slice(1)  # genesis is never connected: no undo data

    def _undo_data(self) -> Check:
        chainstate = self.chainstate
        problems = []
        blocks = self._active_blocks()
        for entry in blocks:
            record = chainstate.read_undo(entry.hash_rev)
            if record is None:
                problems.append(f"block {entry.hash_hum} at height {entry.height}: undo record missing")
                continue
            if not entry.status & BLOCK_HAVE_UNDO:
                problems.append(f"block {entry.hash_hum} at height {entry.height}: index entry lacks the have-undo flag")
            try:
                BlockUndo.from_bytes(record)
            except ValueError as failure:
                problems.append(f"block {entry.hash_hum} at height {entry.height}: undo record does not parse ({failure})")
        clean = f"{len(blocks)} undo records for the connected blocks (heights 1..{chainstate.height})"
        return _outcome("undo-data", problems, f"{len(blocks)} connected blocks", clean)

    def _module_undo(self) -> Check:
        chainstate = self.chainstate
        modules = [module for module in chainstate.modules if module.kind == "consensus"]
        reader = chainstate.state_reader()
        problems = []
        blocks = self._active_blocks()
        for module in modules:
            for entry in blocks:
                if reader.get(UNDO_COLUMN, undo_key(module, entry.hash_rev)) is None:
                    problems.append(f"block {entry.hash_hum} at height {entry.height}: {module.name} undo record missing")
        names = ", ".join(module.name for module in modules) or "none"
        clean = f"{len(blocks)} undo records of each consensus module ({names})"
        return _outcome("module-undo", problems, f"{len(blocks) * len(modules)} module undo records", clean)

    # verifychain ----------------------------------------------------------------------------------
    def _verifychain(self) -> Check:
        chainstate = self.chainstate
        height = chainstate.height
        depth = height if self.depth <= 0 or self.depth > height else self.depth
        level = max(0, min(4, self.level))
        with _captured("fluxd.chainstate") as errors:
            passed = verify_db(chainstate, level, depth)
        done = f"last {depth} blocks at level {level}"
        if passed:
            return Check("verifychain", "ok", f"{done}: no problems")
        return Check("verifychain", "FAIL", f"{done}: failed", errors.messages or ["verify_db reported a failure"])


def run_check_db(args: Args) -> int:
    """Print the integrity report of the stopped node's datadir: 0 when intact, EXIT_DAMAGED when not."""
    params, net_dir = network_dir(args)
    with locked(net_dir):
        depth = args.get_int("-checkblocks", 0)
        level = args.get_int("-checklevel", DEFAULT_CHECKLEVEL)
        print(f"fluxd -checkdb: {net_dir} (network {params.network_id}, checkblocks={depth or 'all'}, checklevel={level})")
        try:
            store = open_store(net_dir)
        except StorageError as failure:
            checks = [Check("database", "FAIL", str(failure))]
        else:
            try:
                checks = [Check("database", "ok", f"{store.path} opened read-only"), *IntegrityCheck(args, params, net_dir, store).run()]
            finally:
                store.close()
    for check in checks:
        print("\n".join(check.lines()))
    failed = [check.name for check in checks if check.status == "FAIL"]
    if failed:
        print(f"Summary: {len(checks)} checks, {len(failed)} failed ({', '.join(failed)}): the datadir is damaged; "
              "restart fluxd with -reindex to rebuild it")  # fmt: skip
        return EXIT_DAMAGED
    print(f"Summary: {len(checks)} checks, all passed: the datadir is intact")
    return 0


__all__ = ["EXIT_DAMAGED", "OfflineError", "StartupError", "run_check_db", "run_db_info"]
