"""Script text: the test/flux-tx parser (C++ core_read.cpp ParseScript) and ASM output (ScriptToAsmStr)."""

from __future__ import annotations

import re

from fluxd.core.opcodes import OP_NAMES, OP_NOP, OP_NOP10, OP_PUSHDATA1, OP_PUSHDATA2, OP_PUSHDATA4, OP_RESERVED, OP_RETURN, op_name
from fluxd.core.script import push_data, push_int, script_num_decode
from fluxd.core.signature_encoding import sighash_suffix

MAX_SCRIPT_SIZE = 10_000
_HEX = re.compile(r"^[0-9a-fA-F]*$")
_PARSEABLE = {}
for _code, _name in OP_NAMES.items():
    if (_code >= OP_NOP or _code == OP_RESERVED) and _code <= OP_NOP10:
        _PARSEABLE[_name] = _code
        _PARSEABLE[_name.replace("OP_", "", 1)] = _code


class ScriptParseError(ValueError):
    pass


def _is_number(word: str) -> bool:
    body = word[1:] if word.startswith("-") and len(word) > 1 else word
    return body.isascii() and body.isdigit()


def _parse_int64(word: str) -> int:
    """atoi64: saturating strtoll semantics are not needed for test data; clamp to int64."""
    value = int(word)
    return max(-(2**63), min(2**63 - 1, value))


def parse_script(text: str) -> bytes:
    """ParseScript: numbers are pushed, 0x.. is raw, 'x' is pushed text, names are opcodes."""
    out = bytearray()
    for word in re.split(r"[ \t\n]", text):
        if not word:
            continue
        if _is_number(word):
            out += push_int(_parse_int64(word))
        elif word.startswith("0x") and len(word) > 2 and _HEX.match(word[2:]) and len(word) % 2 == 0:
            out += bytes.fromhex(word[2:])
        elif len(word) >= 2 and word[0] == "'" and word[-1] == "'":
            out += push_data(word[1:-1].encode())
        elif word in _PARSEABLE:
            out.append(_PARSEABLE[word])
        else:
            raise ScriptParseError("script parse error")
    return bytes(out)


def _push_to_asm(data: bytes, attempt_sighash_decode: bool) -> str:
    if len(data) <= 4:
        return str(script_num_decode(data))
    if attempt_sighash_decode:
        suffix = sighash_suffix(data)
        if suffix is not None:
            return data[:-1].hex() + suffix
    return data.hex()


def is_unspendable(script: bytes) -> bool:
    """CScript::IsUnspendable: starts with OP_RETURN or is over the size limit."""
    return (len(script) > 0 and script[0] == OP_RETURN) or len(script) > MAX_SCRIPT_SIZE


_WORDS = tuple(op_name(code) for code in range(256))  # the asm word of each non-push opcode
_PUSH_WIDTH = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}


def script_to_asm(script: bytes, attempt_sighash_decode: bool = False) -> str:
    """ScriptToAsmStr: '[error]' marks a truncated push, as C++ prints it.

    The instructions are decoded inline (iter_ops/read_op semantics, without an object per op)."""
    words = []
    attempt_sighash_decode = attempt_sighash_decode and not is_unspendable(script)
    pos, size = 0, len(script)
    while pos < size:
        opcode = script[pos]
        pos += 1
        if opcode > OP_PUSHDATA4:
            words.append(_WORDS[opcode])
            continue
        if opcode < OP_PUSHDATA1:
            length = opcode
        else:
            width = _PUSH_WIDTH[opcode]
            if size - pos < width:
                words.append("[error]")
                break
            length = int.from_bytes(script[pos : pos + width], "little")
            pos += width
        if size - pos < length:
            words.append("[error]")
            break
        data = script[pos : pos + length]
        pos += length
        if length > 4 and not attempt_sighash_decode:
            words.append(data.hex())
        else:
            words.append(_push_to_asm(data, attempt_sighash_decode))
    return " ".join(words)

