"""Every script opcode with its C++ name (script/script.h, GetOpName), and the op reader (GetOp)."""

from __future__ import annotations

from collections.abc import Iterator

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_RESERVED = 0x50
OP_1 = 0x51
OP_16 = 0x60
OP_NOP = 0x61
OP_IF = 0x63
OP_RETURN = 0x6A
OP_NOTIF = 0x64
OP_ENDIF = 0x68
OP_CHECKSIG = 0xAC
OP_CHECKSIGVERIFY = 0xAD
OP_CHECKMULTISIG = 0xAE
OP_CHECKMULTISIGVERIFY = 0xAF
OP_NOP10 = 0xB9
OP_INVALIDOPCODE = 0xFF

_NAMED = [
    "NOP", "VER", "IF", "NOTIF", "VERIF", "VERNOTIF", "ELSE", "ENDIF", "VERIFY", "RETURN",
    "TOALTSTACK", "FROMALTSTACK", "2DROP", "2DUP", "3DUP", "2OVER", "2ROT", "2SWAP", "IFDUP", "DEPTH",
    "DROP", "DUP", "NIP", "OVER", "PICK", "ROLL", "ROT", "SWAP", "TUCK",
    "CAT", "SUBSTR", "LEFT", "RIGHT", "SIZE",
    "INVERT", "AND", "OR", "XOR", "EQUAL", "EQUALVERIFY", "RESERVED1", "RESERVED2",
    "1ADD", "1SUB", "2MUL", "2DIV", "NEGATE", "ABS", "NOT", "0NOTEQUAL",
    "ADD", "SUB", "MUL", "DIV", "MOD", "LSHIFT", "RSHIFT",
    "BOOLAND", "BOOLOR", "NUMEQUAL", "NUMEQUALVERIFY", "NUMNOTEQUAL", "LESSTHAN", "GREATERTHAN",
    "LESSTHANOREQUAL", "GREATERTHANOREQUAL", "MIN", "MAX", "WITHIN",
    "RIPEMD160", "SHA1", "SHA256", "HASH160", "HASH256", "CODESEPARATOR",
    "CHECKSIG", "CHECKSIGVERIFY", "CHECKMULTISIG", "CHECKMULTISIGVERIFY",
    "NOP1", "NOP2", "NOP3", "NOP4", "NOP5", "NOP6", "NOP7", "NOP8", "NOP9", "NOP10",
]  # fmt: skip


def _build_names() -> dict[int, str]:
    names = {OP_0: "0", OP_PUSHDATA1: "OP_PUSHDATA1", OP_PUSHDATA2: "OP_PUSHDATA2", OP_PUSHDATA4: "OP_PUSHDATA4"}
    names[OP_1NEGATE] = "-1"
    names[OP_RESERVED] = "OP_RESERVED"
    for number in range(1, 17):
        names[OP_1 + number - 1] = str(number)
    for offset, name in enumerate(_NAMED):
        names[OP_NOP + offset] = "OP_" + name
    names[OP_INVALIDOPCODE] = "OP_INVALIDOPCODE"
    return names


OP_NAMES: dict[int, str] = _build_names()
OP_BY_NAME: dict[str, int] = {name: code for code, name in OP_NAMES.items()}
OP_CHECKLOCKTIMEVERIFY = OP_BY_NAME["OP_NOP2"]
OP_CODESEPARATOR = OP_BY_NAME["OP_CODESEPARATOR"]


def op_name(opcode: int) -> str:
    """GetOpName: 'OP_UNKNOWN' for bytes that are no opcode."""
    return OP_NAMES.get(opcode, "OP_UNKNOWN")


class ScriptOp:
    """One decoded instruction: opcode, pushed data (or None), offset of the next instruction."""

    __slots__ = ("opcode", "data", "end")

    def __init__(self, opcode: int, data: bytes | None, end: int) -> None:
        self.opcode = opcode
        self.data = data
        self.end = end


def read_op(script: bytes, pos: int) -> ScriptOp | None:
    """GetOp2: the instruction at ``pos``, or None when a push runs past the end."""
    size = len(script)
    if pos >= size:
        return None
    opcode = script[pos]
    pos += 1
    if opcode > OP_PUSHDATA4:
        return ScriptOp(opcode, None, pos)
    if opcode < OP_PUSHDATA1:
        length = opcode
    else:
        width = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}[opcode]
        if size - pos < width:
            return None
        length = int.from_bytes(script[pos : pos + width], "little")
        pos += width
    if size - pos < length:
        return None
    return ScriptOp(opcode, script[pos : pos + length], pos + length)


def iter_ops(script: bytes) -> Iterator[ScriptOp | None]:
    """Every instruction; yields None once (and stops) at a truncated push."""
    pos = 0
    while pos < len(script):
        op = read_op(script, pos)
        yield op
        if op is None:
            return
        pos = op.end


def is_push_only(script: bytes) -> bool:
    """CScript::IsPushOnly: every instruction decodes and is <= OP_16."""
    for op in iter_ops(script):
        if op is None or op.opcode > OP_16:
            return False
    return True
