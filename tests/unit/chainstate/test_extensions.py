"""Chainstate extensions (the slot for the fluxnode list and shielded state): their writes move with each block,
reach the database in the coins' atomic batch, are dropped with a rejected block and undone on disconnect."""

from __future__ import annotations

import pytest

from fluxd.chainstate.block_builder import build_block
from fluxd.chainstate.chainstate import COLUMNS, TIP_KEY, Chainstate
from fluxd.chainstate.extensions import STATE_COLUMN, UNDO_COLUMN
from fluxd.consensus.validation import ValidationError
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.params import networks
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.kv import StorageError
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore
from tests.fake_clock import FakeClock

PARAMS = networks.regtest_params()  # PoN regtest: no Equihash to solve
SCRIPT = p2pkh_script(PrivateKey(bytes([5]) * 32).key_id)
TOTAL_KEY = b"blocks-seen"


class BlockCounter:
    """A toy extension: counts connected blocks and refuses one chosen height."""

    name = "counter"

    def __init__(self, refuse_height: int | None = None) -> None:
        self.refuse_height = refuse_height

    def connect_block(self, block, entry, view) -> bytes:
        if entry.height == self.refuse_height:
            raise ValidationError("bad-counter-height", 100)
        before = view.get(TOTAL_KEY)
        view.put(TOTAL_KEY, (int.from_bytes(before or b"\x00", "big") + 1).to_bytes(4, "big"))
        view.put(b"height/" + entry.hash_rev, entry.height.to_bytes(4, "big"))
        return before or b""

    def disconnect_block(self, block, entry, undo: bytes, view) -> None:
        if undo:
            view.put(TOTAL_KEY, undo)
        else:
            view.delete(TOTAL_KEY)
        view.delete(b"height/" + entry.hash_rev)


def open_chainstate(tmp_path, store, extension, cache_bytes: int = 0) -> tuple[Chainstate, FakeClock]:
    clock = FakeClock()
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock, cache_bytes=cache_bytes)
    chainstate.extensions.append(extension)
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


def counted(chainstate) -> int:
    value = chainstate.cache.read_extension(STATE_COLUMN, b"counter/" + TOTAL_KEY)
    return int.from_bytes(value, "big") if value else 0


def test_state_follows_connects_and_disconnects(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    blocks = mine(chainstate, clock, 5)
    assert counted(chainstate) == 5
    assert chainstate.store.get(UNDO_COLUMN, b"counter/" + blocks[2].hash_rev) is not None
    while chainstate.height:
        chainstate._disconnect_tip()
    assert counted(chainstate) == 0
    assert list(chainstate.store.iterate(STATE_COLUMN)) == [] and list(chainstate.store.iterate(UNDO_COLUMN)) == []


def test_a_refused_block_changes_nothing(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter(refuse_height=4))
    mine(chainstate, clock, 3)
    clock.time += 600
    refused = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time)
    chainstate.process_block(refused)
    assert chainstate.height == 3 and chainstate.invalid_reasons[refused.hash_rev] == "bad-counter-height"
    assert counted(chainstate) == 3
    assert chainstate.store.get(STATE_COLUMN, b"counter/height/" + refused.hash_rev) is None


def test_a_reorg_recounts_along_the_new_branch(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    mine(chainstate, clock, 6)
    fork = chainstate.entry_at(2)
    longer = mine(chainstate, clock, 6, parent=fork, offset=7)
    assert chainstate.tip.hash_rev == longer[-1].hash_rev and counted(chainstate) == 8
    heights = {key: value for key, value in chainstate.store.iterate(STATE_COLUMN) if key.startswith(b"counter/height/")}
    assert len(heights) == 8  # the abandoned branch's records were undone


def test_extension_state_reaches_the_database_only_with_the_tip(tmp_path):
    store = MemoryStore(COLUMNS)
    chainstate, clock = open_chainstate(tmp_path, store, BlockCounter(), cache_bytes=1 << 30)
    mine(chainstate, clock, 4)
    assert store.get(STATE_COLUMN, b"counter/" + TOTAL_KEY) is None and store.get("meta", TIP_KEY) != chainstate.tip.hash_rev
    assert counted(chainstate) == 4  # readers see the pending state
    chainstate.flush()
    assert store.get(STATE_COLUMN, b"counter/" + TOTAL_KEY) == (4).to_bytes(4, "big")
    assert store.get("meta", TIP_KEY) == chainstate.tip.hash_rev


def test_state_survives_a_restart_on_rocksdb(tmp_path):
    store = RocksStore(tmp_path / "chainstate", COLUMNS)
    chainstate, clock = open_chainstate(tmp_path, store, BlockCounter())
    mine(chainstate, clock, 3)
    chainstate.flush()
    store.close()
    reopened, _ = open_chainstate(tmp_path, RocksStore(tmp_path / "chainstate", COLUMNS), BlockCounter())
    assert reopened.height == 3 and counted(reopened) == 3
    reopened.store.close()


def test_missing_undo_is_a_clear_error(tmp_path):
    chainstate, clock = open_chainstate(tmp_path, MemoryStore(COLUMNS), BlockCounter())
    blocks = mine(chainstate, clock, 2)
    chainstate.cache._extension_writes[(UNDO_COLUMN, b"counter/" + blocks[-1].hash_rev)] = None
    with pytest.raises(StorageError, match="undo record .* Restart with -reindex"):
        chainstate._disconnect_tip()
