"""The SHA-256 compression function on one 64-byte block (C++ SHA256Compress).

C++ ``CSHA256::FinalizeNoPadding`` runs the compression function once over
exactly 64 bytes starting from the standard initial state and writes the eight
state words big-endian, with no length padding and no second block.  hashlib
cannot do that.  When libcrypto exports ``SHA256_Transform`` it is called
through ctypes (about 1.5 us a call); otherwise the rounds written out below
are used (about 80 us a call in CPython).  Both give the same bytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import struct

_MASK = 0xFFFFFFFF

_IV = (
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
    0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
)

_K = (
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
)

_BLOCK = struct.Struct(">16I")
_STATE = struct.Struct(">8I")


def _schedule(block: bytes) -> list[int]:
    """Expand the 16 big-endian message words to the 64-word schedule."""
    w = list(_BLOCK.unpack(block))
    for t in range(16, 64):
        x = w[t - 15]
        y = w[t - 2]
        s0 = ((x >> 7) | (x << 25)) ^ ((x >> 18) | (x << 14)) ^ (x >> 3)
        s1 = ((y >> 17) | (y << 15)) ^ ((y >> 19) | (y << 13)) ^ (y >> 10)
        w.append((w[t - 16] + (s0 & _MASK) + w[t - 7] + (s1 & _MASK)) & _MASK)
    return w


def sha256_compress_python(block: bytes) -> bytes:
    """Compress one 64-byte block from the SHA-256 IV (pure Python rounds).

    Raises ValueError unless ``block`` is exactly 64 bytes (C++ throws
    ``std::length_error`` for any other length).
    """
    if len(block) != 64:
        raise ValueError(f"SHA256Compress needs exactly 64 bytes, got {len(block)}")
    w = _schedule(block)
    a, b, c, d, e, f, g, h = _IV
    for t in range(64):
        s1 = ((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7))
        ch = (e & f) ^ (~e & g)
        t1 = (h + (s1 & _MASK) + ch + _K[t] + w[t]) & _MASK
        s0 = ((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10))
        maj = (a & b) ^ (a & c) ^ (b & c)
        h, g, f, e = g, f, e, (d + t1) & _MASK
        d, c, b, a = c, b, a, (t1 + (s0 & _MASK) + maj) & _MASK
    iv = _IV
    return _STATE.pack(
        (a + iv[0]) & _MASK, (b + iv[1]) & _MASK, (c + iv[2]) & _MASK, (d + iv[3]) & _MASK,
        (e + iv[4]) & _MASK, (f + iv[5]) & _MASK, (g + iv[6]) & _MASK, (h + iv[7]) & _MASK,
    )


_NATIVE_STATE = struct.Struct("=8I")


def _load_transform():
    """Return libcrypto's SHA256_Init/SHA256_Transform pair, or None."""
    name = ctypes.util.find_library("crypto")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        init, transform = lib.SHA256_Init, lib.SHA256_Transform
    except (OSError, AttributeError):
        return None
    init.argtypes = [ctypes.c_void_p]
    transform.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return init, transform


_TRANSFORM = _load_transform()


def _sha256_compress_native(block: bytes) -> bytes:
    """Compress via libcrypto: the first 8 words of SHA256_CTX are the state."""
    init, transform = _TRANSFORM
    ctx = ctypes.create_string_buffer(256)  # SHA256_CTX is 112 bytes
    init(ctx)
    transform(ctx, block)
    return _STATE.pack(*_NATIVE_STATE.unpack_from(ctx.raw))


def sha256_compress(block: bytes) -> bytes:
    """Compress one 64-byte block from the SHA-256 IV; return the 32-byte state.

    Raises ValueError unless ``block`` is exactly 64 bytes (C++ throws
    ``std::length_error`` for any other length).
    """
    if len(block) != 64:
        raise ValueError(f"SHA256Compress needs exactly 64 bytes, got {len(block)}")
    if _TRANSFORM is not None:
        return _sha256_compress_native(bytes(block))
    return sha256_compress_python(block)


def _check_native() -> None:
    """Drop the native path if it disagrees with the Python rounds."""
    global _TRANSFORM
    if _TRANSFORM is None:
        return
    probe = bytes(range(64))
    try:
        same = _sha256_compress_native(probe) == sha256_compress_python(probe)
    except (OSError, ValueError):
        same = False
    if not same:
        _TRANSFORM = None


_check_native()


def native_available() -> bool:
    """True when the libcrypto path is in use."""
    return _TRANSFORM is not None
