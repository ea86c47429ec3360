"""Chainstate header/block acceptance on regtest PoN chains: reorg depth, checkpoints, PoN tie-break, minter signatures."""

from __future__ import annotations

import dataclasses

import pytest

from tests.block_building import build_block
from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.core.ecdsa import sign_der
from fluxd.consensus.pon import header_pon_hash
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2pkh_script
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.fake_clock import START
from tests.fake_clock import FakeClock as Clock
from fluxd.params.chainparams import Checkpoints
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore

PARAMS = networks.regtest_params()  # PoN from height 1, as C++ regtest
SCRIPT = p2pkh_script(PrivateKey(bytes([5]) * 32).key_id)
OPERATOR = PrivateKey(bytes([6]) * 32)
COLLATERAL = OutPoint(bytes([0xAB]) * 32, 1)


class Fluxnodes:
    def __init__(self, keys: dict[OutPoint, bytes]) -> None:
        self.keys = keys

    def operator_pubkey(self, collateral: OutPoint) -> bytes | None:
        return self.keys.get(collateral)


def make_chainstate(tmp_path, params=PARAMS, **options) -> tuple[Chainstate, Clock]:
    clock = Clock()
    chainstate = Chainstate(params, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", params.message_start), clock, **options)
    chainstate.load()
    return chainstate, clock


def next_block(chainstate: Chainstate, clock: Clock, parent=None, time_offset: int = 0) -> Block:
    clock.time += 600
    return build_block(chainstate.params, parent or chainstate.tip, SCRIPT, clock.time + time_offset)


def mine(chainstate: Chainstate, clock: Clock, count: int) -> list[Block]:
    blocks = []
    for _ in range(count):
        block = next_block(chainstate, clock)
        chainstate.process_block(block)
        blocks.append(block)
    return blocks


def minted_by(block: Block, collateral: OutPoint, key: PrivateKey) -> Block:
    header = block.header.copy_with(collateral=collateral)
    return Block(header.copy_with(block_sig=sign_der(key.secret, header.hash_rev)), block.transactions)


def test_fork_at_max_reorg_depth_is_refused(tmp_path):
    chainstate, clock = make_chainstate(tmp_path)
    mine(chainstate, clock, 45)
    too_deep = next_block(chainstate, clock, chainstate.entry_at(5))  # tip 45 - parent 5 = 40
    with pytest.raises(ValidationError) as failure:
        chainstate.accept_header(too_deep.header)
    assert (failure.value.reason, failure.value.dos) == ("bad-fork-prior-to-maxreorgdepth", 10)
    allowed = next_block(chainstate, clock, chainstate.entry_at(6))  # 39 blocks back
    assert chainstate.accept_header(allowed.header).height == 7


def with_checkpoint(height: int, hash_rev: bytes):
    entries = ((0, PARAMS.genesis_hash_rev), (height, hash_rev))
    return dataclasses.replace(PARAMS, checkpoints=Checkpoints(entries, 0, 0, 0.0))


def test_checkpoints_refuse_forks_below_and_other_blocks_at_the_height(tmp_path):
    source, clock = make_chainstate(tmp_path / "source")
    blocks = mine(source, clock, 8)
    params = with_checkpoint(5, blocks[4].hash_rev)
    chainstate, clock = make_chainstate(tmp_path / "checked", params)
    clock.time = source.now()
    for block in blocks:
        chainstate.process_block(block)
    assert chainstate.height == 8
    fork_below = next_block(chainstate, clock, chainstate.entry_at(2))
    with pytest.raises(ValidationError) as below:
        chainstate.accept_header(fork_below.header)
    assert (below.value.reason, below.value.dos) == ("", 100) and "last checkpoint" in below.value.detail
    fresh, fresh_clock = make_chainstate(tmp_path / "fresh", params)
    fresh_clock.time = source.now()
    for block in blocks[:4]:
        fresh.process_block(block)
    impostor = next_block(fresh, fresh_clock, fresh.entry_at(4), time_offset=7)
    assert impostor.hash_rev != blocks[4].hash_rev
    with pytest.raises(ValidationError) as mismatch:
        fresh.accept_header(impostor.header)
    assert (mismatch.value.reason, mismatch.value.dos) == ("", 0) and "known forked chain" in mismatch.value.detail


def test_checkpoints_off_accepts_the_same_headers(tmp_path):
    source, clock = make_chainstate(tmp_path / "source")
    blocks = mine(source, clock, 8)
    chainstate, clock = make_chainstate(tmp_path / "unchecked", with_checkpoint(5, blocks[4].hash_rev), checkpoints_enabled=False)
    clock.time = source.now()
    for block in blocks:
        chainstate.process_block(block)
    assert chainstate.accept_header(next_block(chainstate, clock, chainstate.entry_at(2)).header).height == 3
    assert chainstate._script_checks_needed(chainstate.entry_at(3))


def test_script_checks_skipped_for_ancestors_of_a_known_checkpoint(tmp_path):
    source, clock = make_chainstate(tmp_path / "source")
    blocks = mine(source, clock, 8)
    chainstate, clock = make_chainstate(tmp_path / "checked", with_checkpoint(5, blocks[4].hash_rev))
    clock.time = source.now()
    for block in blocks[:3]:
        chainstate.process_block(block)
    assert chainstate._script_checks_needed(chainstate.entry_at(3))  # checkpoint block not yet in the index
    for block in blocks[3:]:
        chainstate.process_block(block)
    assert not chainstate._script_checks_needed(chainstate.entry_at(3))
    assert not chainstate._script_checks_needed(chainstate.entry_at(5))
    assert chainstate._script_checks_needed(chainstate.entry_at(6))


@pytest.mark.parametrize("order", ["low-first", "high-first"])
def test_equal_work_pon_siblings_lower_pon_hash_wins(tmp_path, order):
    chainstate, clock = make_chainstate(tmp_path)
    mine(chainstate, clock, 3)
    parent = chainstate.tip
    siblings = [next_block(chainstate, clock, parent, time_offset=offset) for offset in (0, 31, 62)]
    siblings.sort(key=lambda block: header_pon_hash(PARAMS, block.header))  # memcmp order of the raw bytes
    ordered = siblings if order == "low-first" else list(reversed(siblings))
    for block in ordered:
        chainstate.process_block(block)
    assert chainstate.tip.hash_rev == siblings[0].hash_rev


def test_unknown_minter_at_tip_plus_one_marks_the_block_failed(tmp_path):
    chainstate, clock = make_chainstate(tmp_path)
    mine(chainstate, clock, 2)
    block = minted_by(next_block(chainstate, clock), COLLATERAL, OPERATOR)
    with pytest.raises(ValidationError) as failure:
        chainstate.process_block(block)
    assert failure.value.reason == "bad-pon-block" and not failure.value.corruption_possible
    assert chainstate.invalid_reasons[block.hash_rev] == "bad-pon-block"
    assert chainstate.height == 2


def test_bad_minter_signature_is_not_remembered_and_the_good_one_connects(tmp_path):
    chainstate, clock = make_chainstate(tmp_path, fluxnodes=Fluxnodes({COLLATERAL: OPERATOR.pubkey}))
    mine(chainstate, clock, 2)
    good = minted_by(next_block(chainstate, clock), COLLATERAL, OPERATOR)
    forged = minted_by(good, COLLATERAL, PrivateKey(bytes([7]) * 32))
    assert forged.hash_rev == good.hash_rev and forged.header.block_sig != good.header.block_sig
    with pytest.raises(ValidationError) as failure:
        chainstate.process_block(forged)
    assert failure.value.reason == "bad-pon-block" and failure.value.corruption_possible
    assert good.hash_rev not in chainstate.invalid_reasons
    chainstate.process_block(good)
    assert chainstate.tip.hash_rev == good.hash_rev
