"""Finding transactions without -txindex (C++ GetTransaction's slow path: the block of an unspent output)
and with it; the -txindex setting is fixed when the database is created."""

from __future__ import annotations

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.txindex_setting import MISMATCH_TEXT, TxIndexMismatch, check_txindex_setting, store_txindex_setting
from fluxd.core.tx_parts import OutPoint
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore
from tests.fake_clock import FakeClock
from tests.unit.chainstate.test_chainstate import PARAMS, _signed_spend, mine


def _chainstate(tmp_path, backend: str, txindex: bool, cache_bytes: int) -> tuple[Chainstate, FakeClock]:
    store = MemoryStore(COLUMNS) if backend == "memory" else RocksStore(tmp_path / "chainstate", COLUMNS)
    clock = FakeClock()
    files = BlockFiles(tmp_path / "blocks", PARAMS.message_start)
    chainstate = Chainstate(PARAMS, store, files, clock, txindex=txindex, cache_bytes=cache_bytes)
    chainstate.load()
    return chainstate, clock


@pytest.mark.parametrize("backend", ["memory", "rocks"])
@pytest.mark.parametrize("cache_bytes", [0, 1 << 30], ids=["flushed", "in-cache"])
def test_without_txindex_only_transactions_with_unspent_outputs_are_found(tmp_path, backend, cache_bytes):
    chainstate, clock = _chainstate(tmp_path, backend, False, cache_bytes)
    blocks = mine(chainstate, clock, 102)
    first, second = blocks[0].transactions[0], blocks[1].transactions[0]
    spend = _signed_spend(OutPoint(first.txid_rev, 0), first.vout[0].value, first.vout[0].value - 1000)
    mined = mine(chainstate, clock, 1, txs=(spend,), fees=1000)[0]
    assert chainstate.find_transaction(first.txid_rev) is None  # every output spent: C++ finds nothing either
    assert chainstate.unspent_output_height(first.txid_rev) is None
    tx, entry = chainstate.find_transaction(second.txid_rev)
    assert tx.txid_rev == second.txid_rev and entry.height == 2
    tx, entry = chainstate.find_transaction(spend.txid_rev)
    assert tx == spend and entry.hash_rev == mined.hash_rev and chainstate.unspent_output_height(spend.txid_rev) == 103
    chainstate._disconnect_tip()
    assert chainstate.find_transaction(spend.txid_rev) is None
    assert chainstate.find_transaction(first.txid_rev)[1].height == 1  # its output is unspent again
    assert chainstate.find_transaction(b"\x42" * 32) is None
    assert list(chainstate.store.iterate("txindex")) == []


def test_with_txindex_spent_transactions_are_found_too(tmp_path):
    chainstate, clock = _chainstate(tmp_path, "memory", True, 0)
    blocks = mine(chainstate, clock, 102)
    first = blocks[0].transactions[0]
    spend = _signed_spend(OutPoint(first.txid_rev, 0), first.vout[0].value, first.vout[0].value - 1000)
    mine(chainstate, clock, 1, txs=(spend,), fees=1000)
    assert chainstate.find_transaction(first.txid_rev)[1].height == 1
    assert chainstate.unspent_output_height(first.txid_rev) is None


def test_txindex_setting_is_fixed_at_creation():
    store = MemoryStore(COLUMNS)
    check_txindex_setting(store, False, fresh=True, reindex=False)
    store_txindex_setting(store, False)
    check_txindex_setting(store, False, fresh=False, reindex=False)
    with pytest.raises(TxIndexMismatch, match=MISMATCH_TEXT):
        check_txindex_setting(store, True, fresh=False, reindex=False)
    check_txindex_setting(store, True, fresh=False, reindex=True)
    legacy = MemoryStore(COLUMNS)  # written before the flag existed: it kept an index
    with pytest.raises(TxIndexMismatch):
        check_txindex_setting(legacy, False, fresh=False, reindex=False)
