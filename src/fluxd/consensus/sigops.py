"""Signature-operation counting (C++ script.cpp GetSigOpCount, main.cpp GetLegacySigOpCount / GetP2SHSigOpCount)."""

from __future__ import annotations

from collections.abc import Callable

from fluxd.core.opcodes import OP_1, OP_16, OP_BY_NAME, OP_CHECKMULTISIG, OP_CHECKSIG, iter_ops
from fluxd.core.script import is_p2sh
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint

MAX_PUBKEYS_PER_MULTISIG = 20
MAX_BLOCK_SIGOPS = 20_000
_SINGLE = (OP_CHECKSIG, OP_BY_NAME["OP_CHECKSIGVERIFY"])
_MULTI = (OP_CHECKMULTISIG, OP_BY_NAME["OP_CHECKMULTISIGVERIFY"])


def _only_direct_pushes(script: bytes) -> bool:
    """True when the script is a run of complete direct pushes (opcodes 0x01-0x4b): it has no sigops."""
    position, end = 0, len(script)
    while position < end:
        opcode = script[position]
        if not 0 < opcode < 0x4C:
            return False
        position += 1 + opcode
    return position == end


def _is_p2pkh(script: bytes) -> bool:
    return len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac"


def script_sigop_count(script: bytes, accurate: bool) -> int:
    """CScript::GetSigOpCount(fAccurate): multisig counts its key count only when accurate."""
    if _is_p2pkh(script):  # fast paths for the common templates, same result as the loop below
        return 1
    if _only_direct_pushes(script):
        return 0
    count = 0
    last_opcode = None
    for op in iter_ops(script):
        if op is None:
            break
        if op.opcode in _SINGLE:
            count += 1
        elif op.opcode in _MULTI:
            if accurate and last_opcode is not None and OP_1 <= last_opcode <= OP_16:
                count += last_opcode - (OP_1 - 1)
            else:
                count += MAX_PUBKEYS_PER_MULTISIG
        last_opcode = op.opcode
    return count


def p2sh_sigop_count(script_pubkey: bytes, script_sig: bytes) -> int:
    """CScript::GetSigOpCount(scriptSig): the accurate count of the redeem script a P2SH spend reveals."""
    if not is_p2sh(script_pubkey):
        return script_sigop_count(script_pubkey, True)
    last_push = b""
    for op in iter_ops(script_sig):
        if op is None or op.opcode > OP_16:
            return 0
        last_push = op.data or b""
    return script_sigop_count(last_push, True)


def legacy_sigop_count(tx: Transaction) -> int:
    """GetLegacySigOpCount: inaccurate counts over every scriptSig and scriptPubKey."""
    count = 0
    for txin in tx.vin:
        count += script_sigop_count(txin.script_sig, False)
    for txout in tx.vout:
        count += script_sigop_count(txout.script_pubkey, False)
    return count


def p2sh_tx_sigop_count(tx: Transaction, prev_script: Callable[[OutPoint], bytes]) -> int:
    """GetP2SHSigOpCount: redeem-script sigops of the inputs that spend P2SH outputs."""
    if tx.is_coinbase():
        return 0
    total = 0
    for txin in tx.vin:
        script_pubkey = prev_script(txin.prevout)
        if is_p2sh(script_pubkey):
            total += p2sh_sigop_count(script_pubkey, txin.script_sig)
    return total
