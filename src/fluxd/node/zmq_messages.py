"""ZeroMQ notification bodies and frames (C++ src/zmq/zmqpublishnotifier.cpp), and when they fire.

Every message is three frames: the topic, the body, and the notifier's own message counter as a
little-endian uint32 (C++ nSequence, per notifier, from 0, in memory only).  Hashes go out in display
byte order (the reverse of their internal order), heights as little-endian uint32.

``TipEvents`` turns the chainstate's connect/disconnect stream into C++'s signals: BlockChecked for every
connected block (initial block download too), SyncTransaction for every transaction of a connected or
disconnected block, UpdatedBlockTip once per ActivateBestChainStep (not during initial block download),
ChainReorg after blocks were disconnected.  The fluxnode topics are in zmq_fluxnode.py.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# option -> topic
TOPICS = {
    "-zmqpubhashblock": "hashblock",
    "-zmqpubhashtx": "hashtx",
    "-zmqpubrawblock": "rawblock",
    "-zmqpubrawtx": "rawtx",
    "-zmqpubhashblockheight": "hashblockheight",
    "-zmqpubchainreorg": "chainreorg",
    "-zmqpubcheckedblock": "checkedblock",
    "-zmqpubfluxnodelistdelta": "fluxnodelistdelta",
    "-zmqpubfluxnodestatus": "fluxnodestatus",
}
BLOCK_TOPICS = frozenset({"hashblock", "rawblock", "hashblockheight"})
FLUXNODE_TOPICS = frozenset({"fluxnodelistdelta", "fluxnodestatus"})
TX_TOPICS = frozenset({"hashtx", "rawtx"})


def le32(value: int) -> bytes:
    return struct.pack("<I", value & 0xFFFFFFFF)


def display_hash(hash_rev: bytes) -> bytes:
    return hash_rev[::-1]


def hash_height(hash_rev: bytes, height: int) -> bytes:
    """32-byte hash (display order) + LE32 height: the hashblockheight body, and each third of chainreorg's."""
    return display_hash(hash_rev) + le32(height)


def chainreorg_body(old_tip, new_tip, fork) -> bytes:
    """108 bytes: old tip, new tip, fork point, each hash + height."""
    return b"".join(hash_height(entry.hash_rev, entry.height) for entry in (old_tip, new_tip, fork))


def frames(topic: str, body: bytes, sequence: int) -> list[bytes]:
    return [topic.encode(), body, le32(sequence)]


def block_body(topic: str, entry, block) -> bytes:
    if topic == "hashblock":
        return display_hash(entry.hash_rev)
    if topic == "hashblockheight":
        return hash_height(entry.hash_rev, entry.height)
    return block.to_bytes()  # rawblock


def tx_body(topic: str, tx) -> bytes:
    return display_hash(tx.txid_rev) if topic == "hashtx" else tx.to_bytes()


@dataclass
class TipEvents:
    """The chain listener's bookkeeping: a reorganisation under way (old tip and fork point) until it is told."""

    old_tip: object = None
    fork: object = None
    out: list = field(default_factory=list)

    def on_chain_event(self, event: str, entry, block, final_tip, initial_download: bool) -> list[tuple]:
        """Signals for one event; ``final_tip``: the tip at the end of the change this event belongs to."""
        self.out = [("tx", tx) for tx in block.transactions]
        if event == "disconnect":
            if self.old_tip is None:
                self.old_tip = entry
            self.fork = entry.prev
            if final_tip == entry.prev:
                self._reorg(entry.prev)
        else:
            self.out.insert(0, ("checked", entry, block))  # C++ BlockChecked, inside ConnectTip
            self._connected(entry, block, final_tip, initial_download)
        out, self.out = self.out, []
        return out

    def _connected(self, entry, block, final_tip, initial_download: bool) -> None:
        if self.old_tip is not None:
            if entry.chainwork <= self.old_tip.chainwork and entry != final_tip:
                return  # C++ ActivateBestChainStep keeps connecting until the new chain has more work
            self._reorg(entry)
        if not initial_download:
            self.out.append(("block", entry, block))

    def _reorg(self, new_tip) -> None:
        self.out.append(("reorg", self.old_tip, new_tip, self.fork))
        self.old_tip = self.fork = None


def publish_log_line(topic: str, signal: tuple) -> str:
    """C++ LogPrint("zmq", "zmq: Publish ...") of each notifier."""
    kind = signal[0]
    if kind == "tx":
        return f"zmq: Publish {topic} {signal[1].txid_rev[::-1].hex()}"
    if kind == "checked":
        return f"zmq: Publish checkedblock {signal[1].hash_rev[::-1].hex()}"
    if kind == "reorg":
        old, new, fork = signal[1:]
        return f"zmq: Publish chainreorg old_height={old.height} new_height={new.height} fork_height={fork.height}"
    entry = signal[1]
    height = f" height {entry.height}" if topic == "hashblockheight" else ""
    return f"zmq: Publish {topic} {entry.hash_rev[::-1].hex()}{height}"
