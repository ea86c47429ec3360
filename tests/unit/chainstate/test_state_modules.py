"""State modules: typed columns moved with each block, layered over pipelined blocks, flushed with the coins,
dropped with a refused block and undone on disconnect; index modules see the spent coins."""

from __future__ import annotations

import pytest

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, TIP_KEY, Chainstate
from fluxd.chainstate.modules import UNDO_COLUMN, undo_key
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.chainstate.state_columns import Column, StateReader, StateWriter, fixed_bytes, layer_writes
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.kv import StorageError
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore
from tests.fake_clock import FakeClock
from tests.toy_modules import HEIGHTS, SPENT, TOTAL, BlockCounter, SpentValueIndex, counted, module_state
from tests.unit.chainstate.test_chainstate import PARAMS, SCRIPT
from tests.unit.chainstate.test_pipelined_connect import LATER, _spending_blocks


def open_chainstate(tmp_path, store, *modules, cache_bytes: int = 0, verifier=None, now=None) -> tuple[Chainstate, FakeClock]:
    clock = now or FakeClock()
    files = BlockFiles(tmp_path / "blocks", PARAMS.message_start)
    chainstate = Chainstate(PARAMS, store, files, clock, verifier, cache_bytes=cache_bytes)
    for module in modules:
        chainstate.register_module(module)
    chainstate.load()
    return chainstate, clock


def mine(chainstate, clock, count: int, parent=None, offset: int = 0):
    blocks = []
    for _ in range(count):
        clock.time += 600
        block = build_block(PARAMS, parent or chainstate.tip, SCRIPT, clock.time + offset)
        parent = chainstate.process_block(block)
        blocks.append(block)
    return blocks


def test_state_follows_connects_and_disconnects(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    blocks = mine(chainstate, clock, 5)
    assert counted(chainstate) == 5
    reader = chainstate.state_reader()
    assert [height for height, _ in reader.iterate(HEIGHTS)] == [1, 2, 3, 4, 5]
    assert reader.get(HEIGHTS, 3) == blocks[2].hash_rev
    assert reader.get(UNDO_COLUMN, undo_key(BlockCounter(), blocks[2].hash_rev)) is not None
    while chainstate.height:
        chainstate._disconnect_tip()
    chainstate.flush()
    assert counted(chainstate) == 0
    assert list(chainstate.store.iterate("ext")) == [] and list(chainstate.store.iterate("ext_undo")) == []


def test_a_refused_block_changes_nothing(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter(refuse_height=4))
    mine(chainstate, clock, 3)
    clock.time += 600
    refused = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time)
    chainstate.process_block(refused)
    assert chainstate.height == 3 and chainstate.invalid_reasons[refused.hash_rev] == "bad-counter-height"
    assert counted(chainstate) == 3 and chainstate.state_reader().get(HEIGHTS, 4) is None


def test_a_reorg_recounts_along_the_new_branch(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    mine(chainstate, clock, 6)
    fork = chainstate.entry_at(2)
    longer = mine(chainstate, clock, 6, parent=fork, offset=7)
    assert chainstate.tip.hash_rev == longer[-1].hash_rev and counted(chainstate) == 8
    heights = dict(chainstate.state_reader().iterate(HEIGHTS))
    assert sorted(heights) == list(range(1, 9)) and heights[8] == longer[-1].hash_rev


def test_module_state_reaches_the_database_only_with_the_tip(tmp_path):
    store = MemoryStore(COLUMNS)
    chainstate, clock = open_chainstate(tmp_path, store, BlockCounter(), cache_bytes=1 << 30)
    mine(chainstate, clock, 4)
    assert store.get("ext", TOTAL.db_key(b"")) is None and store.get("meta", TIP_KEY) != chainstate.tip.hash_rev
    assert counted(chainstate) == 4  # readers see the unflushed state through the tip cache
    chainstate.flush()
    assert store.get("ext", TOTAL.db_key(b"")) == (4).to_bytes(4, "big")
    assert store.get("meta", TIP_KEY) == chainstate.tip.hash_rev


def test_state_survives_a_restart_on_rocksdb(tmp_path):
    store = RocksStore(tmp_path / "chainstate", COLUMNS)
    chainstate, clock = open_chainstate(tmp_path, store, BlockCounter(), SpentValueIndex())
    mine(chainstate, clock, 3)
    before = module_state(chainstate)
    chainstate.flush()
    store.close()
    reopened, _ = open_chainstate(tmp_path, RocksStore(tmp_path / "chainstate", COLUMNS), BlockCounter(), SpentValueIndex())
    assert reopened.height == 3 and module_state(reopened) == before
    reopened.store.close()


def test_missing_consensus_undo_is_a_clear_error(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    blocks = mine(chainstate, clock, 2)
    layer_writes(chainstate.cache.state, UNDO_COLUMN)[undo_key(BlockCounter(), blocks[-1].hash_rev)] = None
    with pytest.raises(StorageError, match="undo record .* Restart with -reindex"):
        chainstate._disconnect_tip()


def test_modules_must_not_share_key_ranges(tmp_path):
    chainstate, _ = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())

    class Clash:
        name, kind = "clash", "index"
        columns = (Column("clash", family="ext", prefix=b"counter/", key=fixed_bytes(1)),)

    with pytest.raises(ValueError, match="overlap"):
        chainstate.register_module(Clash())


# ----- pipelining stays on with modules --------------------------------------------------------------
@pytest.fixture(scope="module")
def verifier():
    pool = ScriptVerifier.with_processes(1)
    yield pool
    pool.close()


def _replay(chainstate, blocks, pipelined: bool) -> None:
    for block in blocks:
        chainstate.process_block(block, pipelined=pipelined)


@pytest.fixture(scope="module")
def spending_chain(tmp_path_factory):
    """101 mature blocks and 8 blocks on them whose transactions spend coinbases (the index module sees their undo)."""
    from tests.unit.chainstate.test_chainstate import make_chainstate, mine as mine_plain

    chainstate, clock = make_chainstate(tmp_path_factory.mktemp("base"))
    base = mine_plain(chainstate, clock, 101)
    return base, _spending_blocks(base, chainstate.tip, clock.time, 8)


@pytest.mark.parametrize("broken", [None, 2])
def test_pipelined_connect_with_modules_equals_inline(tmp_path, spending_chain, verifier, broken):
    base, extension = spending_chain
    if broken is not None:
        extension = _spending_blocks(base, _tip_after(tmp_path, base), LATER - 10**6 + 600 * 101, 8, broken=broken)
    inline, _ = open_chainstate(tmp_path / "inline", MemoryStore(COLUMNS), BlockCounter(), SpentValueIndex(), now=FakeClock(LATER))
    _replay(inline, base + extension[: broken if broken is not None else None], pipelined=False)
    piped, _ = open_chainstate(tmp_path / "piped", MemoryStore(COLUMNS), BlockCounter(), SpentValueIndex(),
                               verifier=verifier, now=FakeClock(LATER))  # fmt: skip
    _replay(piped, base, pipelined=False)
    _replay(piped, extension, pipelined=True)
    if broken is None:
        assert len(piped.pending_hashes()) == 3  # the modules did not turn the pipeline off
        assert counted(piped) == 101 + 5  # readers see settled blocks only
    piped.settle()
    assert piped.tip.hash_rev == inline.tip.hash_rev
    assert module_state(piped) == module_state(inline)
    spent = dict(piped.state_reader().iterate(SPENT))
    assert len(spent) == (8 if broken is None else broken) and all(value > 0 for value in spent.values())


def _tip_after(tmp_path, base):
    chainstate, _ = open_chainstate(tmp_path / "builder", MemoryStore(COLUMNS), now=FakeClock(LATER))
    _replay(chainstate, base, pipelined=False)
    return chainstate.tip


# ----- the layered reader ------------------------------------------------------------------------
def test_iteration_merges_layers_over_the_store_in_key_order():
    store = MemoryStore(COLUMNS)
    base = StateWriter({}, [], store)
    for height in (1, 3, 5, 7):
        base.put(HEIGHTS, height, bytes([height]) * 32)
    from fluxd.storage.kv import WriteBatch

    batch = WriteBatch()
    for column, writes in base.top.items():
        for key, value in writes.items():
            batch.put(column.family, key, value)
    store.write(batch)
    middle: dict = {}
    StateWriter(middle, [], store).put(HEIGHTS, 4, b"\x04" * 32)
    top = StateWriter({}, [middle], store)
    top.delete(HEIGHTS, 3)
    top.put(HEIGHTS, 5, b"\x55" * 32)
    top.put(TOTAL, b"", 9)  # another column: never seen by a HEIGHTS scan
    assert [(h, v[:1]) for h, v in top.iterate(HEIGHTS)] == [(1, b"\x01"), (4, b"\x04"), (5, b"\x55"), (7, b"\x07")]
    assert [h for h, _ in top.iterate(HEIGHTS, start=(5).to_bytes(4, "big"))] == [5, 7]
    assert [h for h, _ in StateReader([middle], store).iterate(HEIGHTS)] == [1, 3, 4, 5, 7]
    assert top.get(HEIGHTS, 3) is None and top.get(TOTAL, b"") == 9
