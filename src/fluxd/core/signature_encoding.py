"""Transaction signature encoding rules (C++ interpreter.cpp IsValidSignatureEncoding & co).

A script signature is a strict-DER ECDSA signature followed by one sighash-type byte.
"""

from __future__ import annotations

SIGHASH_ALL = 1
SIGHASH_NONE = 2
SIGHASH_SINGLE = 3
SIGHASH_ANYONECANPAY = 0x80

SIGHASH_NAMES = {
    SIGHASH_ALL: "ALL",
    SIGHASH_ALL | SIGHASH_ANYONECANPAY: "ALL|ANYONECANPAY",
    SIGHASH_NONE: "NONE",
    SIGHASH_NONE | SIGHASH_ANYONECANPAY: "NONE|ANYONECANPAY",
    SIGHASH_SINGLE: "SINGLE",
    SIGHASH_SINGLE | SIGHASH_ANYONECANPAY: "SINGLE|ANYONECANPAY",
}
MAX_SIG_WITH_HASHTYPE = 73


def is_valid_signature_encoding(sig: bytes) -> bool:
    """Strict DER of (r, s) plus a trailing hashtype byte, both integers minimal and positive."""
    size = len(sig)
    if size < 9 or size > MAX_SIG_WITH_HASHTYPE:
        return False
    if sig[0] != 0x30 or sig[1] != size - 3:
        return False
    len_r = sig[3]
    if 5 + len_r >= size:
        return False
    len_s = sig[5 + len_r]
    if len_r + len_s + 7 != size:
        return False
    return _is_der_integer(sig, 2, len_r) and _is_der_integer(sig, len_r + 4, len_s)


def _is_der_integer(sig: bytes, tag_pos: int, length: int) -> bool:
    if sig[tag_pos] != 0x02 or length == 0:
        return False
    first = sig[tag_pos + 2]
    if first & 0x80:
        return False
    return not (length > 1 and first == 0x00 and not sig[tag_pos + 3] & 0x80)


def is_defined_hashtype(sig: bytes) -> bool:
    """IsDefinedHashtypeSignature: ALL, NONE or SINGLE, optionally with ANYONECANPAY."""
    if not sig:
        return False
    return SIGHASH_ALL <= (sig[-1] & ~SIGHASH_ANYONECANPAY) <= SIGHASH_SINGLE


def sighash_suffix(push: bytes) -> str | None:
    """'[ALL]' etc. when a push looks like a strictly encoded signature (ScriptToAsmStr decode)."""
    if not is_valid_signature_encoding(push) or not is_defined_hashtype(push):
        return None
    name = SIGHASH_NAMES.get(push[-1])
    return None if name is None else f"[{name}]"
