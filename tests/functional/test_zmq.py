"""-zmqpub* on a real regtest fluxd: a pyzmq SUB socket on loopback receives every topic with its own
sequence number (C++ zmqpublishnotifier.cpp), on generate, on sendrawtransaction and through
invalidateblock / reconsiderblock reorganisations (chainreorg; hashblock only for the block that
gives the new chain more work, as C++ ActivateBestChainStep)."""

from __future__ import annotations

import struct
import time

import pytest
import zmq

from fluxd.core.block import Block
from fluxd.core.transaction import Transaction
from tests.functional.framework import NodeProcess, free_port
from tests.functional.test_address_index import ADDR, Clock, send

TOPICS = ("hashblock", "hashtx", "rawblock", "rawtx", "hashblockheight", "chainreorg")


class Subscriber:
    """All topics, each in arrival order; checks every topic's sequence numbers count up from 0."""

    def __init__(self, ports: list[int], topics: tuple[str, ...] = TOPICS) -> None:
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.socket.setsockopt(zmq.RCVTIMEO, 20_000)
        for port in ports:
            self.socket.connect(f"tcp://127.0.0.1:{port}")
        self.queued: dict[str, list[bytes]] = {topic: [] for topic in topics}
        self.next_sequence = dict.fromkeys(topics, 0)

    def take(self, topic: str, count: int = 1) -> list[bytes]:
        while len(self.queued[topic]) < count:
            name, body, sequence = self.socket.recv_multipart()
            name = name.decode()
            assert struct.unpack("<I", sequence)[0] == self.next_sequence[name], name
            self.next_sequence[name] += 1
            self.queued[name].append(body)
        taken, self.queued[topic] = self.queued[topic][:count], self.queued[topic][count:]
        return taken

    def drain(self, topic: str) -> list[bytes]:
        """What has arrived of ``topic`` after the others were waited for (quiet for half a second)."""
        self.socket.setsockopt(zmq.RCVTIMEO, 500)
        try:
            while True:
                self.take(topic, len(self.queued[topic]) + 1)
        except zmq.Again:
            pass
        finally:
            self.socket.setsockopt(zmq.RCVTIMEO, 20_000)
        taken, self.queued[topic] = self.queued[topic], []
        return taken

    def close(self) -> None:
        self.socket.close(linger=0)
        self.context.term()


def hash_height(block_hash: str, height: int) -> bytes:
    return bytes.fromhex(block_hash) + struct.pack("<I", height)


@pytest.fixture
def zmq_node(tmp_path):
    ports = [free_port(), free_port(), free_port()]
    shared, raw, reorg = (f"tcp://127.0.0.1:{port}" for port in ports)
    node = NodeProcess(tmp_path / "n", [
        "-nuparams=pon:1000", "-connect=0", f"-mineraddress={ADDR['a']}", "-debug=zmq",
        f"-zmqpubhashblock={shared}", f"-zmqpubhashtx={shared}", f"-zmqpubhashblockheight={shared}",
        f"-zmqpubrawblock={raw}", f"-zmqpubrawtx={raw}", f"-zmqpubchainreorg={reorg}",
    ]).start()  # fmt: skip
    subscriber = Subscriber(ports)
    time.sleep(1.0)  # the subscription reaches the publisher before the first message
    yield node, subscriber
    subscriber.close()
    node.stop()


def check_block(node, subscriber: Subscriber, block_hash: str) -> Block:
    raw = bytes.fromhex(node.rpc("getblock", block_hash, 0))
    block = Block.from_bytes(raw)
    height = node.rpc("getblock", block_hash)["height"]
    assert subscriber.take("hashtx", len(block.transactions)) == [tx.txid_rev[::-1] for tx in block.transactions]
    assert subscriber.take("rawtx", len(block.transactions)) == [tx.to_bytes() for tx in block.transactions]
    assert subscriber.take("hashblock") == [bytes.fromhex(block_hash)]
    assert subscriber.take("hashblockheight") == [hash_height(block_hash, height)]
    assert subscriber.take("rawblock") == [raw]
    return block


def test_every_topic_with_its_sequence_on_blocks_transactions_and_reorgs(zmq_node):
    node, subscriber = zmq_node
    clock = Clock()
    blocks = [check_block(node, subscriber, block_hash) for block_hash in clock.mine(node, 101)]
    coinbase = blocks[0].transactions[0]
    out = coinbase.vout[0]
    txid = send(node, [(coinbase.txid_hum, 0, out.value, out.script_pubkey)], {ADDR["b"]: out.value - 10_000})
    assert subscriber.take("hashtx") == [bytes.fromhex(txid)]
    assert Transaction.from_bytes(subscriber.take("rawtx")[0]).txid_hum == txid
    b102, b103 = clock.mine(node, 2)
    assert txid in [tx.txid_hum for tx in check_block(node, subscriber, b102).transactions]
    check_block(node, subscriber, b103)
    b101 = node.rpc("getblockhash", 101)

    node.rpc("invalidateblock", b102)  # C++ InvalidateBlock: one ChainReorg(old tip, new tip, pindex->pprev)
    assert subscriber.take("chainreorg") == [hash_height(b103, 103) + hash_height(b101, 101) * 2]
    assert bytes.fromhex(txid) in subscriber.take("hashtx", 4)  # both blocks' transactions, and the spend back in the pool
    (b102_alt,) = clock.mine(node, 1)
    assert subscriber.take("hashblock") == [bytes.fromhex(b102_alt)]

    node.rpc("reconsiderblock", b102)  # back to the longer chain: hashblock for 103 only (102 has no more work than 102')
    assert subscriber.take("chainreorg") == [hash_height(b102_alt, 102) + hash_height(b103, 103) + hash_height(b101, 101)]
    assert subscriber.take("hashblock") == [bytes.fromhex(b103)]
    assert subscriber.take("hashblockheight", 2) == [hash_height(b102_alt, 102), hash_height(b103, 103)]
    assert subscriber.take("rawblock", 2)[1] == bytes.fromhex(node.rpc("getblock", b103, 0))
    (b104,) = clock.mine(node, 1)
    assert subscriber.take("hashblock") == [bytes.fromhex(b104)]
    assert subscriber.drain("hashblock") == [] and subscriber.drain("chainreorg") == []
    assert "zmq: Publish chainreorg" in (node.net_dir / "debug.log").read_text()
