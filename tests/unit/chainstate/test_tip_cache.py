"""The multi-block coins cache (-dbcache): dirty/fresh coins, one atomic flush, restart after a lost cache."""

from __future__ import annotations

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, TIP_KEY, Chainstate
from fluxd.chainstate.coins import Coin, CoinsCache, outpoint_key
from fluxd.chainstate.tip_cache import coins_cache_bytes
from fluxd.chainstate.utxo_stats import utxo_stats
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

PARAMS = networks.regtest_params({Upgrade.PON: 10_000})
KEY = PrivateKey(bytes([9]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)
START = 1_600_000_000
BIG = 1 << 30


class RecordingStore(MemoryStore):
    """A memory store that remembers every key ever written to 'coins' and every batch size."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.coin_keys_written: set[bytes] = set()
        self.tips_written: list[bytes] = []

    def write(self, batch, sync: bool = False) -> None:
        for column, key, value in batch.operations:
            if column == "coins" and value is not None:
                self.coin_keys_written.add(key)
            if column == "meta" and key == TIP_KEY:
                self.tips_written.append(value)
        super().write(batch, sync)


def open_chainstate(tmp_path, store, cache_bytes: int) -> Chainstate:
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / "blocks", PARAMS.message_start), lambda: START + 10**8, cache_bytes=cache_bytes)
    chainstate.load()
    return chainstate


def spend(prevout: OutPoint, value: int, fee: int = 1000) -> Transaction:
    store = KeyStore()
    store.add_key(KEY)
    tx = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=(TxOut(value - fee, SCRIPT),))
    script_sig, complete = produce_signature(store, SCRIPT, SigningInput(tx, 0, value, 1, 0))
    assert complete
    return tx.copy_with(vin=(TxIn(prevout, script_sig),))


def mine(chainstate: Chainstate, txs=(), prev=None, extra_nonce: int = 0):
    parent = prev or chainstate.tip
    block = build_block(PARAMS, parent, SCRIPT, START + 600 * (parent.height + 1), tuple(txs), 1000 * len(txs), extra_nonce)
    chainstate.process_block(block)
    return block


def chain_with_spends(chainstate: Chainstate) -> tuple[list, Transaction, Transaction]:
    """101 blocks, then a block spending block 2's coinbase and one spending that spend."""
    blocks = [mine(chainstate) for _ in range(101)]
    coinbase = blocks[1].transactions[0]
    first = spend(OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value)
    blocks.append(mine(chainstate, [first]))
    second = spend(OutPoint(first.txid_rev, 0), first.vout[0].value)
    blocks.append(mine(chainstate, [second]))
    return blocks, first, second


def stats(chainstate: Chainstate):
    return utxo_stats(chainstate.store.snapshot(), chainstate.tip.hash_rev, chainstate.height)


def test_coin_created_and_spent_in_the_cache_never_reaches_the_database(tmp_path):
    store = RecordingStore()
    chainstate = open_chainstate(tmp_path, store, BIG)
    blocks, first, second = chain_with_spends(chainstate)
    assert store.tips_written == [blocks[0].header.prev_block_rev]  # only the genesis so far
    assert chainstate.get_coin(OutPoint(second.txid_rev, 0)).value == second.vout[0].value  # unflushed, visible
    assert chainstate.get_coin(OutPoint(first.txid_rev, 0)) is None
    assert store.get("coins", outpoint_key(OutPoint(second.txid_rev, 0))) is None
    chainstate.flush()
    assert store.tips_written[-1] == chainstate.tip.hash_rev and len(store.tips_written) == 2
    assert outpoint_key(OutPoint(first.txid_rev, 0)) not in store.coin_keys_written
    assert outpoint_key(OutPoint(blocks[1].transactions[0].txid_rev, 0)) not in store.coin_keys_written
    assert store.get("coins", outpoint_key(OutPoint(second.txid_rev, 0))) is not None


def test_flushed_state_equals_flushing_every_block(tmp_path):
    cached = open_chainstate(tmp_path / "a", MemoryStore(COLUMNS), BIG)
    blocks, _, _ = chain_with_spends(cached)
    every_block = open_chainstate(tmp_path / "b", MemoryStore(COLUMNS), 0)
    for block in blocks:
        every_block.process_block(block)
    assert stats(cached) == stats(every_block)  # the snapshot flushed the cache first
    assert cached.store.get("meta", TIP_KEY) == cached.tip.hash_rev
    for column in ("coins", "undo", "block_index", "txindex"):
        assert list(cached.store.iterate(column)) == list(every_block.store.iterate(column)), column


def test_small_cache_flushes_by_itself(tmp_path):
    store = RecordingStore()
    chainstate = open_chainstate(tmp_path, store, 8_000)
    for _ in range(40):
        mine(chainstate)
    assert 1 < chainstate.cache.flushes < 40
    assert chainstate.cache.memory_usage <= 8_000


def test_lost_cache_restarts_at_the_flushed_tip_and_reconnects_stored_blocks(tmp_path):
    store = MemoryStore(COLUMNS)
    chainstate = open_chainstate(tmp_path, store, BIG)
    blocks = [mine(chainstate) for _ in range(30)]
    chainstate.flush()
    flushed = chainstate.tip.hash_rev
    more = [mine(chainstate) for _ in range(20)]
    expected = stats(open_reference(tmp_path / "ref", blocks + more))
    assert store.get("meta", TIP_KEY) == flushed  # the process dies here: the cache is lost
    restarted = open_chainstate(tmp_path, store, BIG)
    assert restarted.height == 50 and restarted.tip.hash_rev == more[-1].hash_rev
    assert stats(restarted) == expected


def open_reference(directory, blocks) -> Chainstate:
    reference = open_chainstate(directory, MemoryStore(COLUMNS), 0)
    for block in blocks:
        reference.process_block(block)
    return reference


def test_reorg_inside_the_cache_matches_the_per_block_chainstate(tmp_path):
    cached = open_chainstate(tmp_path / "a", MemoryStore(COLUMNS), BIG)
    blocks, first, _ = chain_with_spends(cached)
    fork_parent = cached.entry_at(102)
    side = [mine(cached, prev=fork_parent, extra_nonce=5)]
    side.append(mine(cached, prev=cached.index[side[-1].hash_rev], extra_nonce=5))
    side.append(mine(cached, prev=cached.index[side[-1].hash_rev], extra_nonce=5))
    assert cached.tip.hash_rev == side[-1].hash_rev
    assert cached.get_coin(OutPoint(first.txid_rev, 0)) is not None  # the spend of it was disconnected
    reference = open_reference(tmp_path / "b", blocks[:102] + side)
    assert stats(cached) == stats(reference)


def test_absorb_follows_batch_write():
    stored = {OutPoint(b"\x01" * 32, 0): Coin(5, b"\x51", 1, False)}
    parent = CoinsCache(stored.get)
    child = CoinsCache(parent.get_coin)
    child.spend_coin(OutPoint(b"\x01" * 32, 0))
    child.add_coin(OutPoint(b"\x02" * 32, 0), Coin(7, b"\x51", 2, False))
    child.add_coin(OutPoint(b"\x03" * 32, 0), Coin(8, b"\x51", 2, False))
    child.spend_coin(OutPoint(b"\x03" * 32, 0))
    parent.absorb(child)
    assert dict(parent.dirty_items()) == {OutPoint(b"\x01" * 32, 0): None, OutPoint(b"\x02" * 32, 0): Coin(7, b"\x51", 2, False)}
    grandchild = CoinsCache(parent.get_coin)
    grandchild.spend_coin(OutPoint(b"\x02" * 32, 0))  # fresh in the parent: forgotten, no delete reaches the store
    parent.absorb(grandchild)
    assert dict(parent.dirty_items()) == {OutPoint(b"\x01" * 32, 0): None}
    assert len(child) == 0


def test_dbcache_split_as_cplusplus():
    assert coins_cache_bytes(450, tree_indexes=False) == 440 << 20
    assert coins_cache_bytes(450, tree_indexes=True) == int(385.75 * (1 << 20))
    assert coins_cache_bytes(1) == coins_cache_bytes(4)


class Crash(BaseException):
    """Stands for the process dying in the middle of a step."""


def test_crash_in_the_middle_of_a_reorg_with_flushes_between_steps(tmp_path):
    store = MemoryStore(COLUMNS)
    chainstate = open_chainstate(tmp_path, store, 1)  # over the limit after every step: flush each time
    blocks, _, _ = chain_with_spends(chainstate)
    fork_parent = chainstate.entry_at(100)
    side = []

    def next_side_block():
        parent = chainstate.index[side[-1].hash_rev] if side else fork_parent
        side.append(build_block(PARAMS, parent, SCRIPT, START + 600 * (parent.height + 1) + 7, (), 0, 9))
        return side[-1]

    events = []
    real_disconnect, real_settle = chainstate._disconnect_tip, chainstate._settle_oldest

    def disconnect():  # listeners hear of a reorganisation only once it is published: hook the steps themselves
        real_disconnect()
        events.append("disconnect")

    def die_on_second_connect():
        settled = real_settle()
        events.append("connect")
        if events.count("connect") == 2:
            raise Crash()
        return settled

    chainstate._disconnect_tip, chainstate._settle_oldest = disconnect, die_on_second_connect
    for _ in range(3):
        chainstate.process_block(next_side_block())  # not more work yet: stored, not connected
    assert chainstate.tip.hash_rev == blocks[-1].hash_rev
    try:
        chainstate.process_block(next_side_block())
    except Crash:
        pass
    assert events[:3] == ["disconnect"] * 3 and store.get("meta", TIP_KEY) == side[1].hash_rev
    restarted = open_chainstate(tmp_path, store, 1)
    assert restarted.tip.hash_rev == side[-1].hash_rev
    assert stats(restarted) == stats(open_reference(tmp_path / "ref", blocks[:100] + side))
