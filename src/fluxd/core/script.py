"""Script building blocks: opcodes, script numbers and push encodings (C++ script/script.h).

Only construction lives here; the interpreter is in ``fluxd.consensus``.
"""

from __future__ import annotations

from enum import IntEnum


class Op(IntEnum):
    OP_0 = 0x00
    OP_PUSHDATA1 = 0x4C
    OP_PUSHDATA2 = 0x4D
    OP_PUSHDATA4 = 0x4E
    OP_1NEGATE = 0x4F
    OP_RESERVED = 0x50
    OP_1 = 0x51
    OP_16 = 0x60
    OP_NOP = 0x61
    OP_VER = 0x62
    OP_IF = 0x63
    OP_NOTIF = 0x64
    OP_VERIF = 0x65
    OP_VERNOTIF = 0x66
    OP_ELSE = 0x67
    OP_ENDIF = 0x68
    OP_VERIFY = 0x69
    OP_RETURN = 0x6A
    OP_DUP = 0x76
    OP_EQUAL = 0x87
    OP_EQUALVERIFY = 0x88
    OP_HASH160 = 0xA9
    OP_CHECKSIG = 0xAC
    OP_CHECKSIGVERIFY = 0xAD
    OP_CHECKMULTISIG = 0xAE
    OP_CHECKMULTISIGVERIFY = 0xAF
    OP_NOP1 = 0xB0
    OP_CHECKLOCKTIMEVERIFY = 0xB1
    OP_NOP10 = 0xB9
    OP_INVALIDOPCODE = 0xFF


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


def push_data(data: bytes) -> bytes:
    """CScript << vector: the shortest push opcode for ``data``, then the data."""
    size = len(data)
    if size < Op.OP_PUSHDATA1:
        return bytes([size]) + data
    if size <= 0xFF:
        return bytes([Op.OP_PUSHDATA1, size]) + data
    if size <= 0xFFFF:
        return bytes([Op.OP_PUSHDATA2]) + size.to_bytes(2, "little") + data
    return bytes([Op.OP_PUSHDATA4]) + size.to_bytes(4, "little") + data


def push_int(value: int) -> bytes:
    """CScript << int64: OP_0, OP_1NEGATE, OP_1..OP_16, else a pushed script number."""
    if value == 0:
        return bytes([Op.OP_0])
    if value == -1 or 1 <= value <= 16:
        return bytes([value + (Op.OP_1 - 1)])
    return push_data(script_num_encode(value))


def p2pkh_script(pubkey_hash: bytes) -> bytes:
    """OP_DUP OP_HASH160 <20 bytes> OP_EQUALVERIFY OP_CHECKSIG."""
    return bytes([Op.OP_DUP, Op.OP_HASH160]) + push_data(pubkey_hash) + bytes([Op.OP_EQUALVERIFY, Op.OP_CHECKSIG])


def p2sh_script(script_hash: bytes) -> bytes:
    """OP_HASH160 <20 bytes> OP_EQUAL."""
    return bytes([Op.OP_HASH160]) + push_data(script_hash) + bytes([Op.OP_EQUAL])


def p2pk_script(pubkey: bytes) -> bytes:
    return push_data(pubkey) + bytes([Op.OP_CHECKSIG])


def is_p2pkh(script: bytes) -> bool:
    return (
        len(script) == 25
        and script[0] == Op.OP_DUP
        and script[1] == Op.OP_HASH160
        and script[2] == 20
        and script[23] == Op.OP_EQUALVERIFY
        and script[24] == Op.OP_CHECKSIG
    )


def is_p2sh(script: bytes) -> bool:
    """CScript::IsPayToScriptHash."""
    return len(script) == 23 and script[0] == Op.OP_HASH160 and script[1] == 20 and script[22] == Op.OP_EQUAL
