"""The PoN minter's slot logic (C++ PONMinter) and eligibility ranking (GetEligibleNodes / GetNodeRank)."""

from __future__ import annotations

from types import SimpleNamespace

from fluxd.consensus.pon import pon_hash, pon_slot
from fluxd.consensus.pon_eligibility import eligible_nodes, node_rank
from fluxd.core.block import Block, BlockHeader
from fluxd.core.ecdsa import verify_der
from fluxd.core.keys import PrivateKey
from fluxd.core.tx_parts import OutPoint
from fluxd.node import pon_minter
from fluxd.node.pon_minter import MinterIdentity, PonMinter
from fluxd.params.networks import main_params, regtest_params

REGTEST = regtest_params()
OURS = OutPoint(b"\x0a" * 32, 0)
OTHERS = [OutPoint(bytes([n]) * 32, 1) for n in range(1, 6)]
OPERATOR = PrivateKey(b"\x33" * 32)


def test_eligible_nodes_sorted_by_hash_bytes_and_ranked():
    prev = b"\x77" * 32
    nodes = eligible_nodes(REGTEST, [*OTHERS, OURS], prev, 10, 1234, 0x207FFFFF)  # regtest: every node is eligible
    assert [node.pon_hash_rev for node in nodes] == sorted(pon_hash(c, prev, 1234) for c in [*OTHERS, OURS])
    assert node_rank(nodes, nodes[0].collateral) == 1 and node_rank(nodes, OutPoint(b"\xee" * 32, 9)) == -1
    assert eligible_nodes(main_params(), OTHERS, prev, 2_100_000, 1234, 0x03000001) == []  # a target nothing meets


class FakeChain:
    def __init__(self, tip) -> None:
        self.tip, self.processed = tip, []

    def view(self):
        return SimpleNamespace(tip=self.tip)

    def fluxnode_list(self):
        return SimpleNamespace(confirmed=lambda: iter([SimpleNamespace(collateral=c) for c in [OURS, *OTHERS]]))

    def run_command(self, command, block):
        self.processed.append(block)
        return None

    def process_block(self, block):
        return None


def _minter(monkeypatch, now: int, tip_time: int):
    tip = SimpleNamespace(height=50, time=tip_time, hash_rev=b"\x42" * 32, prev=None, bits=0x207FFFFF)
    chain = FakeChain(tip)
    clock = SimpleNamespace(now=lambda: now)
    context = SimpleNamespace(params=REGTEST, chainstate=chain, clock=clock, connman=None, mempool=None,
                              args=SimpleNamespace(get=lambda *a: "", get_int=lambda n, d: d, get_bool=lambda n, d=False: d))  # fmt: skip
    monkeypatch.setattr(pon_minter, "next_pon_work_required", lambda params, prev: 0x207FFFFF)
    header = BlockHeader(version=100, prev_block_rev=tip.hash_rev, merkle_root_rev=bytes(32), final_sapling_root_rev=bytes(32),
                         time=now, bits=0x207FFFFF, collateral=OURS)
    template = SimpleNamespace(block=Block(header, ()))
    monkeypatch.setattr(pon_minter, "create_new_block", lambda *args: template)
    monkeypatch.setattr(pon_minter.AssemblerSettings, "from_args", staticmethod(lambda args, params: None))
    waits = []
    minter = PonMinter(context, lambda: MinterIdentity(OURS, OPERATOR), sleep=waits.append)
    return minter, chain, waits


def test_mints_once_per_slot_after_its_rank_delay(monkeypatch):
    now = REGTEST.genesis.time + 30 * 1000 + 10
    minter, chain, waits = _minter(monkeypatch, now, tip_time=now - 60)
    minted = minter.step()
    ranked = eligible_nodes(REGTEST, [OURS, *OTHERS], b"\x42" * 32, 51, pon_slot(REGTEST, now), 0x207FFFFF)
    assert waits == [node_rank(ranked, OURS) * 4.0]
    block = chain.processed[0]
    assert minted == block.hash_hum and verify_der(OPERATOR.pubkey, block.header.hash_rev, block.header.block_sig)
    assert minter.step() is None and len(chain.processed) == 1  # the same slot is not tried twice


def test_waits_after_a_recent_block_and_without_an_identity(monkeypatch):
    now = REGTEST.genesis.time + 30 * 2000
    minter, chain, waits = _minter(monkeypatch, now, tip_time=now - 2)
    assert minter.step() is None and not chain.processed  # 5-second guard
    minter.identity = lambda: None
    assert minter.step() is None


def test_a_rank_wait_ends_when_the_tip_changes_or_the_minter_stops():
    import threading
    import time

    for end in ("notify_tip", "stop"):
        minter = PonMinter(SimpleNamespace(), lambda: None)
        waiting = threading.Thread(target=minter.sleep, args=(30.0,))
        started = time.monotonic()
        waiting.start()
        time.sleep(0.1)
        getattr(minter, end)()
        waiting.join(5)
        assert not waiting.is_alive() and time.monotonic() - started < 5, end
    minter = PonMinter(SimpleNamespace(), lambda: None)
    started = time.monotonic()
    minter.sleep(0.3)  # nothing happens: the whole delay
    assert time.monotonic() - started >= 0.3
