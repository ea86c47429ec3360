"""Flux's fluxnode ZMQ topics on a real regtest fluxd that is itself a fluxnode (C++ zmqpublishnotifier.cpp):
fluxnodelistdelta follows a node's START (nothing confirmed), CONFIRM (added), payouts (updated), an
invalidateblock of its payment (a reorg: updated back, the old tip as from hash) and of its CONFIRM
(removed), and reconsiderblock (added again with its latest record); each delta's from hash is the
previous one's to hash, the first tip after start sends none.  fluxnodestatus tells this node's own
location whenever it changes; checkedblock carries every connected block."""

from __future__ import annotations

import struct
import time

import pytest

from fluxd.chainstate.fluxnodes.records import CONFIRMED
from tests.fake_fluxbench import install_fake_fluxbench
from tests.fluxnode_building import TEST_BENCHMARK_KEY, build_confirm, build_start_v5
from tests.functional.fluxnode_setup import Clock, Key, Wallet, node_args, send
from tests.functional.framework import NodeProcess, free_port
from tests.functional.test_zmq import Subscriber
from tests.unit.node.test_zmq_fluxnode import parse_delta

pytestmark = pytest.mark.functional

TOPICS = ("fluxnodelistdelta", "fluxnodestatus", "checkedblock", "hashblockheight")
OWNER, OPERATOR = Key.of(81), Key.of(82)
IP = "127.0.0.1:16125"
EXPIRED, STARTED = 5, 1


def _status(body: bytes) -> tuple:
    height, location, tier = struct.unpack_from("<IBB", body)
    confirmed, last_confirmed, last_paid = struct.unpack_from("<III", body, 6)
    return height, location, tier, confirmed, last_confirmed, last_paid, body[18:50].hex(), body[55:].decode()


class Deltas:
    """Each delta read back, checked to start where the last one ended."""

    def __init__(self, node, subscriber: Subscriber) -> None:
        self.node, self.subscriber, self.last_to = node, subscriber, None

    def next(self) -> dict:
        delta = parse_delta(self.subscriber.take("fluxnodelistdelta")[0])
        assert delta["to"][1] == self.node.rpc("getblockhash", delta["to"][0])
        if self.last_to is not None and not delta["reorg"]:
            assert delta["from"] == self.last_to
        self.last_to = delta["to"]
        return delta


def test_fluxnode_topics_follow_a_node_through_confirm_payments_and_reorgs(tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    zmq_args = [f"-zmqpub{topic}={address}" for topic in TOPICS]
    node = NodeProcess(tmp_path / "n", [*node_args(), "-connect=0", "-debug=zmq"]).start()
    subscriber = None
    try:
        clock = Clock([node])
        clock.tick(0)
        clock.mine(101)
        collateral = Wallet(node, clock).pay({OWNER.address: 1_000})[OWNER.address]
        clock.mine(100)
        bench = install_fake_fluxbench(node.datadir / "bench", online=True, status="running")  # no own confirms
        node.stop()
        node.extra_args = [*node.extra_args, *zmq_args, "-zelnode=1", f"-zelnodeprivkey={OPERATOR.wif}",
                           f"-zelnodeoutpoint={collateral.txid_hum}", f"-zelnodeindex={collateral.n}",
                           f"-fluxbenchpath={bench}"]  # fmt: skip
        node.start()
        subscriber = Subscriber([port], TOPICS)
        time.sleep(1.0)
        clock.tick(0)
        _follow(node, clock, subscriber, collateral)
    finally:
        if subscriber is not None:
            subscriber.close()
        node.stop()


def _follow(node, clock, subscriber, collateral) -> None:
    outpoint_display = collateral.txid_rev[::-1].hex()
    deltas = Deltas(node, subscriber)
    (first,) = clock.mine()  # the first tip after start: a status, no delta
    assert subscriber.take("checkedblock") == [bytes.fromhex(node.rpc("getblock", first, 0))]
    status = _status(subscriber.take("fluxnodestatus")[0])
    assert status == (node.rpc("getblockcount"), EXPIRED, 0, 0, 0, 0, outpoint_display, "")

    send(node, build_start_v5(collateral, OWNER.key, OPERATOR.pubkey, clock.now))
    clock.mine()
    started = deltas.next()
    assert started["from"][0] == started["to"][0] - 1 and started["added"] == started["updated"] == []
    assert _status(subscriber.take("fluxnodestatus")[0])[1:3] == (STARTED, 1)

    send(node, build_confirm(collateral, OPERATOR.key, TEST_BENCHMARK_KEY, 0, IP, clock.now, 1, clock.now))
    (confirm_block,) = clock.mine()
    confirmed_at = node.rpc("getblockcount")
    (added,) = deltas.next()["added"]
    assert added == (f"{outpoint_display}:{collateral.n}", OWNER.pubkey, OPERATOR.pubkey, confirmed_at, 0, 1, CONFIRMED, IP)
    assert _status(subscriber.take("fluxnodestatus")[0])[1:] == (CONFIRMED, 1, confirmed_at, confirmed_at, 0, outpoint_display, IP)

    paid_blocks = clock.mine(2)  # the only Cumulus node: paid in each block
    assert [deltas.next()["updated"][0][4] for _ in paid_blocks] == [confirmed_at + 1, confirmed_at + 2]
    assert [_status(body)[5] for body in subscriber.take("fluxnodestatus", 2)] == [confirmed_at + 1, confirmed_at + 2]

    node.rpc("invalidateblock", paid_blocks[1])  # no new tip yet (C++ InvalidateBlock: only ChainReorg)
    (replacement,) = clock.mine()  # pays the node at the same height again
    undone = deltas.next()
    assert undone["reorg"] == 1 and undone["from"] == (confirmed_at + 2, paid_blocks[1])
    assert undone["to"] == (confirmed_at + 2, replacement) and [entry[4] for entry in undone["updated"]] == [confirmed_at + 2]
    node.rpc("invalidateblock", confirm_block)
    (without,) = clock.mine()
    removed = deltas.next()
    assert removed["removed"] == [f"{outpoint_display}:{collateral.n}"] and removed["added"] == removed["updated"] == []
    assert removed["reorg"] == 1 and removed["from"] == (confirmed_at + 2, replacement)

    node.rpc("reconsiderblock", confirm_block)  # the longer branch (confirm, two payments) is back: added again,
    back = deltas.next()  # told once the new branch has more work (C++ ActivateBestChainStep), then the last block
    assert back["reorg"] == 1 and back["from"] == (confirmed_at, without) and back["to"] == (confirmed_at + 1, paid_blocks[0])
    assert [entry[3:5] for entry in back["added"]] == [(confirmed_at, confirmed_at + 1)]
    last = deltas.next()
    assert last["reorg"] == 0 and [entry[3:5] for entry in last["updated"]] == [(confirmed_at, confirmed_at + 2)]
    checked = subscriber.drain("checkedblock")
    assert [bytes.fromhex(node.rpc("getblock", block_hash, 0)) for block_hash in [confirm_block, *paid_blocks]] == checked[-3:]
    log = (node.net_dir / "debug.log").read_text()
    assert "zmq: FluxNode delta initialized at height" in log and "zmq: Publish fluxnodestatus at height" in log
