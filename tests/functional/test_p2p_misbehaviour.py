"""A raw test peer against a real fluxd: handshake variants, chain queries, and every kind of misbehaviour.

C++ rules checked: bad checksums and unknown commands are ignored, malformed
payloads get a ``reject`` ("error parsing message"), a wrong magic or an
oversized length closes the connection, misbehaviour adds to the ban score
and at 100 the peer is disconnected (local peers are not banned), and the
node keeps serving throughout.
"""

from __future__ import annotations

import dataclasses

import pytest

from fluxd.core.block import Block
from fluxd.p2p.framing import encode_frame
from fluxd.p2p.messages import (
    BlockMessage, GetData, GetHeaders, Headers, Inv, InvItem, Ping, Pong, Reject, Version,
)
from fluxd.p2p.protocol import MAX_PROTOCOL_MESSAGE_LENGTH, MSG_BLOCK
from tests.functional.framework import NodeProcess, RPCFailure, wait_until
from tests.functional.p2p_peer import REGTEST_MAGIC, RawPeer

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    process = NodeProcess(tmp_path_factory.mktemp("p2p") / "node", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1"])
    process.start()
    process.rpc("setmocktime", 1_600_000_000)
    process.rpc("generate", 5)
    yield process
    process.stop()


def _peer(node) -> RawPeer:
    peer = RawPeer(node.p2p_port)
    peer.handshake()
    return peer


def _alive(peer: RawPeer) -> bool:
    peer.send(Ping(77))
    return peer.wait_for(Pong, predicate=lambda message: message.nonce == 77).nonce == 77


def test_handshake_and_chain_queries(node):
    peer = RawPeer(node.p2p_port)
    remote = peer.handshake()
    assert remote.start_height == 5 and remote.user_agent == "/MagicBean:9.1.0/" and remote.version == 170021
    assert _alive(peer)
    genesis = node.rpc("getblockhash", 0)
    peer.send(GetHeaders([bytes.fromhex(genesis)[::-1]]))
    headers = peer.wait_for(Headers)
    assert [header.hash_hum for header in headers.headers] == [node.rpc("getblockhash", h) for h in range(1, 6)]
    wanted = bytes.fromhex(node.rpc("getblockhash", 3))[::-1]
    peer.send(GetData([InvItem(MSG_BLOCK, wanted)]))
    block = peer.wait_for(BlockMessage).block
    assert isinstance(block, Block) and block.hash_rev == wanted
    peer.close()


def test_old_version_without_relay_byte_is_accepted(node):
    peer = RawPeer(node.p2p_port)
    peer.handshake(relay_byte=False)
    assert _alive(peer)
    peer.close()


def test_obsolete_version_is_rejected(node):
    peer = RawPeer(node.p2p_port)
    peer.send(peer.version_message(version=170001))
    reject = peer.wait_for(Reject)
    assert reject.message == "version" and reject.code == 0x11 and reject.reason.startswith("Version must be")
    assert peer.is_disconnected()


def test_ignored_and_malformed_messages_keep_the_connection(node):
    peer = _peer(node)
    frame = bytearray(encode_frame(REGTEST_MAGIC, "ping", (5).to_bytes(8, "little")))
    frame[20] ^= 0xFF  # bad checksum: ignored
    peer.send_frame(bytes(frame))
    peer.send_raw("nosuchcmd", b"\x01\x02")  # unknown command: ignored
    peer.send_raw("inv", b"\x05\x01\x00")  # claims five items, carries none
    reject = peer.wait_for(Reject)
    assert (reject.message, reject.code, reject.reason) == ("inv", 1, "error parsing message")
    peer.send_raw("headers", b"\xfd\x01")  # truncated compact size
    assert peer.wait_for(Reject).reason == "error parsing message"
    peer.send(peer.version_message())  # duplicate version: reject, score 1
    assert peer.wait_for(Reject).reason == "Duplicate version message"
    assert _alive(peer)
    info = [entry for entry in node.rpc("getpeerinfo") if entry["subver"] == "/testpeer:0.1/"]
    assert info and info[0]["banscore"] == 1
    peer.close()


@pytest.mark.parametrize("frame_kind", ["magic", "oversized"])
def test_broken_frames_disconnect(node, frame_kind):
    peer = _peer(node)
    if frame_kind == "magic":
        peer.send_frame(encode_frame(b"\x01\x02\x03\x04", "ping", bytes(8)))
    else:
        peer.send_frame(REGTEST_MAGIC + b"block".ljust(12, b"\0") + (MAX_PROTOCOL_MESSAGE_LENGTH + 1).to_bytes(4, "little") + bytes(4))
    assert peer.is_disconnected()
    assert node.rpc("getblockcount") == 5


def test_ban_score_reaches_threshold(node):
    peer = _peer(node)
    oversized_inv = Inv([InvItem(MSG_BLOCK, bytes(32))] * 50_001)
    for _ in range(4):
        peer.send(oversized_inv)  # 20 points each
    assert _alive(peer)
    peer.send(oversized_inv)
    assert peer.is_disconnected()
    assert node.rpc("listbanned") == []  # a local peer is disconnected, not banned (C++)


def test_invalid_header_and_oversized_bloom_filter_disconnect(node):
    peer = _peer(node)
    tip = Block.from_bytes(bytes.fromhex(node.rpc("getblock", node.rpc("getbestblockhash"), 0)))
    bad = tip.header.copy_with(prev_block_rev=tip.hash_rev, time=tip.header.time + 1)
    peer.send(Headers([bad]))  # the solution no longer matches: invalid-solution, DoS 100
    assert peer.is_disconnected()
    peer = _peer(node)
    peer.send_raw("filterload", bytes(10))  # an empty filter: accepted (BIP37, -peerbloomfilters=1 by default)
    assert _alive(peer)
    peer.send_raw("filterload", bytes.fromhex("fda18c") + bytes(36_001) + bytes(9))  # over 36,000 bytes: score 100
    assert peer.is_disconnected()


def test_message_before_version_scores_but_stays(node):
    peer = RawPeer(node.p2p_port)
    peer.send(Ping(1))
    peer.handshake()
    assert _alive(peer)
    peer.close()


def test_setban_drops_and_refuses(node):
    peer = _peer(node)
    node.rpc("setban", "127.0.0.1", "add", 3600)
    assert peer.is_disconnected()
    listing = node.rpc("listbanned")
    assert listing[0]["address"] == "127.0.0.1/255.255.255.255"
    refused = RawPeer(node.p2p_port)
    assert refused.is_disconnected()
    node.rpc("setban", "127.0.0.1", "remove")
    assert node.rpc("listbanned") == []
    wait_until(lambda: _alive(_peer(node)), 10)



def test_setban_refuses_an_address_inside_a_banned_subnet(node):
    node.rpc("setban", "127.0.0.0/24", "add", 3600)
    with pytest.raises(RPCFailure) as failure:
        node.rpc("setban", "127.0.0.5", "add")
    assert (failure.value.code, failure.value.message) == (-23, "Error: IP/Subnet already banned")
    assert [entry["address"] for entry in node.rpc("listbanned")] == ["127.0.0.0/255.255.255.0"]
    node.rpc("setban", "127.0.0.0/24", "remove")
    assert node.rpc("listbanned") == []
    wait_until(lambda: _alive(_peer(node)), 10)


def test_user_agent_is_sanitized_in_the_log_and_getpeerinfo(node):
    peer = RawPeer(node.p2p_port)
    peer.version_message = lambda *args: dataclasses.replace(
        RawPeer.version_message(peer, *args), user_agent="/evil:1.0/\n\x1b[31mFAKE LOG LINE\x1b[0m<>")
    peer.handshake()
    clean = "/evil:1.0/31mFAKE LOG LINE0m"  # ESC, [ ] < > and the newline are not in SAFE_CHARS_DEFAULT
    wait_until(lambda: clean in [info["subver"] for info in node.rpc("getpeerinfo")], 10)
    log = (node.net_dir / "debug.log").read_text()
    assert f"receive version message: {clean}: version" in log
    assert "\x1b" not in log and "/evil:1.0/\n" not in log


def test_loose_coinbase_is_rejected_and_punished(node):
    from fluxd.p2p.messages import TxMessage

    peer = _peer(node)
    tip = Block.from_bytes(bytes.fromhex(node.rpc("getblock", node.rpc("getbestblockhash"), 0)))
    coinbase = tip.transactions[0]
    peer.send(TxMessage(coinbase))
    reject = peer.wait_for(Reject, predicate=lambda message: message.message == "tx")
    assert (reject.code, reject.reason, reject.hash_rev) == (0x10, "coinbase", coinbase.txid_rev)
    assert peer.is_disconnected()  # DoS 100
    assert node.rpc("getrawmempool") == []


def test_orphan_transaction_is_kept_out_of_the_pool_without_penalty(node):
    from fluxd.core.transaction import Transaction
    from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
    from fluxd.p2p.messages import MempoolRequest, TxMessage

    peer = _peer(node)
    orphan = Transaction(version=1, vin=(TxIn(OutPoint(b"\x99" * 32, 0), b"\x51"),), vout=(TxOut(1000, b"\x51"),))
    peer.send(TxMessage(orphan))
    assert _alive(peer)
    peer.send(GetData([InvItem(1, orphan.txid_rev)]))  # not in the pool: notfound
    from fluxd.p2p.messages import NotFound

    assert peer.wait_for(NotFound).items[0].hash_rev == orphan.txid_rev
    peer.send(MempoolRequest())
    assert _alive(peer) and node.rpc("getrawmempool") == []


def _rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_orphan_flood_keeps_memory_bounded(node):
    """49 MB of distinct orphans (each just under the 5000-byte orphan cap) must not be kept: the pool holds 100."""
    import os

    from fluxd.core.transaction import Transaction
    from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
    from fluxd.p2p.messages import TxMessage

    peer = _peer(node)
    filler = b"\x4d" + (4800).to_bytes(2, "little") + bytes(4800)  # one PUSHDATA2 of 4800 bytes
    for warm_up in range(200):  # let the allocator reach its working size first
        peer.send(TxMessage(Transaction(version=1, vin=(TxIn(OutPoint(os.urandom(32), 0), filler),), vout=(TxOut(1, b"\x51"),))))
    assert _alive(peer)
    before = _rss_kib(node.process.pid)
    for _ in range(10_000):
        orphan = Transaction(version=1, vin=(TxIn(OutPoint(os.urandom(32), 0), filler),), vout=(TxOut(1, b"\x51"),))
        peer.send(TxMessage(orphan))
    assert _alive(peer)
    grown_mib = (_rss_kib(node.process.pid) - before) / 1024
    assert grown_mib < 25, f"RSS grew {grown_mib:.1f} MiB after 49 MB of orphans"
    assert node.rpc("getrawmempool") == [] and node.rpc("getblockcount") == 5
