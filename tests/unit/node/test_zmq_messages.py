"""ZMQ frames and bodies (C++ zmqpublishnotifier.cpp) and which signals chain events give (TipEvents)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import zmq

from fluxd.node.zmq_messages import TipEvents, block_body, chainreorg_body, frames, tx_body
from fluxd.node.zmq_service import Notifier, bind_notifiers


@dataclass(eq=False)
class Entry:
    height: int
    chainwork: int
    prev: "Entry | None" = None

    @property
    def hash_rev(self) -> bytes:
        return struct.pack("<II", self.height, self.chainwork) + bytes(24)


@dataclass
class Tx:
    txid_rev: bytes

    def to_bytes(self) -> bytes:
        return b"raw" + self.txid_rev


@dataclass
class BlockStub:
    transactions: tuple

    def to_bytes(self) -> bytes:
        return b"block"


def test_frames_are_topic_body_and_le32_sequence():
    assert frames("hashtx", b"\x01", 0x01020304) == [b"hashtx", b"\x01", b"\x04\x03\x02\x01"]


def test_bodies_use_display_byte_order_and_le32_heights():
    entry = Entry(300, 7)
    assert block_body("hashblock", entry, None) == entry.hash_rev[::-1]
    assert block_body("hashblockheight", entry, None) == entry.hash_rev[::-1] + struct.pack("<I", 300)
    assert block_body("rawblock", entry, BlockStub(())) == b"block"
    tx = Tx(bytes(range(32)))
    assert tx_body("hashtx", tx) == bytes(range(31, -1, -1)) and tx_body("rawtx", tx) == b"raw" + tx.txid_rev


def test_chainreorg_body_is_108_bytes_old_new_fork():
    old, new, fork = Entry(5, 5), Entry(6, 6), Entry(3, 3)
    body = chainreorg_body(old, new, fork)
    assert len(body) == 108
    assert body[:36] == old.hash_rev[::-1] + struct.pack("<I", 5)
    assert body[36:72] == new.hash_rev[::-1] + struct.pack("<I", 6)
    assert body[72:] == fork.hash_rev[::-1] + struct.pack("<I", 3)


def _chain(length: int, base: Entry | None = None, work_step: int = 1) -> list[Entry]:
    entries, prev = [], base
    for _ in range(length):
        height = prev.height + 1 if prev else 0
        prev = Entry(height, (prev.chainwork if prev else 0) + work_step, prev)
        entries.append(prev)
    return entries


def test_a_connected_block_gives_its_transactions_then_the_block():
    a0, a1 = _chain(2)
    block = BlockStub((Tx(b"c" * 32), Tx(b"s" * 32)))
    signals = TipEvents().on_chain_event("connect", a1, block, a1, False)
    assert signals == [("checked", a1, block), ("tx", block.transactions[0]), ("tx", block.transactions[1]),
                       ("block", a1, block)]  # fmt: skip
    assert TipEvents().on_chain_event("connect", a1, block, a1, True) == signals[:3]  # no UpdatedBlockTip in IBD


def test_a_reorg_is_told_once_with_the_block_that_gives_more_work():
    a0, a1, a2 = _chain(3)
    b1, b2, b3 = _chain(3, a0)
    events, empty = TipEvents(), BlockStub(())
    assert events.on_chain_event("disconnect", a2, empty, b3, False) == []
    assert events.on_chain_event("disconnect", a1, empty, b3, False) == []
    assert events.on_chain_event("connect", b1, empty, b3, False) == [("checked", b1, empty)]
    assert events.on_chain_event("connect", b2, empty, b3, False) == [("checked", b2, empty)]  # no tip notification
    assert events.on_chain_event("connect", b3, empty, b3, False) == [
        ("checked", b3, empty), ("reorg", a2, b3, a0), ("block", b3, empty)]  # fmt: skip


def test_disconnects_ending_a_change_are_a_reorg_to_the_fork():
    a0, a1, a2 = _chain(3)
    events, empty = TipEvents(), BlockStub(())
    assert events.on_chain_event("disconnect", a2, empty, a0, False) == []
    assert events.on_chain_event("disconnect", a1, empty, a0, False) == [("reorg", a2, a0, a0)]
    b1 = _chain(1, a0)[0]
    assert events.on_chain_event("connect", b1, empty, b1, False) == [("checked", b1, empty), ("block", b1, empty)]


def test_notifiers_on_one_address_share_a_socket_and_count_apart(tmp_path):
    context = zmq.Context()
    address = f"ipc://{tmp_path}/zmq"
    first, second = Notifier("hashblock", address), Notifier("hashtx", address)
    sockets = bind_notifiers(context, [first, second])
    try:
        assert list(sockets) == [address] and first.socket is second.socket
        assert first.send(b"x") and first.send(b"y") and second.send(b"z")
        assert (first.sequence, second.sequence) == (2, 1)
    finally:
        for socket in sockets.values():
            socket.close(linger=0)
        context.term()


def test_an_address_that_cannot_be_bound_gives_no_notifiers():
    context = zmq.Context()
    try:
        assert bind_notifiers(context, [Notifier("hashblock", "tcp://256.0.0.1:1")]) is None
    finally:
        context.term()
