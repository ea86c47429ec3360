"""Chainstate on regtest chains with real Equihash 48,5 solutions: connect, reorg, disconnect, restart, rejects."""

from __future__ import annotations

import pytest

from tests.block_building import build_block, coinbase_for
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.merkle import block_merkle_root
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from tests.fake_clock import START
from tests.fake_clock import FakeClock as Clock
from fluxd.params.chainparams import EH48_5
from fluxd.params.upgrades import Upgrade
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.storage.rocks import RocksStore
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEY = PrivateKey(bytes([5]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)


def make_chainstate(tmp_path, backend: str = "memory") -> tuple[Chainstate, Clock]:
    store = MemoryStore(COLUMNS) if backend == "memory" else RocksStore(tmp_path / "chainstate", COLUMNS)
    clock = Clock()
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), clock)
    chainstate.load()
    return chainstate, clock


def mine(chainstate: Chainstate, clock: Clock, count: int, prev=None, extra_nonce: int = 0, txs=(), fees: int = 0):
    blocks = []
    for _ in range(count):
        clock.time += 600
        parent = prev or chainstate.tip
        block = build_block(PARAMS, parent, SCRIPT, clock.time, tuple(txs), fees, extra_nonce)
        prev = chainstate.process_block(block)
        blocks.append(block)
        txs, fees = (), 0
    return blocks


def coin_snapshot(chainstate: Chainstate) -> list:
    return list(chainstate.store.iterate("coins"))


@pytest.mark.parametrize("backend", ["memory", "rocks"])
def test_connect_and_disconnect_everything(tmp_path, backend):
    chainstate, clock = make_chainstate(tmp_path, backend)
    empty = coin_snapshot(chainstate)
    blocks = mine(chainstate, clock, 12)
    assert chainstate.height == 12 and chainstate.tip.hash_rev == blocks[-1].hash_rev
    assert chainstate.get_coin(OutPoint(blocks[0].transactions[0].txid_rev, 0)).value == 13_020_000 * 10**8
    funding_height_coinbase = blocks[9].transactions[0]
    assert len(funding_height_coinbase.vout) == 4
    while chainstate.height:
        chainstate._disconnect_tip()
    assert coin_snapshot(chainstate) == empty


def test_reorg_to_more_work_and_identical_utxo_by_two_paths(tmp_path):
    first, clock = make_chainstate(tmp_path / "a")
    main_blocks = mine(first, clock, 6)
    fork_parent = first.entry_at(3)
    side = mine(first, clock, 4, prev=fork_parent, extra_nonce=7)
    assert first.height == 7 and first.tip.hash_rev == side[-1].hash_rev
    second, _ = make_chainstate(tmp_path / "b")
    for block in main_blocks[:3] + side:
        second.process_block(block)
    assert coin_snapshot(first) == coin_snapshot(second)
    from fluxd.chainstate.utxo_stats import utxo_stats, varint

    one = utxo_stats(first.store, first.tip.hash_rev, first.height)
    two = utxo_stats(second.store, second.tip.hash_rev, second.height)
    assert one == two and one.txouts > 0
    assert [varint(n).hex() for n in (0, 127, 128, 255, 16384, 16511, 65535)] == ["00", "7f", "8000", "807f", "ff00", "ff7f", "82fe7f"]
    for block in main_blocks[3:]:
        second.process_block(block)
    assert second.tip.hash_rev == side[-1].hash_rev


def test_restart_keeps_tip_and_coins(tmp_path):
    chainstate, clock = make_chainstate(tmp_path, "rocks")
    mine(chainstate, clock, 5)
    tip, coins = chainstate.tip.hash_rev, coin_snapshot(chainstate)
    chainstate.store.close()
    reopened, _ = make_chainstate(tmp_path, "rocks")
    assert reopened.tip.hash_rev == tip and reopened.height == 5
    assert coin_snapshot(reopened) == coins
    reopened.store.close()


def _with_coinbase_value(block: Block, delta: int) -> Block:
    coinbase = block.transactions[0]
    outputs = (TxOut(coinbase.vout[0].value + delta, coinbase.vout[0].script_pubkey), *coinbase.vout[1:])
    txs = (coinbase.copy_with(vout=outputs), *block.transactions[1:])
    return _rebuild(block, txs)


def _rebuild(block: Block, txs) -> Block:
    root, _ = block_merkle_root([tx.txid_rev for tx in txs])
    from fluxd.consensus.equihash_solver import solve_header
    from fluxd.params.chainparams import EH48_5

    header = block.header.copy_with(merkle_root_rev=root)
    nonce, solution = solve_header(EH48_5, header.prefix_bytes())
    return Block(header.copy_with(nonce_rev=nonce, solution=solution), tuple(txs))


def _signed_spend(prevout: OutPoint, value: int, output_value: int) -> Transaction:
    store = KeyStore()
    store.add_key(KEY)
    tx = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=(TxOut(output_value, SCRIPT),))
    script_sig, complete = produce_signature(store, SCRIPT, SigningInput(tx, 0, value, 1, 0))
    assert complete
    return tx.copy_with(vin=(TxIn(prevout, script_sig),))


def test_reject_reasons(tmp_path):
    chainstate, clock = make_chainstate(tmp_path)
    blocks = mine(chainstate, clock, 3)
    clock.time += 600
    good = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time)
    greedy = _with_coinbase_value(good, 1)
    entry = chainstate.process_block(greedy)
    assert chainstate.height == 3 and entry.status & 32
    assert chainstate.invalid_reasons[greedy.hash_rev] == "bad-cb-amount"
    premature = _signed_spend(OutPoint(blocks[1].transactions[0].txid_rev, 0), blocks[1].transactions[0].vout[0].value, 1000)
    block = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time + 1, (premature,))
    chainstate.process_block(block)
    assert chainstate.invalid_reasons[block.hash_rev] == "bad-txns-premature-spend-of-coinbase"
    missing = _signed_spend(OutPoint(b"\x42" * 32, 0), 5000, 1000)
    block = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time + 2, (missing,))
    chainstate.process_block(block)
    assert chainstate.invalid_reasons[block.hash_rev] == "bad-txns-inputs-missingorspent"
    assert chainstate.height == 3
    with pytest.raises(ValidationError, match="bad-txnmrklroot"):
        chainstate.process_block(Block(good.header, good.transactions + good.transactions[:1]))
    unsolved = good.header.copy_with(prev_block_rev=b"\x11" * 32)
    with pytest.raises(ValidationError, match="invalid-solution"):  # CheckBlockHeader runs before the parent lookup
        chainstate.process_block(Block(unsolved, good.transactions))
    nonce_rev, solution = solve_header(EH48_5, unsolved.prefix_bytes())
    orphan = Block(unsolved.copy_with(nonce_rev=nonce_rev, solution=solution), good.transactions)
    with pytest.raises(ValidationError, match="bad-prevblk") as failure:
        chainstate.process_block(orphan)
    assert failure.value.dos == 10


def test_spend_mature_coinbase_with_signature(tmp_path):
    chainstate, clock = make_chainstate(tmp_path)
    blocks = mine(chainstate, clock, 101)
    coinbase = blocks[1].transactions[0]
    spend = _signed_spend(OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, coinbase.vout[0].value - 1000)
    mine(chainstate, clock, 1, txs=(spend,), fees=1000)
    assert chainstate.height == 102
    assert chainstate.get_coin(OutPoint(spend.txid_rev, 0)) is not None
    assert chainstate.get_coin(OutPoint(coinbase.txid_rev, 0)) is None
    other = blocks[2].transactions[0]
    good = _signed_spend(OutPoint(other.txid_rev, 0), other.vout[0].value, other.vout[0].value - 1000)
    wrong_sig = bytearray(good.vin[0].script_sig)
    wrong_sig[10] ^= 0x01
    bad = good.copy_with(vin=(TxIn(good.vin[0].prevout, bytes(wrong_sig)),))
    clock.time += 600
    broken = build_block(PARAMS, chainstate.tip, SCRIPT, clock.time, (bad,))
    chainstate.process_block(broken)
    assert chainstate.height == 102
    assert chainstate.invalid_reasons[broken.hash_rev].startswith("mandatory-script-verify-flag-failed")


def test_regtest_default_is_pon_with_bypass_collateral(tmp_path):
    params = networks.regtest_params()
    store = MemoryStore(COLUMNS)
    clock = Clock()
    chainstate = Chainstate(params, store, BlockFiles(tmp_path / "pon", params.message_start), clock)
    chainstate.load()
    for _ in range(3):
        clock.time += 30
        chainstate.process_block(build_block(params, chainstate.tip, SCRIPT, clock.time))
    assert chainstate.height == 3 and chainstate.tip.header.is_pon
    assert coinbase_for(params, 1, SCRIPT).vout[0].value == 14 * 10**8


def test_side_branch_block_breaking_contextual_checks_is_refused_at_accept(tmp_path):
    """C++ AcceptBlock runs ContextualCheckBlock: such a block is marked failed and never stored, on any branch."""
    from fluxd.chainstate.block_index import BLOCK_FAILED_VALID
    from fluxd.core.script import push_int

    chainstate, clock = make_chainstate(tmp_path)
    mine(chainstate, clock, 24)
    fork_parent = chainstate.entry_at(21)
    side = build_block(PARAMS, fork_parent, SCRIPT, clock.time + 1, extra_nonce=3)
    coinbase = side.transactions[0]
    wrong_height = coinbase.copy_with(vin=(TxIn(coinbase.vin[0].prevout, push_int(5) + b"\x00"),))
    bad = _rebuild(side, (wrong_height,))
    with pytest.raises(ValidationError, match="bad-cb-height") as failure:
        chainstate.process_block(bad)
    assert failure.value.dos == 100
    entry = chainstate.index[bad.hash_rev]
    assert entry.status & BLOCK_FAILED_VALID and not entry.have_data()
    assert chainstate.invalid_reasons[bad.hash_rev] == "bad-cb-height" and chainstate.height == 24
    with pytest.raises(ValidationError, match="duplicate"):
        chainstate.process_block(bad)
