"""BIP37 for peers (C++ ProcessMessage filterload / filteradd / filterclear, getdata MSG_FILTERED_BLOCK and
RelayTransaction's filter check): each peer may load a bloom filter that picks the transactions relayed to it and the
ones a filtered block (`merkleblock`) carries."""

from __future__ import annotations

import logging

from fluxd.core.block import Block
from fluxd.core.merkle_block import MerkleBlock, PartialMerkleTree
from fluxd.core.transaction import Transaction
from fluxd.p2p.bloom import MAX_SCRIPT_ELEMENT_SIZE, BloomFilter, filteradd_data
from fluxd.p2p.messages import RawMessage, TxMessage
from fluxd.p2p.peer import Peer
from fluxd.p2p.protocol import NO_BLOOM_VERSION
from fluxd.util.serialize import DecodeError

log = logging.getLogger("fluxd.net")
FILTER_COMMANDS = ("filterload", "filteradd", "filterclear")


class BloomService:
    def __init__(self, misbehaving, enabled: bool = True, enforce_node_bloom: bool = False) -> None:
        self.misbehaving = misbehaving  # (peer, score, reason)
        self.enabled = enabled  # -peerbloomfilters: NODE_BLOOM is advertised
        self.enforce_node_bloom = enforce_node_bloom  # -enforcenodebloom

    def on_message(self, peer: Peer, message: RawMessage) -> None:
        name = message.name
        if not self.enabled and name in ("filterload", "filteradd"):
            if peer.version >= NO_BLOOM_VERSION:
                self.misbehaving(peer, 100, f"{name} without NODE_BLOOM")
            elif self.enforce_node_bloom:
                peer.close("bloom filter requested without NODE_BLOOM")
            return
        try:
            {"filterload": self._load, "filteradd": self._add, "filterclear": self._clear}[name](peer, message.data)
        except DecodeError as exc:
            log.info("%s: malformed payload from peer=%d: %s", name, peer.id, exc)

    def _load(self, peer: Peer, payload: bytes) -> None:
        loaded = BloomFilter.from_payload(payload)
        if not loaded.within_size_constraints():
            self.misbehaving(peer, 100, "oversized bloom filter")  # C++ still turns relay on
        else:
            peer.bloom = loaded
        peer.relay_txs = True

    def _add(self, peer: Peer, payload: bytes) -> None:
        data = filteradd_data(payload)
        bloom = getattr(peer, "bloom", None)
        if len(data) > MAX_SCRIPT_ELEMENT_SIZE or bloom is None:
            self.misbehaving(peer, 100, "filteradd too large or without a filter")
        else:
            bloom.insert(data)

    def on_filterclear(self, peer: Peer) -> None:
        self._clear(peer, b"")

    def _clear(self, peer: Peer, payload: bytes) -> None:
        if self.enabled:
            peer.bloom = BloomFilter()  # C++: a new empty filter (matches nothing, so no tx relay until the next load)
        peer.relay_txs = True

    @staticmethod
    def wants_tx(peer: Peer, tx: Transaction | None) -> bool:
        """RelayTransaction: the peer asked for transactions, and its filter (if any) matches this one (and learns it)."""
        if not getattr(peer, "relay_txs", True):
            return False
        bloom = getattr(peer, "bloom", None)
        return bloom is None or tx is None or bloom.is_relevant_and_update(tx)

    @staticmethod
    def send_filtered_block(peer: Peer, block: Block) -> None:
        """getdata MSG_FILTERED_BLOCK: a merkleblock of the matches, then the matched transactions the peer lacks."""
        bloom = getattr(peer, "bloom", None)
        if bloom is None:
            return  # C++: no response
        matches = [bloom.is_relevant_and_update(tx) for tx in block.transactions]
        tree = PartialMerkleTree.build([tx.txid_rev for tx in block.transactions], matches)
        peer.send_raw("merkleblock", MerkleBlock(block.header, tree).to_bytes())
        for tx, matched in zip(block.transactions, matches):
            if matched and tx.txid_rev not in peer.known_txs:
                peer.send(TxMessage(tx))
