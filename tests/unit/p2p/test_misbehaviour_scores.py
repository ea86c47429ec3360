"""C++ Misbehaving() scores, one path at a time: the same misbehaviour costs a peer the same points as in C++
main.cpp ProcessMessage, and the connection manager disconnects / bans at -banscore as C++ SendMessages does."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import pytest

from fluxd.core.block import BlockHeader
from fluxd.node.alerts import alert_score
from fluxd.node.block_sync import BlockSync
from fluxd.p2p.connman import ConnectionManager
from fluxd.p2p.messages import Addr, CmpHeaders, CompactHeader, GetData, Headers, Inv, InvItem, RawMessage
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.protocol import MSG_BLOCK, MSG_TX, PROTOCOL_VERSION


class FakePeer(SimpleNamespace):
    def __init__(self, host: str = "127.0.0.1", **changes) -> None:
        fields = dict(id=1, version=PROTOCOL_VERSION, sent=[], closed=False, misbehavior=0, whitelisted=False,
                      address=NetAddress.from_host(host, 16125), pending_getdata=deque(), known_blocks=set(),
                      known_txs=set(), in_flight={}, bloom=None, relay_txs=True, send_size=0,
                      send_buffer_limit=1_000_000, reason="")
        super().__init__(**(fields | changes))

    def send(self, message) -> None:
        self.sent.append(message)

    def send_raw(self, command: str, payload: bytes) -> None:
        self.sent.append((command, len(payload)))
        self.send_size += len(payload)

    def send_buffer_full(self) -> bool:
        return self.send_size >= self.send_buffer_limit

    def reject(self, *args) -> None:
        self.sent.append(("reject", *args))

    def close(self, reason: str = "") -> None:
        self.closed, self.reason = True, reason


def _sync():
    chainstate = SimpleNamespace(tip=None, height=0, importing=False, now=lambda: 1_600_000_000)
    sync = BlockSync(SimpleNamespace(chainstate=chainstate, params=SimpleNamespace(network_id="regtest")), writer=None)
    scores = []
    sync.misbehaving = lambda peer, score, reason: scores.append((score, reason.split(" (")[0]))
    sync.bloom.misbehaving = sync.misbehaving
    sync.schedule_downloads = lambda: None
    sync.connman = SimpleNamespace(addrman=[], now=lambda: 1_600_000_000)
    return sync, scores


def _header(prev: bytes, time: int) -> BlockHeader:
    return BlockHeader(version=4, prev_block_rev=prev, merkle_root_rev=bytes(32), final_sapling_root_rev=bytes(32),
                       time=time, bits=0x200F0F0F)


@pytest.mark.parametrize("message, score", [
    (Inv([InvItem(MSG_BLOCK, bytes(32))] * 50_001), 20),
    (GetData([InvItem(MSG_TX, bytes(32))] * 50_001), 20),
    (Addr([NetAddress.from_host("10.0.0.1", 1)] * 1_001), 20),
    (Headers([_header(bytes(32), 1)] * 2_001), 20),
    (Headers([_header(bytes(32), 1), _header(bytes(32), 2)]), 20),  # non-continuous
    (CmpHeaders([CompactHeader(_header(bytes(32), 1), bytes(32))] * 2_001), 20),
    (RawMessage("alert", b"\x01\x00\x01\x00"), 10),  # not signed by the network's alert key
    (RawMessage("filterload", b"\xfd\xa1\x8c" + bytes(36_001) + bytes(9)), 100),  # over 36,000 bytes
    (RawMessage("filteradd", b"\x01\x00"), 100),  # no filter loaded
    (RawMessage("filteradd", b"\xfd\x09\x02" + bytes(521)), 100),  # over 520 bytes
])
def test_scores_as_cpp(message, score):
    sync, scores = _sync()
    peer = FakePeer()
    sync.on_message(peer, message)
    assert [item[0] for item in scores] == [score]


def test_bloom_commands_without_node_bloom_score_100():
    sync, scores = _sync()
    sync.bloom.enabled = False
    sync.on_message(FakePeer(), RawMessage("filterload", bytes(10)))
    assert scores == [(100, "filterload without NODE_BLOOM")]


def test_inv_while_the_send_buffer_is_over_twice_the_limit_scores_50():
    sync, scores = _sync()
    sync.tx_relay = SimpleNamespace(wants=lambda hash_rev: True)
    peer = FakePeer(send_size=2_000_001)
    sync.on_message(peer, Inv([InvItem(MSG_TX, bytes(32))]))
    assert scores == [(50, "send buffer size() = 2000001")] and peer.sent == []  # no getdata after the error


def test_alerts_disabled_are_ignored_and_a_garbled_alert_is_malformed():
    sync, scores = _sync()
    peer = FakePeer()
    sync.on_message(peer, RawMessage("alert", b"\x05\x00"))
    assert scores == [] and peer.sent == [("reject", "alert", 0x01, "error parsing message")]
    sync.alerts = False
    sync.on_message(peer, RawMessage("alert", b"\x01\x00\x01\x00"))
    assert scores == []
    assert alert_score(b"\x01\x00\x01\x00", "main", 0) == 10  # a bad signature on mainnet too


def test_getdata_is_served_a_block_at_a_time_until_the_send_buffer_is_full():
    sync, scores = _sync()
    served = []
    sync._send_block = lambda peer, block_hash: (served.append(block_hash), peer.send_raw("block", bytes(400_000)))
    peer = FakePeer()
    sync.on_message(peer, GetData([InvItem(MSG_BLOCK, bytes([n]) * 32) for n in range(10)]))
    assert len(served) == 1 and len(peer.pending_getdata) == 9  # C++ ProcessGetData stops after one block
    sync.serve_getdata(peer)
    sync.serve_getdata(peer)
    assert len(served) == 3 and peer.send_size == 1_200_000
    sync.serve_getdata(peer)  # the send buffer is over -maxsendbuffer: nothing more until it drains
    assert len(served) == 3
    while peer.pending_getdata:  # the buffer drains, the read loop calls again
        peer.send_size = 0
        sync.serve_getdata(peer)
    assert served == [bytes([n]) * 32 for n in range(10)] and scores == []


def test_unknown_transactions_are_answered_with_notfound():
    sync, _ = _sync()
    sync.tx_relay = SimpleNamespace(lookup=lambda hash_rev: None)
    peer = FakePeer()
    sync.on_message(peer, GetData([InvItem(MSG_TX, bytes([n]) * 32) for n in range(3)]))
    assert len(peer.sent) == 1 and len(peer.sent[0].items) == 3 and not peer.pending_getdata


def _connman(tmp_path, **options) -> ConnectionManager:
    return ConnectionManager(magic=b"\xaa\xe8\x3f\x5f", default_port=16125, handler=None, data_dir=tmp_path,
                             local_services=1, user_agent="/t/", now=lambda: 1_600_000_000, **options)


def test_threshold_disconnects_and_bans_a_remote_peer_for_bantime(tmp_path):
    connman = _connman(tmp_path, ban_time=3600)
    peer = FakePeer("203.0.113.7")
    connman.misbehaving(peer, 99, "x")
    assert not peer.closed and not connman.bans.is_banned("203.0.113.7", 1_600_000_000)
    connman.misbehaving(peer, 1, "y")
    assert peer.closed and peer.misbehavior == 100
    assert connman.bans.is_banned("203.0.113.7", 1_600_000_000 + 3599)
    assert not connman.bans.is_banned("203.0.113.7", 1_600_000_000 + 3601)


def test_banscore_option_local_and_whitelisted_peers(tmp_path):
    connman = _connman(tmp_path, ban_threshold=10)
    local, listed = FakePeer("127.0.0.5"), FakePeer("198.51.100.1", whitelisted=True)
    for peer in (local, listed):
        connman.misbehaving(peer, 10, "z")
    assert local.closed and not connman.bans.is_banned("127.0.0.5", 1_600_000_000)  # C++: not banning local peer
    assert not listed.closed and not connman.bans.is_banned("198.51.100.1", 1_600_000_000)
    connman.misbehaving(FakePeer("::1"), 0, "nothing")  # a zero score is no misbehaviour
