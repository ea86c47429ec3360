"""The script interpreter (C++ script/interpreter.cpp EvalScript / VerifyScript).

``SignatureChecker`` binds a transaction input; ``verify_script`` returns the
ScriptError (``ScriptError.OK`` when the spend is valid).
"""

from __future__ import annotations

from fluxd.consensus.script_errors import VERIFY_CLEANSTACK, VERIFY_P2SH, VERIFY_SIGPUSHONLY, ScriptError, ScriptFailure
from fluxd.consensus.script_ops import (
    DISABLED_OPCODES,
    MAX_OPS_PER_SCRIPT,
    MAX_SCRIPT_ELEMENT_SIZE,
    MAX_SCRIPT_SIZE,
    MAX_STACK_SIZE,
    Machine,
    cast_to_bool,
    check_pubkey_encoding,
    check_signature_encoding,
    execute_opcode,
    is_minimal_push,
    pubkey_length_valid,
)
from fluxd.consensus.sighash import PrecomputedHashes, SighashError, signature_hash
from fluxd.core import ecdsa
from fluxd.core.opcodes import is_push_only, read_op
from fluxd.core.hashes import hash160
from fluxd.core.script import is_p2pkh, is_p2sh
from fluxd.core.transaction import Transaction

LOCKTIME_THRESHOLD = 500_000_000
SEQUENCE_FINAL = 0xFFFFFFFF
OP_PUSHDATA4 = 0x4E
OP_16 = 0x60
OP_IF = 0x63
OP_ENDIF = 0x68
FAST_PATH_STACK_LIMIT = 990  # DUP must not cross the 1000-item limit on the fast path


class SignatureChecker:
    """TransactionSignatureChecker: CHECKSIG / CHECKLOCKTIMEVERIFY against one input."""

    def __init__(self, tx: Transaction, input_index: int, amount: int, cache: PrecomputedHashes | None = None):
        self.tx = tx
        self.input_index = input_index
        self.amount = amount
        self.cache = cache

    def check_sig(self, sig_with_type: bytes, pubkey: bytes, script_code: bytes, branch_id: int) -> bool:
        if not pubkey_length_valid(pubkey) or not sig_with_type:
            return False
        hash_type = sig_with_type[-1]
        try:
            digest = signature_hash(
                script_code, self.tx, self.input_index, hash_type, self.amount, branch_id, self._precomputed()
            )
        except SighashError:
            return False
        return ecdsa.verify_der(pubkey, digest, sig_with_type[:-1])

    def _precomputed(self) -> PrecomputedHashes | None:
        if self.cache is None and self.tx.overwintered:
            self.cache = PrecomputedHashes(self.tx)
        return self.cache

    def check_lock_time(self, lock_time: int) -> bool:
        tx_lock_time = self.tx.lock_time
        if (tx_lock_time < LOCKTIME_THRESHOLD) != (lock_time < LOCKTIME_THRESHOLD):
            return False
        if lock_time > tx_lock_time:
            return False
        return self.tx.vin[self.input_index].sequence != SEQUENCE_FINAL


def eval_script(stack: list[bytes], script: bytes, flags: int, checker, branch_id: int) -> ScriptError:
    """EvalScript: runs ``script`` on ``stack`` (modified in place)."""
    if len(script) > MAX_SCRIPT_SIZE:
        return ScriptError.SCRIPT_SIZE
    machine = Machine(stack, script, flags, checker, branch_id)
    try:
        _run(machine)
    except ScriptFailure as failure:
        return failure.error
    except (IndexError, ValueError, OverflowError):
        return ScriptError.UNKNOWN_ERROR
    if machine.exec_stack:
        return ScriptError.UNBALANCED_CONDITIONAL
    return ScriptError.OK


def _run(machine: Machine) -> None:
    script = machine.script
    size = len(script)
    stack = machine.stack
    exec_stack = machine.exec_stack
    minimal = machine.minimal
    pos = 0
    while pos < size:
        executing = not exec_stack or False not in exec_stack
        opcode = script[pos]
        pos += 1
        if opcode <= OP_PUSHDATA4:
            data, pos = _read_push(script, pos, opcode)
            if executing:
                if minimal and not is_minimal_push(data, opcode):
                    raise ScriptFailure(ScriptError.MINIMALDATA)
                stack.append(data)
        else:
            if opcode > OP_16:
                machine.op_count += 1
                if machine.op_count > MAX_OPS_PER_SCRIPT:
                    raise ScriptFailure(ScriptError.OP_COUNT)
            if opcode in DISABLED_OPCODES:
                raise ScriptFailure(ScriptError.DISABLED_OPCODE)
            if executing or OP_IF <= opcode <= OP_ENDIF:
                execute_opcode(machine, opcode, executing)
        if len(stack) + len(machine.altstack) > MAX_STACK_SIZE:
            raise ScriptFailure(ScriptError.STACK_SIZE)


def _read_push(script: bytes, pos: int, opcode: int) -> tuple[bytes, int]:
    """The pushed bytes and the next position (GetOp); BAD_OPCODE when truncated, PUSH_SIZE when too big."""
    op = read_op(script, pos - 1)
    if op is None:
        raise ScriptFailure(ScriptError.BAD_OPCODE)
    if len(op.data) > MAX_SCRIPT_ELEMENT_SIZE:
        raise ScriptFailure(ScriptError.PUSH_SIZE)
    return op.data, op.end


def _eval_p2pkh(stack: list[bytes], script_pubkey: bytes, flags: int, checker, branch_id: int) -> ScriptError:
    """DUP HASH160 <h> EQUALVERIFY CHECKSIG without the generic loop; same results and errors."""
    if not stack:
        return ScriptError.INVALID_STACK_OPERATION
    if hash160(stack[-1]) != script_pubkey[3:23]:
        return ScriptError.EQUALVERIFY
    if len(stack) < 2:
        return ScriptError.INVALID_STACK_OPERATION
    signature, pubkey = stack[-2], stack[-1]
    try:
        check_signature_encoding(signature, flags)
        check_pubkey_encoding(pubkey, flags)
    except ScriptFailure as failure:
        return failure.error
    success = checker.check_sig(signature, pubkey, script_pubkey, branch_id)
    del stack[-2:]
    stack.append(b"\x01" if success else b"")
    return ScriptError.OK


def verify_script(script_sig: bytes, script_pubkey: bytes, flags: int, checker, branch_id: int) -> ScriptError:
    """VerifyScript: scriptSig, then scriptPubKey, then the P2SH redeem script, then CLEANSTACK."""
    if flags & VERIFY_SIGPUSHONLY and not is_push_only(script_sig):
        return ScriptError.SIG_PUSHONLY
    stack: list[bytes] = []
    error = eval_script(stack, script_sig, flags, checker, branch_id)
    if error is not ScriptError.OK:
        return error
    stack_copy = list(stack) if flags & VERIFY_P2SH else []
    if is_p2pkh(script_pubkey) and len(stack) < FAST_PATH_STACK_LIMIT:
        error = _eval_p2pkh(stack, script_pubkey, flags, checker, branch_id)
    else:
        error = eval_script(stack, script_pubkey, flags, checker, branch_id)
    if error is not ScriptError.OK:
        return error
    if not stack or not cast_to_bool(stack[-1]):
        return ScriptError.EVAL_FALSE
    if flags & VERIFY_P2SH and is_p2sh(script_pubkey):
        if not is_push_only(script_sig):
            return ScriptError.SIG_PUSHONLY
        stack = stack_copy
        redeem_script = stack.pop()
        error = eval_script(stack, redeem_script, flags, checker, branch_id)
        if error is not ScriptError.OK:
            return error
        if not stack or not cast_to_bool(stack[-1]):
            return ScriptError.EVAL_FALSE
    if flags & VERIFY_CLEANSTACK and len(stack) != 1:
        return ScriptError.CLEANSTACK
    return ScriptError.OK
