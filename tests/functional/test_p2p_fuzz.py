"""P2P fuzzing against a real fluxd (loopback only, bounded): over 100,000 malformed frames from hundreds of
short-lived raw peers (random and corrupted payloads of every command, bad checksums, huge counts, truncations,
wrong magic, oversized lengths, absurd versions), then each C++ Misbehaving() path on its own connection.
The node must stay up, answer RPC, keep its RSS bounded, and score peers as C++ does (getpeerinfo banscore;
at 100 a loopback peer is disconnected, never banned, as C++ "not banning local peer")."""

from __future__ import annotations

import random
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from fluxd.core.block import Block
from fluxd.p2p.framing import decode_header, encode_frame
from fluxd.p2p.messages import Addr, GetData, GetHeaders, Headers, Inv, InvItem
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.protocol import HEADER_SIZE, MSG_BLOCK, MSG_TX
from tests.functional.framework import NodeProcess, wait_until
from tests.functional.p2p_fuzz_messages import end_frames, frame_pool
from tests.functional.p2p_peer import REGTEST_MAGIC, RawPeer
from tests.functional.test_p2p_getdata_flood import rss_kb

pytestmark = pytest.mark.functional
MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
CONNECTIONS, FRAMES_PER_CONNECTION, WORKERS = 300, 450, 4


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    process = NodeProcess(tmp_path_factory.mktemp("fuzz") / "node", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1"])
    process.start()
    process.rpc("setmocktime", 1_600_000_000)
    process.rpc("generate", 5)
    yield process
    process.stop()


def _samples(node) -> dict[str, list[bytes]]:
    blocks = [Block.from_bytes(bytes.fromhex(node.rpc("getblock", node.rpc("getblockhash", h), 0))) for h in range(1, 6)]
    items = [InvItem(MSG_BLOCK, block.hash_rev) for block in blocks] + [InvItem(MSG_TX, bytes(32))]
    return {
        "block": [block.to_bytes() for block in blocks], "tx": [blocks[0].transactions[0].to_bytes()],
        "headers": [Headers([block.header for block in blocks]).payload()],
        "inv": [Inv(items).payload()], "getdata": [GetData(items).payload()], "notfound": [Inv(items).payload()],
        "getheaders": [GetHeaders([blocks[0].hash_rev]).payload()], "getblocks": [GetHeaders([blocks[0].hash_rev]).payload()],
        "addr": [Addr([NetAddress.from_host("10.1.2.3", 16125, time=1_600_000_000)]).payload()],
        "ping": [bytes(8)], "pong": [bytes(8)], "feefilter": [bytes(8)], "sendcmpct": [bytes(9)],
        "filterload": [bytes.fromhex("0200ff0500000000000000") ], "reject": [b"\x02tx\x10\x03bad" + bytes(32)],
    }


def _read_until_pong(sock: socket.socket, nonce: bytes, timeout: float = 60) -> bool:
    """True when the pong arrives (every earlier frame was processed), False when the node hangs up."""
    sock.settimeout(timeout)
    buffer = b""
    try:
        while True:
            while len(buffer) >= HEADER_SIZE:
                header = decode_header(buffer[:HEADER_SIZE], REGTEST_MAGIC)
                if len(buffer) < HEADER_SIZE + header.length:
                    break
                payload = buffer[HEADER_SIZE:HEADER_SIZE + header.length]
                buffer = buffer[HEADER_SIZE + header.length:]
                if header.command == "pong" and payload == nonce:
                    return True
            chunk = sock.recv(1 << 16)
            if not chunk:
                return False
            buffer += chunk
    except (ConnectionError, OSError):
        return False


def _absurd_version(rng: random.Random) -> bytes:
    version = rng.choice((0, -1, 2**31 - 1, 209, 170_002, 170_021))
    agent = rng.randbytes(rng.choice((0, 10, 255, 300)))
    return (struct.pack("<iqq", version, rng.getrandbits(63), rng.getrandbits(63)) + bytes(52) + struct.pack("<Q", 1)
            + bytes([len(agent)] if len(agent) < 253 else b"\xfd" + len(agent).to_bytes(2, "little")) + agent
            + struct.pack("<i", rng.randrange(-2**31, 2**31)))


def _connection(port: int, pools: tuple[list[bytes], list[bytes]], index: int) -> tuple[int, bool | None]:
    """(frames sent, every frame processed: True / the node hung up: False / not asked: None)."""
    rng = random.Random(index)
    pool, mutants = pools
    if index % 5 == 2:  # mutated blocks, transactions, headers: C++ scores these (up to 100) and disconnects
        peer = RawPeer(port)
        peer.handshake()
        peer.sock.sendall(b"".join(rng.choices(mutants, k=100)))
        peer.close()
        return 100, None
    if index % 10 == 0:  # an absurd version, then whatever the node makes of it
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(encode_frame(REGTEST_MAGIC, "version", _absurd_version(rng)) + b"".join(rng.choices(pool, k=50)))
        sock.close()
        return 51, None
    peer = RawPeer(port)
    peer.handshake()
    batch = b"".join(rng.choices(pool, k=FRAMES_PER_CONNECTION))
    nonce = rng.randbytes(8)
    if index % 8 == 1:  # the stream breaks: a wrong magic or an oversized length is a disconnect
        peer.sock.sendall(batch + end_frames(REGTEST_MAGIC, rng))
        peer.close()
        return FRAMES_PER_CONNECTION + 1, None
    peer.sock.sendall(batch + encode_frame(REGTEST_MAGIC, "ping", nonce))
    processed = _read_until_pong(peer.sock, nonce)
    peer.close()
    return FRAMES_PER_CONNECTION, processed


def _banscore(node, peer: RawPeer) -> int | None:
    port = peer.sock.getsockname()[1]
    for info in node.rpc("getpeerinfo"):
        if info["addr"] == f"127.0.0.1:{port}":
            return info["banscore"]
    return None


def _scored(node, first, repeat: int, score: int) -> None:
    """``repeat - 1`` sends leave the score at (repeat - 1) * score; one more reaches 100 and disconnects."""
    peer = RawPeer(node.p2p_port)
    peer.handshake()
    for _ in range(repeat - 1):
        first(peer)
    wait_until(lambda: _banscore(node, peer) == (repeat - 1) * score, timeout=20, what=f"banscore {(repeat - 1) * score}")
    first(peer)
    assert peer.is_disconnected(20)
    assert node.rpc("listbanned") == []  # a loopback peer: disconnected, not banned (C++)


def test_fuzz_flood_then_cpp_scores(node):
    started = time.monotonic()
    start_rss = rss_kb(node.process.pid)
    samples = _samples(node)
    benign = {command: payloads for command, payloads in samples.items() if command != "tx"}  # a loose coinbase scores 100
    pools = frame_pool(REGTEST_MAGIC, benign, 5_000), frame_pool(REGTEST_MAGIC, samples, 2_000, mutate=True)
    with ThreadPoolExecutor(WORKERS) as workers:
        results = list(workers.map(lambda index: _connection(node.p2p_port, pools, index), range(CONNECTIONS)))
    sent = sum(count for count, _ in results)
    asked = [processed for _, processed in results if processed is not None]
    answered = sum(asked)
    flood_rss = rss_kb(node.process.pid)
    assert node.rpc("getblockcount") == 5
    print(f"fuzz: {sent} frames on {CONNECTIONS} connections, {answered} of {len(asked)} pinged answered after every frame; "
          f"RSS {start_rss} -> {flood_rss} kB; {time.monotonic() - started:.1f} s")
    assert sent >= 100_000 and answered == len(asked)  # no frame of theirs costs a ban score
    assert flood_rss - start_rss < 200_000

    big_inv = Inv([InvItem(MSG_BLOCK, bytes(32))] * 50_001)
    _scored(node, lambda peer: peer.send(big_inv), 5, 20)
    _scored(node, lambda peer: peer.send(GetData(big_inv.items)), 5, 20)
    _scored(node, lambda peer: peer.send(Addr([NetAddress.from_host("10.0.0.1", 1)] * 1_001)), 5, 20)
    tip = Block.from_bytes(bytes.fromhex(node.rpc("getblock", node.rpc("getbestblockhash"), 0)))
    _scored(node, lambda peer: peer.send(Headers([tip.header] * 2_001)), 5, 20)
    _scored(node, lambda peer: peer.send(Headers([tip.header, tip.header])), 5, 20)  # non-continuous
    _scored(node, lambda peer: peer.send_raw("alert", b"\x01\x00\x01\x00"), 10, 10)
    _scored(node, lambda peer: peer.send(peer.version_message()), 100, 1)  # duplicate version
    _scored(node, lambda peer: peer.send_raw("filteradd", b"\x01\x00"), 1, 100)  # no filter loaded
    bad = tip.header.copy_with(prev_block_rev=tip.hash_rev, time=tip.header.time + 1)
    _scored(node, lambda peer: peer.send(Headers([bad])), 1, 100)  # invalid Equihash solution
    assert node.rpc("getblockcount") == 5 and node.rpc("getconnectioncount") == 0
    print(f"fuzz total {time.monotonic() - started:.1f} s, RSS {rss_kb(node.process.pid)} kB")
