"""Opcode semantics of the script machine (C++ EvalScript's switch), one small function per family."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fluxd.consensus.script_errors import (
    VERIFY_CHECKLOCKTIMEVERIFY,
    VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
    VERIFY_LOW_S,
    VERIFY_MINIMALDATA,
    VERIFY_NULLDUMMY,
    VERIFY_STRICTENC,
    ScriptError,
    ScriptFailure,
)
from fluxd.consensus.script_num import clamp_int, decode_num, encode_num
from fluxd.core import ecdsa
from fluxd.core.hashes import hash160, sha256, sha256d
from fluxd.core.opcodes import OP_BY_NAME as OPS
from fluxd.core.ripemd160 import ripemd160
from fluxd.core.signature_encoding import is_defined_hashtype, is_valid_signature_encoding

MAX_SCRIPT_SIZE = 10_000
MAX_SCRIPT_ELEMENT_SIZE = 520
MAX_OPS_PER_SCRIPT = 201
MAX_PUBKEYS_PER_MULTISIG = 20
MAX_STACK_SIZE = 1000
OP_0, OP_PUSHDATA1, OP_PUSHDATA2 = 0x00, 0x4C, 0x4D
OP_1NEGATE, OP_1 = 0x4F, 0x51
TRUE, FALSE = b"\x01", b""

DISABLED_OPCODES = frozenset(
    OPS[name]
    for name in (
        "OP_CAT", "OP_SUBSTR", "OP_LEFT", "OP_RIGHT", "OP_INVERT", "OP_AND", "OP_OR", "OP_XOR",
        "OP_2MUL", "OP_2DIV", "OP_MUL", "OP_DIV", "OP_MOD", "OP_LSHIFT", "OP_RSHIFT", "OP_CODESEPARATOR",
    )
)  # fmt: skip


def fail(error: ScriptError):
    raise ScriptFailure(error)


def cast_to_bool(value: bytes) -> bool:
    for index, byte in enumerate(value):
        if byte:
            return not (index == len(value) - 1 and byte == 0x80)
    return False


_PUBKEY_SIZES = {2: 33, 3: 33, 4: 65, 6: 65, 7: 65}


def pubkey_length_valid(pubkey: bytes) -> bool:
    """CPubKey::IsValid: the length the header byte implies."""
    return bool(pubkey) and _PUBKEY_SIZES.get(pubkey[0], 0) == len(pubkey)


def is_compressed_or_uncompressed(pubkey: bytes) -> bool:
    if len(pubkey) < 33:
        return False
    if pubkey[0] == 0x04:
        return len(pubkey) == 65
    return pubkey[0] in (0x02, 0x03) and len(pubkey) == 33


def check_signature_encoding(sig: bytes, flags: int) -> None:
    """CheckSignatureEncoding: strict DER always; LOW_S and STRICTENC by flag."""
    if not sig:
        return
    if not is_valid_signature_encoding(sig):
        fail(ScriptError.SIG_DER)
    if flags & VERIFY_LOW_S and not ecdsa.is_low_s(sig[:-1]):
        fail(ScriptError.SIG_HIGH_S)
    if flags & VERIFY_STRICTENC and not is_defined_hashtype(sig):
        fail(ScriptError.SIG_HASHTYPE)


def check_pubkey_encoding(pubkey: bytes, flags: int) -> None:
    if flags & VERIFY_STRICTENC and not is_compressed_or_uncompressed(pubkey):
        fail(ScriptError.PUBKEYTYPE)


def is_minimal_push(data: bytes, opcode: int) -> bool:
    """CheckMinimalPush."""
    size = len(data)
    if size == 0:
        return opcode == OP_0
    if size == 1 and 1 <= data[0] <= 16:
        return opcode == OP_1 + data[0] - 1
    if size == 1 and data[0] == 0x81:
        return opcode == OP_1NEGATE
    if size <= 75:
        return opcode == size
    if size <= 255:
        return opcode == OP_PUSHDATA1
    if size <= 65535:
        return opcode == OP_PUSHDATA2
    return True


class Machine:
    """State of one EvalScript run."""

    __slots__ = ("stack", "altstack", "exec_stack", "flags", "checker", "branch_id", "script", "op_count", "minimal")

    def __init__(self, stack: list[bytes], script: bytes, flags: int, checker, branch_id: int) -> None:
        self.stack = stack
        self.altstack: list[bytes] = []
        self.exec_stack: list[bool] = []
        self.flags = flags
        self.checker = checker
        self.branch_id = branch_id
        self.script = script
        self.op_count = 0
        self.minimal = bool(flags & VERIFY_MINIMALDATA)

    def need(self, count: int) -> None:
        if len(self.stack) < count:
            fail(ScriptError.INVALID_STACK_OPERATION)

    def num(self, depth: int = -1, max_size: int = 4) -> int:
        return decode_num(self.stack[depth], self.minimal, max_size)


# ----- push values and control flow ---------------------------------------------------------


def _small_int(machine: Machine, opcode: int) -> None:
    machine.stack.append(encode_num(opcode - (OP_1 - 1)))


def _nop(machine: Machine, opcode: int) -> None:
    return None


def _upgradable_nop(machine: Machine, opcode: int) -> None:
    if machine.flags & VERIFY_DISCOURAGE_UPGRADABLE_NOPS:
        fail(ScriptError.DISCOURAGE_UPGRADABLE_NOPS)


def _checklocktimeverify(machine: Machine, opcode: int) -> None:
    if not machine.flags & VERIFY_CHECKLOCKTIMEVERIFY:
        _upgradable_nop(machine, opcode)
        return
    machine.need(1)
    lock_time = machine.num(-1, 5)
    if lock_time < 0:
        fail(ScriptError.NEGATIVE_LOCKTIME)
    if not machine.checker.check_lock_time(lock_time):
        fail(ScriptError.UNSATISFIED_LOCKTIME)


def _verify(machine: Machine, opcode: int) -> None:
    machine.need(1)
    if not cast_to_bool(machine.stack[-1]):
        fail(ScriptError.VERIFY)
    machine.stack.pop()


def _op_return(machine: Machine, opcode: int) -> None:
    fail(ScriptError.OP_RETURN)


def _if(machine: Machine, opcode: int, executing: bool) -> None:
    value = False
    if executing:
        if not machine.stack:
            fail(ScriptError.UNBALANCED_CONDITIONAL)
        value = cast_to_bool(machine.stack.pop())
        if opcode == OPS["OP_NOTIF"]:
            value = not value
    machine.exec_stack.append(value)


def _else(machine: Machine) -> None:
    if not machine.exec_stack:
        fail(ScriptError.UNBALANCED_CONDITIONAL)
    machine.exec_stack[-1] = not machine.exec_stack[-1]


def _endif(machine: Machine) -> None:
    if not machine.exec_stack:
        fail(ScriptError.UNBALANCED_CONDITIONAL)
    machine.exec_stack.pop()


# ----- stack operations ----------------------------------------------------------------------


def _stack_op(machine: Machine, opcode: int) -> None:
    stack = machine.stack
    name = _STACK_OP_NAMES[opcode]
    machine.need(_STACK_OP_NEEDS[name])
    if name == "OP_TOALTSTACK":
        machine.altstack.append(stack.pop())
    elif name == "OP_2DROP":
        del stack[-2:]
    elif name == "OP_2DUP":
        stack.extend(stack[-2:])
    elif name == "OP_3DUP":
        stack.extend(stack[-3:])
    elif name == "OP_2OVER":
        stack.extend(stack[-4:-2])
    elif name == "OP_2ROT":
        moved = stack[-6:-4]
        del stack[-6:-4]
        stack.extend(moved)
    elif name == "OP_2SWAP":
        stack[-4:] = stack[-2:] + stack[-4:-2]
    elif name == "OP_IFDUP":
        if cast_to_bool(stack[-1]):
            stack.append(stack[-1])
    elif name == "OP_DROP":
        stack.pop()
    elif name == "OP_DUP":
        stack.append(stack[-1])
    elif name == "OP_NIP":
        del stack[-2]
    elif name == "OP_OVER":
        stack.append(stack[-2])
    elif name == "OP_ROT":
        stack.append(stack.pop(-3))
    elif name == "OP_SWAP":
        stack[-2], stack[-1] = stack[-1], stack[-2]
    elif name == "OP_TUCK":
        stack.insert(-2, stack[-1])
    elif name == "OP_SIZE":
        stack.append(encode_num(len(stack[-1])))


_STACK_OP_NEEDS = {
    "OP_TOALTSTACK": 1, "OP_2DROP": 2, "OP_2DUP": 2, "OP_3DUP": 3, "OP_2OVER": 4, "OP_2ROT": 6,
    "OP_2SWAP": 4, "OP_IFDUP": 1, "OP_DROP": 1, "OP_DUP": 1, "OP_NIP": 2, "OP_OVER": 2, "OP_ROT": 3,
    "OP_SWAP": 2, "OP_TUCK": 2, "OP_SIZE": 1,
}  # fmt: skip
_STACK_OP_NAMES = {OPS[name]: name for name in _STACK_OP_NEEDS}


def _fromaltstack(machine: Machine, opcode: int) -> None:
    if not machine.altstack:
        fail(ScriptError.INVALID_ALTSTACK_OPERATION)
    machine.stack.append(machine.altstack.pop())


def _depth(machine: Machine, opcode: int) -> None:
    machine.stack.append(encode_num(len(machine.stack)))


def _pick_roll(machine: Machine, opcode: int) -> None:
    machine.need(2)
    depth = clamp_int(machine.num())
    machine.stack.pop()
    if depth < 0 or depth >= len(machine.stack):
        fail(ScriptError.INVALID_STACK_OPERATION)
    value = machine.stack[-depth - 1]
    if opcode == OPS["OP_ROLL"]:
        del machine.stack[-depth - 1]
    machine.stack.append(value)


def _equal(machine: Machine, opcode: int) -> None:
    machine.need(2)
    equal = machine.stack.pop() == machine.stack.pop()
    machine.stack.append(TRUE if equal else FALSE)
    if opcode == OPS["OP_EQUALVERIFY"]:
        if not equal:
            fail(ScriptError.EQUALVERIFY)
        machine.stack.pop()


# ----- arithmetic ------------------------------------------------------------------------------

_UNARY: dict[int, Callable[[int], int]] = {
    OPS["OP_1ADD"]: lambda value: value + 1,
    OPS["OP_1SUB"]: lambda value: value - 1,
    OPS["OP_NEGATE"]: lambda value: -value,
    OPS["OP_ABS"]: abs,
    OPS["OP_NOT"]: lambda value: int(value == 0),
    OPS["OP_0NOTEQUAL"]: lambda value: int(value != 0),
}
_BINARY: dict[int, Callable[[int, int], int]] = {
    OPS["OP_ADD"]: lambda a, b: a + b,
    OPS["OP_SUB"]: lambda a, b: a - b,
    OPS["OP_BOOLAND"]: lambda a, b: int(a != 0 and b != 0),
    OPS["OP_BOOLOR"]: lambda a, b: int(a != 0 or b != 0),
    OPS["OP_NUMEQUAL"]: lambda a, b: int(a == b),
    OPS["OP_NUMEQUALVERIFY"]: lambda a, b: int(a == b),
    OPS["OP_NUMNOTEQUAL"]: lambda a, b: int(a != b),
    OPS["OP_LESSTHAN"]: lambda a, b: int(a < b),
    OPS["OP_GREATERTHAN"]: lambda a, b: int(a > b),
    OPS["OP_LESSTHANOREQUAL"]: lambda a, b: int(a <= b),
    OPS["OP_GREATERTHANOREQUAL"]: lambda a, b: int(a >= b),
    OPS["OP_MIN"]: min,
    OPS["OP_MAX"]: max,
}


def _unary(machine: Machine, opcode: int) -> None:
    machine.need(1)
    value = _UNARY[opcode](machine.num())
    machine.stack[-1] = encode_num(value)


def _binary(machine: Machine, opcode: int) -> None:
    machine.need(2)
    first, second = machine.num(-2), machine.num(-1)
    del machine.stack[-2:]
    machine.stack.append(encode_num(_BINARY[opcode](first, second)))
    if opcode == OPS["OP_NUMEQUALVERIFY"]:
        if not cast_to_bool(machine.stack[-1]):
            fail(ScriptError.NUMEQUALVERIFY)
        machine.stack.pop()


def _within(machine: Machine, opcode: int) -> None:
    machine.need(3)
    value, low, high = machine.num(-3), machine.num(-2), machine.num(-1)
    del machine.stack[-3:]
    machine.stack.append(TRUE if low <= value < high else FALSE)


# ----- crypto ------------------------------------------------------------------------------------

HASHERS: dict[int, Callable[[bytes], bytes]] = {
    OPS["OP_RIPEMD160"]: ripemd160,
    OPS["OP_SHA1"]: lambda data: hashlib.sha1(data).digest(),
    OPS["OP_SHA256"]: sha256,
    OPS["OP_HASH160"]: hash160,
    OPS["OP_HASH256"]: sha256d,
}


def _hash(machine: Machine, opcode: int) -> None:
    machine.need(1)
    machine.stack[-1] = HASHERS[opcode](machine.stack[-1])


def _checksig(machine: Machine, opcode: int) -> None:
    machine.need(2)
    sig, pubkey = machine.stack[-2], machine.stack[-1]
    check_signature_encoding(sig, machine.flags)
    check_pubkey_encoding(pubkey, machine.flags)
    success = machine.checker.check_sig(sig, pubkey, machine.script, machine.branch_id)
    del machine.stack[-2:]
    machine.stack.append(TRUE if success else FALSE)
    if opcode == OPS["OP_CHECKSIGVERIFY"]:
        if not success:
            fail(ScriptError.CHECKSIGVERIFY)
        machine.stack.pop()


def _checkmultisig(machine: Machine, opcode: int) -> None:
    stack = machine.stack
    index = 1
    machine.need(index)
    key_count = clamp_int(machine.num(-index))
    if key_count < 0 or key_count > MAX_PUBKEYS_PER_MULTISIG:
        fail(ScriptError.PUBKEY_COUNT)
    machine.op_count += key_count
    if machine.op_count > MAX_OPS_PER_SCRIPT:
        fail(ScriptError.OP_COUNT)
    index += 1
    key_index = index
    index += key_count
    machine.need(index)
    sig_count = clamp_int(machine.num(-index))
    if sig_count < 0 or sig_count > key_count:
        fail(ScriptError.SIG_COUNT)
    index += 1
    sig_index = index
    index += sig_count
    machine.need(index)
    success = True
    while success and sig_count > 0:
        sig, pubkey = stack[-sig_index], stack[-key_index]
        check_signature_encoding(sig, machine.flags)
        check_pubkey_encoding(pubkey, machine.flags)
        if machine.checker.check_sig(sig, pubkey, machine.script, machine.branch_id):
            sig_index += 1
            sig_count -= 1
        key_index += 1
        key_count -= 1
        if sig_count > key_count:
            success = False
    del stack[len(stack) - (index - 1) :]
    machine.need(1)
    if machine.flags & VERIFY_NULLDUMMY and stack[-1]:
        fail(ScriptError.SIG_NULLDUMMY)
    stack.pop()
    stack.append(TRUE if success else FALSE)
    if opcode == OPS["OP_CHECKMULTISIGVERIFY"]:
        if not success:
            fail(ScriptError.CHECKMULTISIGVERIFY)
        stack.pop()


def _build_table() -> dict[int, Callable[[Machine, int], None]]:
    table: dict[int, Callable[[Machine, int], None]] = {OP_1NEGATE: _small_int}
    for opcode in range(OP_1, OP_1 + 16):
        table[opcode] = _small_int
    table[OPS["OP_NOP"]] = _nop
    for number in (1, 3, 4, 5, 6, 7, 8, 9, 10):
        table[OPS[f"OP_NOP{number}"]] = _upgradable_nop
    table[OPS["OP_NOP2"]] = _checklocktimeverify
    table[OPS["OP_VERIFY"]] = _verify
    table[OPS["OP_RETURN"]] = _op_return
    for opcode in _STACK_OP_NAMES:
        table[opcode] = _stack_op
    table[OPS["OP_FROMALTSTACK"]] = _fromaltstack
    table[OPS["OP_DEPTH"]] = _depth
    table[OPS["OP_PICK"]] = table[OPS["OP_ROLL"]] = _pick_roll
    table[OPS["OP_EQUAL"]] = table[OPS["OP_EQUALVERIFY"]] = _equal
    table.update(dict.fromkeys(_UNARY, _unary))
    table.update(dict.fromkeys(_BINARY, _binary))
    table[OPS["OP_WITHIN"]] = _within
    table.update(dict.fromkeys(HASHERS, _hash))
    table[OPS["OP_CHECKSIG"]] = table[OPS["OP_CHECKSIGVERIFY"]] = _checksig
    table[OPS["OP_CHECKMULTISIG"]] = table[OPS["OP_CHECKMULTISIGVERIFY"]] = _checkmultisig
    return table


_TABLE = _build_table()
_IF_OPS = (OPS["OP_IF"], OPS["OP_NOTIF"])


def execute_opcode(machine: Machine, opcode: int, executing: bool) -> None:
    """Run one non-push opcode (conditionals also when not executing)."""
    if opcode in _IF_OPS:
        _if(machine, opcode, executing)
    elif opcode == OPS["OP_ELSE"]:
        _else(machine)
    elif opcode == OPS["OP_ENDIF"]:
        _endif(machine)
    else:
        handler = _TABLE.get(opcode)
        if handler is None:
            fail(ScriptError.BAD_OPCODE)
        handler(machine, opcode)
