"""Script verification flags and errors (C++ script/interpreter.h, script/script_error.cpp)."""

from __future__ import annotations

from enum import Enum

VERIFY_NONE = 0
VERIFY_P2SH = 1 << 0
VERIFY_STRICTENC = 1 << 1
VERIFY_LOW_S = 1 << 3
VERIFY_NULLDUMMY = 1 << 4
VERIFY_SIGPUSHONLY = 1 << 5
VERIFY_MINIMALDATA = 1 << 6
VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1 << 7
VERIFY_CLEANSTACK = 1 << 8
VERIFY_CHECKLOCKTIMEVERIFY = 1 << 9

MANDATORY_SCRIPT_VERIFY_FLAGS = VERIFY_P2SH
BLOCK_SCRIPT_VERIFY_FLAGS = VERIFY_P2SH | VERIFY_CHECKLOCKTIMEVERIFY
STANDARD_SCRIPT_VERIFY_FLAGS = (
    MANDATORY_SCRIPT_VERIFY_FLAGS
    | VERIFY_STRICTENC
    | VERIFY_LOW_S
    | VERIFY_NULLDUMMY
    | VERIFY_MINIMALDATA
    | VERIFY_DISCOURAGE_UPGRADABLE_NOPS
    | VERIFY_CLEANSTACK
    | VERIFY_CHECKLOCKTIMEVERIFY
)
STANDARD_NOT_MANDATORY_VERIFY_FLAGS = STANDARD_SCRIPT_VERIFY_FLAGS & ~MANDATORY_SCRIPT_VERIFY_FLAGS

FLAG_NAMES = {
    "NONE": VERIFY_NONE,
    "P2SH": VERIFY_P2SH,
    "STRICTENC": VERIFY_STRICTENC,
    "LOW_S": VERIFY_LOW_S,
    "SIGPUSHONLY": VERIFY_SIGPUSHONLY,
    "MINIMALDATA": VERIFY_MINIMALDATA,
    "NULLDUMMY": VERIFY_NULLDUMMY,
    "DISCOURAGE_UPGRADABLE_NOPS": VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
    "CLEANSTACK": VERIFY_CLEANSTACK,
    "CHECKLOCKTIMEVERIFY": VERIFY_CHECKLOCKTIMEVERIFY,
}


def parse_flags(text: str) -> int:
    """Comma-separated flag names (test-data format) -> bit set."""
    flags = 0
    for word in filter(None, text.split(",")):
        if word not in FLAG_NAMES:
            raise ValueError(f"unknown verification flag '{word}'")
        flags |= FLAG_NAMES[word]
    return flags


class ScriptError(Enum):
    OK = "OK"
    UNKNOWN_ERROR = "UNKNOWN_ERROR"
    EVAL_FALSE = "EVAL_FALSE"
    OP_RETURN = "OP_RETURN"
    SCRIPT_SIZE = "SCRIPT_SIZE"
    PUSH_SIZE = "PUSH_SIZE"
    OP_COUNT = "OP_COUNT"
    STACK_SIZE = "STACK_SIZE"
    SIG_COUNT = "SIG_COUNT"
    PUBKEY_COUNT = "PUBKEY_COUNT"
    VERIFY = "VERIFY"
    EQUALVERIFY = "EQUALVERIFY"
    CHECKMULTISIGVERIFY = "CHECKMULTISIGVERIFY"
    CHECKSIGVERIFY = "CHECKSIGVERIFY"
    NUMEQUALVERIFY = "NUMEQUALVERIFY"
    BAD_OPCODE = "BAD_OPCODE"
    DISABLED_OPCODE = "DISABLED_OPCODE"
    INVALID_STACK_OPERATION = "INVALID_STACK_OPERATION"
    INVALID_ALTSTACK_OPERATION = "INVALID_ALTSTACK_OPERATION"
    UNBALANCED_CONDITIONAL = "UNBALANCED_CONDITIONAL"
    NEGATIVE_LOCKTIME = "NEGATIVE_LOCKTIME"
    UNSATISFIED_LOCKTIME = "UNSATISFIED_LOCKTIME"
    SIG_HASHTYPE = "SIG_HASHTYPE"
    SIG_DER = "SIG_DER"
    MINIMALDATA = "MINIMALDATA"
    SIG_PUSHONLY = "SIG_PUSHONLY"
    SIG_HIGH_S = "SIG_HIGH_S"
    SIG_NULLDUMMY = "SIG_NULLDUMMY"
    DISCOURAGE_UPGRADABLE_NOPS = "DISCOURAGE_UPGRADABLE_NOPS"
    PUBKEYTYPE = "PUBKEYTYPE"
    CLEANSTACK = "CLEANSTACK"

    @property
    def message(self) -> str:
        """ScriptErrorString (CLEANSTACK has no text in C++ and reads 'unknown error')."""
        return _MESSAGES.get(self, "unknown error")


_MESSAGES = {
    ScriptError.OK: "No error",
    ScriptError.EVAL_FALSE: "Script evaluated without error but finished with a false/empty top stack element",
    ScriptError.OP_RETURN: "OP_RETURN was encountered",
    ScriptError.SCRIPT_SIZE: "Script is too big",
    ScriptError.PUSH_SIZE: "Push value size limit exceeded",
    ScriptError.OP_COUNT: "Operation limit exceeded",
    ScriptError.STACK_SIZE: "Stack size limit exceeded",
    ScriptError.SIG_COUNT: "Signature count negative or greater than pubkey count",
    ScriptError.PUBKEY_COUNT: "Pubkey count negative or limit exceeded",
    ScriptError.VERIFY: "Script failed an OP_VERIFY operation",
    ScriptError.EQUALVERIFY: "Script failed an OP_EQUALVERIFY operation",
    ScriptError.CHECKMULTISIGVERIFY: "Script failed an OP_CHECKMULTISIGVERIFY operation",
    ScriptError.CHECKSIGVERIFY: "Script failed an OP_CHECKSIGVERIFY operation",
    ScriptError.NUMEQUALVERIFY: "Script failed an OP_NUMEQUALVERIFY operation",
    ScriptError.BAD_OPCODE: "Opcode missing or not understood",
    ScriptError.DISABLED_OPCODE: "Attempted to use a disabled opcode",
    ScriptError.INVALID_STACK_OPERATION: "Operation not valid with the current stack size",
    ScriptError.INVALID_ALTSTACK_OPERATION: "Operation not valid with the current altstack size",
    ScriptError.UNBALANCED_CONDITIONAL: "Invalid OP_IF construction",
    ScriptError.NEGATIVE_LOCKTIME: "Negative locktime",
    ScriptError.UNSATISFIED_LOCKTIME: "Locktime requirement not satisfied",
    ScriptError.SIG_HASHTYPE: "Signature hash type missing or not understood",
    ScriptError.SIG_DER: "Non-canonical DER signature",
    ScriptError.MINIMALDATA: "Data push larger than necessary",
    ScriptError.SIG_PUSHONLY: "Only non-push operators allowed in signatures",
    ScriptError.SIG_HIGH_S: "Non-canonical signature: S value is unnecessarily high",
    ScriptError.SIG_NULLDUMMY: "Dummy CHECKMULTISIG argument must be zero",
    ScriptError.DISCOURAGE_UPGRADABLE_NOPS: "NOPx reserved for soft-fork upgrades",
    ScriptError.PUBKEYTYPE: "Public key is neither compressed or uncompressed",
}


class ScriptFailure(Exception):
    """Raised inside the interpreter; carries the C++ ScriptError."""

    def __init__(self, error: ScriptError) -> None:
        super().__init__(error.message)
        self.error = error
