"""Malformed P2P frames for the fuzz test, made fast: a pool of distinct bad frames is built once (random and
corrupted payloads for every command, bad checksums, truncations, huge counts), then connections draw batches
from it.  The frames are meant to cost no ban score, so a connection can carry hundreds of them."""

from __future__ import annotations

import random

from fluxd.p2p.framing import encode_frame

COMMANDS = ("verack", "getaddr", "mempool", "sendheaders", "filterclear", "ping", "pong", "sendcmpct", "feefilter",
            "addr", "inv", "getdata", "notfound", "getheaders", "getblocks", "headers", "cmpheaders", "block",
            "reject", "merkleblock", "cmpctblock", "getblocktxn", "blocktxn", "xyzzy", "ver\x01sion")
COUNTED = ("addr", "inv", "getdata", "notfound", "getheaders", "getblocks", "headers", "cmpheaders", "block", "tx")
HUGE_COUNTS = (b"\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"\xfe\xff\xff\xff\x7f", b"\xfd\xff\xff", b"\xfe\x00\x00\x00\x01")


def _frame(magic: bytes, command: str, payload: bytes, rng: random.Random, bad_checksum: bool = False) -> bytes:
    name = command.encode("latin-1")[:12].ljust(12, b"\x00")
    frame = bytearray(encode_frame(magic, "x", payload))
    frame[4:16] = name
    if bad_checksum:
        frame[20] ^= 1 + rng.randrange(255)
    return bytes(frame)


def _payload(rng: random.Random, samples: list[bytes], mutate: bool) -> bytes:
    kind = rng.randrange(6) if mutate else rng.randrange(4)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if kind == 1:
        return rng.choice(HUGE_COUNTS) + rng.randbytes(rng.randrange(0, 40))
    sample = rng.choice(samples)
    if kind == 2:  # truncated
        return sample[: rng.randrange(len(sample))] if sample else b""
    if kind == 3:  # trailing garbage
        return sample + rng.randbytes(rng.randrange(1, 50))
    mutated = bytearray(sample or b"\x00")
    for _ in range(rng.randrange(1, 8)):
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    return bytes(mutated[:2_000])


SCORED = ("block", "tx", "headers", "cmpheaders", "filterload")


def frame_pool(magic: bytes, samples: dict[str, list[bytes]], size: int, seed: int = 21, mutate: bool = False) -> list[bytes]:
    """``size`` malformed frames; ``samples`` holds valid payloads per command to corrupt.  Without ``mutate``
    a frame costs no ban score (random, truncated, padded or huge-count payloads); with it, the commands whose
    byte-mutated payloads still parse (blocks, transactions, headers, filters) are corrupted and usually score."""
    rng = random.Random(seed)
    every = [payload for payloads in samples.values() for payload in payloads] or [b""]
    pool = []
    for _ in range(size):
        command = rng.choice(SCORED if mutate else COMMANDS)
        payload = _payload(rng, samples.get(command) or every, mutate)
        pool.append(_frame(magic, command, payload, rng, bad_checksum=rng.random() < 0.15))
    return pool


def end_frames(magic: bytes, rng: random.Random) -> bytes:
    """A stream breaker: wrong magic, an oversized length, or a short header before closing."""
    kind = rng.randrange(3)
    if kind == 0:
        return encode_frame(rng.randbytes(4), "ping", bytes(8))
    if kind == 1:
        return magic + b"block".ljust(12, b"\x00") + rng.randrange(2_000_001, 2**32).to_bytes(4, "little") + bytes(4)
    return magic + b"ping"
