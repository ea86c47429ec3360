"""process_block(pipelined=True): script checks in a worker process while the writer goes on.

The pipelined chainstate must end exactly where an inline one does, show readers
only settled blocks, and treat a block whose scripts fail as C++ ConnectBlock
would (marked failed, its descendants left unconnected, the tip at its parent).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.block_building import build_block
from fluxd.chainstate.block_index import BLOCK_FAILED_VALID, BlockIndexEntry
from fluxd.chainstate.detached_entry import DetachedEntry
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.script_pool import ScriptVerifier
from fluxd.core.block import Block
from fluxd.core.tx_parts import OutPoint, TxIn
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from tests.fake_clock import START, FakeClock
from tests.unit.chainstate.test_chainstate import PARAMS, SCRIPT, _signed_spend, coin_snapshot, make_chainstate, mine

FEE = 1000
LATER = START + 10**6


@pytest.fixture(scope="module")
def verifier():
    pool = ScriptVerifier.with_processes(1)
    yield pool
    pool.close()


def _fresh(tmp_path, name: str, verifier: ScriptVerifier | None = None) -> Chainstate:
    store = MemoryStore(COLUMNS)
    clock = FakeClock(LATER)  # every test block is in its past
    chainstate = Chainstate(PARAMS, store, BlockFiles(tmp_path / name, PARAMS.message_start), clock, verifier)
    chainstate.load()
    return chainstate


def _spending_blocks(base: list[Block], tip: BlockIndexEntry, time: int, count: int, broken: int | None = None) -> list[Block]:
    """``count`` blocks on ``tip``, block i spending the coinbase of base[i + 1]; block ``broken`` with a bad signature."""
    blocks, prev = [], tip
    for number in range(count):
        coinbase = base[number + 1].transactions[0]
        spend = _signed_spend(OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, coinbase.vout[0].value - FEE)
        if number == broken:
            script_sig = bytearray(spend.vin[0].script_sig)
            script_sig[10] ^= 0x01
            spend = spend.copy_with(vin=(TxIn(spend.vin[0].prevout, bytes(script_sig)),))
        block = build_block(PARAMS, prev, SCRIPT, time + 600 * (number + 1), (spend,), FEE)
        prev = DetachedEntry(block.header, prev.height + 1, 0, prev)
        blocks.append(block)
    return blocks


@pytest.fixture(scope="module")
def mature_chain(tmp_path_factory):
    """101 blocks (coinbases 1.. mature) mined inline, and the chainstate that mined them."""
    chainstate, clock = make_chainstate(tmp_path_factory.mktemp("mature"))
    return mine(chainstate, clock, 101), chainstate, clock


def _replay(chainstate: Chainstate, blocks: list[Block], pipelined: bool) -> None:
    for block in blocks:
        chainstate.process_block(block, pipelined=pipelined)


def test_pipelined_connect_ends_where_inline_connect_does(tmp_path, mature_chain, verifier):
    base, _, clock = mature_chain
    extension = _spending_blocks(base, _tip_of(tmp_path, base), clock.time, 8)
    inline = _fresh(tmp_path, "inline")
    _replay(inline, base + extension, pipelined=False)
    piped = _fresh(tmp_path, "piped", verifier)
    _replay(piped, base, pipelined=False)
    piped.process_block(extension[0], pipelined=True)
    assert piped.pending_hashes() == [extension[0].hash_rev]  # its scripts may still run: not the tip yet
    assert piped.height == 101 and piped.get_coin(OutPoint(extension[0].transactions[1].txid_rev, 0)) is None
    _replay(piped, extension[1:], pipelined=True)
    assert len(piped.pending_hashes()) == 3 and piped.height == 101 + 5
    piped.settle()
    assert piped.pending_hashes() == [] and piped.tip.hash_rev == inline.tip.hash_rev == extension[-1].hash_rev
    inline.flush()
    piped.flush()
    assert coin_snapshot(piped) == coin_snapshot(inline)


def _tip_of(tmp_path, base: list[Block]) -> BlockIndexEntry:
    chainstate = _fresh(tmp_path, "builder")
    _replay(chainstate, base, pipelined=False)
    return chainstate.tip


@pytest.mark.parametrize("broken", [0, 2, 5])
def test_a_pipelined_block_whose_scripts_fail_is_marked_and_its_children_dropped(tmp_path, mature_chain, verifier, broken):
    base, _, clock = mature_chain
    blocks = _spending_blocks(base, _tip_of(tmp_path, base), clock.time, 6, broken=broken)
    expected = _fresh(tmp_path, "expected")
    _replay(expected, base + blocks[:broken], pipelined=False)
    piped = _fresh(tmp_path, "piped", verifier)
    _replay(piped, base, pipelined=False)
    _replay(piped, blocks, pipelined=True)
    piped.settle()
    bad = piped.index[blocks[broken].hash_rev]
    assert piped.invalid_reasons[bad.hash_rev].startswith("mandatory-script-verify-flag-failed")
    assert bad.status & BLOCK_FAILED_VALID and not piped.contains(bad)
    assert piped.tip.hash_rev == expected.tip.hash_rev and piped.pending_hashes() == []
    assert all(not piped.contains(piped.index[block.hash_rev]) for block in blocks[broken:])
    expected.flush()
    piped.flush()
    assert coin_snapshot(piped) == coin_snapshot(expected)


def test_other_writes_settle_pending_blocks_first(tmp_path, mature_chain, verifier):
    base, _, clock = mature_chain
    blocks = _spending_blocks(base, _tip_of(tmp_path, base), clock.time, 3)
    piped = _fresh(tmp_path, "piped", verifier)
    _replay(piped, base, pipelined=False)
    _replay(piped, blocks, pipelined=True)
    assert len(piped.pending_hashes()) == 3
    piped.invalidate_block(piped.index[blocks[1].hash_rev])  # settles, then disconnects down to blocks[0]
    assert piped.pending_hashes() == [] and piped.tip.hash_rev == blocks[0].hash_rev
    _replay(piped, [base[0]], pipelined=True)  # a known block: nothing left pending either
    piped.reconsider_block(piped.index[blocks[1].hash_rev])
    assert piped.tip.hash_rev == blocks[-1].hash_rev


def test_block_sync_punishes_the_sender_of_a_block_found_invalid_later(tmp_path, mature_chain, verifier):
    from fluxd.node.block_sync import BlockSync

    base, _, clock = mature_chain
    blocks = _spending_blocks(base, _tip_of(tmp_path, base), clock.time, 3, broken=0)
    chainstate = _fresh(tmp_path, "synced", verifier)
    _replay(chainstate, base, pipelined=False)
    sync = BlockSync(SimpleNamespace(chainstate=chainstate, params=PARAMS), writer=None)
    punished = []
    sync.misbehaving = lambda peer, score, reason: punished.append((peer.name, score, reason))
    sync.schedule_downloads = lambda: None
    peers = [_FakePeer(f"peer{number}") for number in range(3)]
    for block in blocks:
        sync._queued_blocks.append(block.hash_rev)
    results = []
    for block in blocks:  # the writer thread's jobs, one by one, then their callbacks on the loop
        results.append(sync._process_block(block))
    assert results[0][2] is True and results[0][3] == []  # block 0 was still pending after its own job
    for peer, block, result in zip(peers, blocks, results):
        sync._block_processed(peer, block.hash_rev, *result)
    assert punished == [("peer0", 100, f"invalid block ({chainstate.invalid_reasons[blocks[0].hash_rev]})")]
    assert peers[0].sent and peers[0].sent[0].reason.startswith("mandatory-script-verify-flag-failed")
    assert chainstate.tip.hash_rev == base[-1].hash_rev and chainstate.pending_hashes() == []


class _FakePeer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False
        self.sent = []
        self.known_blocks = set()
        self.best_known = None

    def send(self, message) -> None:
        self.sent.append(message)
