"""The address and spent indexes against records computed here from the blocks alone (P2PKH, P2SH and
unindexed scripts), through disconnects, and built later from the stored chain (resumed after a crash,
dropped when switched off)."""

from __future__ import annotations

import struct

import pytest

from tests.block_building import build_block
from fluxd.chainstate.address_index import DELTA_COLUMN, UNSPENT_COLUMN, AddressIndex, address_deltas, address_unspent
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.index_build import BuildableIndex, build_step
from fluxd.chainstate.index_settings import open_buildable
from fluxd.chainstate.spent_index import SPENT_COLUMN, SpentIndex, spent_info
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script, p2sh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from tests.fake_clock import FakeClock
from tests.unit.chainstate.test_chainstate import PARAMS, SCRIPT, _signed_spend, mine

OP_TRUE = b"\x51"
REDEEM = OP_TRUE
P2SH_SCRIPT = p2sh_script(hash160(REDEEM))
OTHER_P2PKH = p2pkh_script(bytes(range(20)))
BARE = OP_TRUE  # not P2PKH or P2SH: not in the address index, in the spent index with type 0
FEE = 1000


def _open(tmp_path, store, *modules, cache_bytes: int = 0) -> tuple[Chainstate, FakeClock]:
    clock = FakeClock()
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock, cache_bytes=cache_bytes)
    for module in modules:
        chainstate.register_module(module)
    chainstate.load()
    return chainstate, clock


def _mine(chainstate, clock, txs=()):
    clock.time += 600
    block = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time, tuple(txs), FEE * len(txs))
    chainstate.process_block(block)
    assert chainstate.tip.hash_rev == block.hash_rev
    return block


def _spend_anyone(prevouts: list[tuple[OutPoint, bytes]], outputs: list[TxOut]) -> Transaction:
    """Spend OP_TRUE outputs: bare ones with an empty scriptSig, P2SH ones with the redeem script pushed."""
    vin = tuple(TxIn(outpoint, b"" if script == BARE else bytes((len(REDEEM),)) + REDEEM) for outpoint, script in prevouts)
    return Transaction(version=1, vin=vin, vout=tuple(outputs))


def _story(chainstate, clock) -> list:
    """101 plain blocks, then spends between P2PKH, P2SH and bare scripts across several blocks."""
    blocks = [_mine(chainstate, clock) for _ in range(101)]
    coinbase = blocks[0].transactions[0]
    value = coinbase.vout[0].value
    first = _signed_spend(OutPoint(coinbase.txid_rev, 0), value, value - FEE)
    split = Transaction(version=1, vin=first.vin, vout=(TxOut(value // 2, P2SH_SCRIPT), TxOut(value // 4, OTHER_P2PKH),
                                                       TxOut(value // 4 - FEE, BARE)))  # fmt: skip
    split = _resign(split, value)
    blocks.append(_mine(chainstate, clock, [split]))
    again = _spend_anyone([(OutPoint(split.txid_rev, 0), P2SH_SCRIPT), (OutPoint(split.txid_rev, 2), BARE)],
                          [TxOut(value // 2, P2SH_SCRIPT), TxOut(value // 4 - 2 * FEE, SCRIPT)])  # fmt: skip
    blocks.append(_mine(chainstate, clock, [again]))
    coinbase2 = blocks[1].transactions[0]
    plain = _signed_spend(OutPoint(coinbase2.txid_rev, 0), coinbase2.vout[0].value, coinbase2.vout[0].value - FEE)
    chained = _spend_anyone([(OutPoint(again.txid_rev, 0), P2SH_SCRIPT)], [TxOut(value // 2 - FEE, OTHER_P2PKH)])
    blocks.append(_mine(chainstate, clock, [plain, chained]))
    return blocks


def _resign(tx: Transaction, value: int) -> Transaction:
    from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature
    from tests.unit.chainstate.test_chainstate import KEY

    store = KeyStore()
    store.add_key(KEY)
    unsigned = tx.copy_with(vin=(TxIn(tx.vin[0].prevout, b""),))
    script_sig, complete = produce_signature(store, SCRIPT, SigningInput(unsigned, 0, value, 1, 0))
    assert complete
    return unsigned.copy_with(vin=(TxIn(tx.vin[0].prevout, script_sig),))


# ----- the records, computed from the blocks only -----------------------------------------------
def _kind(script: bytes) -> bytes | None:
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return b"\x01" + script[3:23]
    if len(script) == 23 and script[:2] == b"\xa9\x14" and script[22:] == b"\x87":
        return b"\x02" + script[2:22]
    return None


def expected_records(blocks) -> dict:
    """Every record of the three columns as C++ ConnectBlock writes them, blocks 1.. of ``blocks``."""
    outputs, deltas, unspent, spent = {}, {}, {}, {}
    for height, block in enumerate(blocks, start=1):
        for position, tx in enumerate(block.transactions):
            for j, txin in enumerate(tx.vin if position else ()):
                script, value, created = outputs.pop((txin.prevout.txid_rev, txin.prevout.n))
                key = _kind(script)
                if key is not None:
                    deltas[b"d" + key + struct.pack(">II32sI?", height, position, tx.txid_rev, j, True)] = struct.pack("<q", -value)
                    del unspent[b"u" + key + txin.prevout.txid_rev + struct.pack(">I", txin.prevout.n)]
                spent[b"p" + txin.prevout.txid_rev + struct.pack("<I", txin.prevout.n)] = (
                    tx.txid_rev + struct.pack("<IIq", j, height, value) + (key or bytes(21)))
            for n, out in enumerate(tx.vout):
                outputs[(tx.txid_rev, n)] = (out.script_pubkey, out.value, height)
                key = _kind(out.script_pubkey)
                if key is not None:
                    deltas[b"d" + key + struct.pack(">II32sI?", height, position, tx.txid_rev, n, False)] = struct.pack("<q", out.value)
                    unspent[b"u" + key + tx.txid_rev + struct.pack(">I", n)] = struct.pack("<qI", out.value, height) + out.script_pubkey
    return {"delta": deltas, "unspent": unspent, "spent": spent}


def index_records(chainstate) -> dict:
    reader = chainstate.state_reader()
    return {name: dict(reader.iterate_raw(column)) for name, column in
            (("delta", DELTA_COLUMN), ("unspent", UNSPENT_COLUMN), ("spent", SPENT_COLUMN))}  # fmt: skip


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    chainstate, clock = _open(tmp_path_factory.mktemp("story"), MemoryStore(COLUMNS), AddressIndex(), SpentIndex())
    return chainstate, _story(chainstate, clock)


def test_records_equal_those_computed_from_the_blocks(story):
    chainstate, blocks = story
    found = index_records(chainstate)
    assert found == expected_records(blocks)
    assert len(found["spent"]) == 5 and any(value.endswith(bytes(21)) for value in found["spent"].values())  # the bare spend


def test_queries_return_history_in_chain_order(story):
    chainstate, blocks = story
    reader = chainstate.state_reader()
    p2sh = b"\x02" + hash160(REDEEM)
    history = address_deltas(reader, p2sh)
    assert [(d.height, d.spending, d.satoshis > 0) for d in history] == [(102, False, True), (103, False, True), (103, True, False), (104, True, False)]  # key order: output 0 before input 0
    assert sum(d.satoshis for d in history) == 0 and address_unspent(reader, p2sh) == []
    assert [d.height for d in address_deltas(reader, p2sh, 103, 103)] == [103, 103]
    other = address_unspent(reader, _kind(OTHER_P2PKH))
    assert sorted(u.height for u in other) == [102, 104] and all(u.script_pubkey == OTHER_P2PKH for u in other)
    split = blocks[101].transactions[1]
    info = spent_info(reader, OutPoint(split.txid_rev, 0))
    assert (info.txid_rev, info.input_index, info.height, info.address_type) == (blocks[102].transactions[1].txid_rev, 0, 103, 2)
    assert spent_info(reader, OutPoint(split.txid_rev, 1)) is None  # still unspent


def test_disconnects_restore_the_shorter_chains_records(tmp_path):
    chainstate, clock = _open(tmp_path, MemoryStore(COLUMNS), AddressIndex(), SpentIndex())
    blocks = _story(chainstate, clock)
    for cut in (1, 2, 3):
        chainstate._disconnect_tip()
        assert index_records(chainstate) == expected_records(blocks[:-cut])
    chainstate.flush()
    assert index_records(chainstate) == expected_records(blocks[:-3])


# ----- built later from the stored chain ---------------------------------------------------------
def _buildable(store, enabled=True) -> list[BuildableIndex]:
    return [index for module in (AddressIndex(), SpentIndex())
            if (index := open_buildable(store, module, enabled, True, PARAMS.genesis_hash_rev)) is not None]  # fmt: skip


def _build_all(chainstate, indexes, seconds=1.0) -> None:
    for index in indexes:
        while not index.ready:
            build_step(chainstate, index, seconds)


def _plain_chain(tmp_path):
    store = MemoryStore(COLUMNS)
    chainstate, clock = _open(tmp_path, store)
    blocks = _story(chainstate, clock)
    chainstate.flush()
    return store, blocks


def test_an_index_switched_on_later_is_built_from_the_stored_blocks(tmp_path):
    store, blocks = _plain_chain(tmp_path)
    indexes = _buildable(store)
    assert [index.ready for index in indexes] == [False, False] and indexes[0].progress[0] == 0
    chainstate, _ = _open(tmp_path, store, *indexes)
    assert index_records(chainstate) == {"delta": {}, "unspent": {}, "spent": {}}
    _build_all(chainstate, indexes)
    assert index_records(chainstate) == expected_records(blocks)
    chainstate.flush()
    assert store.get("meta", b"indexbuild/addressindex/") is None  # complete: no progress record
    reopened, _ = _open(tmp_path, store, *_buildable(store))
    assert all(index.ready for index in reopened.modules if isinstance(index, BuildableIndex))
    assert index_records(reopened) == expected_records(blocks)


def test_a_build_resumes_after_a_crash_and_follows_blocks_and_disconnects(tmp_path):
    store, blocks = _plain_chain(tmp_path)
    indexes = _buildable(store)
    chainstate, clock = _open(tmp_path, store, *indexes, cache_bytes=1 << 30)  # flushed only when asked
    for _ in range(40):
        build_step(chainstate, indexes[0], 0)  # one block a step
    chainstate.flush()
    for _ in range(20):
        build_step(chainstate, indexes[0], 0)  # lost with the crash below (never flushed)
    indexes = _buildable(store)
    assert indexes[0].progress[0] == 40 and indexes[1].progress[0] == 0
    chainstate, clock = _open(tmp_path, store, *indexes)  # the restart after kill -9
    clock.time = blocks[-1].header.time
    chainstate._disconnect_tip()  # above the build: left to the builder
    blocks = blocks[:-1]
    blocks += mine(chainstate, clock, 2)  # a branch longer than the disconnected block
    _build_all(chainstate, indexes, 0.0)
    assert index_records(chainstate) == expected_records(blocks)
    for _ in range(2):
        chainstate._disconnect_tip()  # a complete index follows disconnects
    assert index_records(chainstate) == expected_records(blocks[:-2])


def test_a_disconnect_below_the_build_progress_steps_it_back(tmp_path):
    store, blocks = _plain_chain(tmp_path)
    indexes = _buildable(store)
    chainstate, _ = _open(tmp_path, store, *indexes)
    for index in indexes:
        while index.progress[0] < len(blocks) - 1:
            build_step(chainstate, index, 0)
    chainstate._disconnect_tip()
    chainstate._disconnect_tip()
    assert all(index.progress[0] == len(blocks) - 2 and not index.ready for index in indexes)
    assert index_records(chainstate) == expected_records(blocks[:-2])
    _build_all(chainstate, indexes)
    assert index_records(chainstate) == expected_records(blocks[:-2])


def test_an_index_switched_off_is_dropped(tmp_path):
    store, blocks = _plain_chain(tmp_path)
    indexes = _buildable(store)
    chainstate, _ = _open(tmp_path, store, *indexes)
    _build_all(chainstate, indexes)
    chainstate.flush()
    assert _buildable(store, enabled=False) == []
    assert list(store.iterate("addressindex")) == [] and list(store.iterate("spentindex")) == []
    assert store.get("meta", b"index/addressindex") is None
    again = _buildable(store)  # on again: built anew
    assert [index.progress[0] for index in again] == [0, 0]
