"""Script building blocks: opcodes, script numbers and push encodings (C++ script/script.h).

Only construction lives here; the interpreter is in ``fluxd.consensus``.
"""

from __future__ import annotations

from fluxd.core.opcodes import OP_0, OP_1, OP_BY_NAME, OP_CHECKSIG, OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4


_DUP, _HASH160, _EQUAL, _EQUALVERIFY = (OP_BY_NAME[name] for name in ("OP_DUP", "OP_HASH160", "OP_EQUAL", "OP_EQUALVERIFY"))


def script_num_encode(value: int) -> bytes:
    """CScriptNum::serialize: little-endian magnitude with a sign bit, minimal."""
    if value == 0:
        return b""
    negative = value < 0
    magnitude = -value if negative else value
    out = bytearray()
    while magnitude:
        out.append(magnitude & 0xFF)
        magnitude >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if negative else 0x00)
    elif negative:
        out[-1] |= 0x80
    return bytes(out)


def script_num_decode(data: bytes) -> int:
    """CScriptNum::set_vch: little-endian magnitude with the sign in the top bit (no size checks)."""
    if not data:
        return 0
    value = int.from_bytes(data, "little")
    if data[-1] & 0x80:
        return -(value & ~(0x80 << (8 * (len(data) - 1))))
    return value


def push_data(data: bytes) -> bytes:
    """CScript << vector: the shortest push opcode for ``data``, then the data."""
    size = len(data)
    if size < OP_PUSHDATA1:
        return bytes([size]) + data
    if size <= 0xFF:
        return bytes([OP_PUSHDATA1, size]) + data
    if size <= 0xFFFF:
        return bytes([OP_PUSHDATA2]) + size.to_bytes(2, "little") + data
    return bytes([OP_PUSHDATA4]) + size.to_bytes(4, "little") + data


def push_int(value: int) -> bytes:
    """CScript << int64: OP_0, OP_1NEGATE, OP_1..OP_16, else a pushed script number."""
    if value == 0:
        return bytes([OP_0])
    if value == -1 or 1 <= value <= 16:
        return bytes([value + (OP_1 - 1)])
    return push_data(script_num_encode(value))


def p2pkh_script(pubkey_hash: bytes) -> bytes:
    """OP_DUP OP_HASH160 <20 bytes> OP_EQUALVERIFY OP_CHECKSIG."""
    return bytes([_DUP, _HASH160]) + push_data(pubkey_hash) + bytes([_EQUALVERIFY, OP_CHECKSIG])


def p2sh_script(script_hash: bytes) -> bytes:
    """OP_HASH160 <20 bytes> OP_EQUAL."""
    return bytes([_HASH160]) + push_data(script_hash) + bytes([_EQUAL])


def p2pk_script(pubkey: bytes) -> bytes:
    return push_data(pubkey) + bytes([OP_CHECKSIG])


def is_p2pkh(script: bytes) -> bool:
    return (
        len(script) == 25
        and script[0] == _DUP
        and script[1] == _HASH160
        and script[2] == 20
        and script[23] == _EQUALVERIFY
        and script[24] == OP_CHECKSIG
    )


def is_p2sh(script: bytes) -> bool:
    """CScript::IsPayToScriptHash."""
    return len(script) == 23 and script[0] == _HASH160 and script[1] == 20 and script[22] == _EQUAL
