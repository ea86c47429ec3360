"""Transparent signature hashes (C++ script/interpreter.cpp SignatureHash).

CONSENSUS_TRANSACTIONS.md §2.1–2.4: legacy (Zcash Sprout variant) for
non-overwintered transactions, ZIP-143 for overwintered non-Sapling, ZIP-243 for
Sapling.  ``PrecomputedHashes`` caches the per-transaction parts of
ZIP-143/243 so checking many inputs of one transaction hashes them once.
"""

from __future__ import annotations

import struct

from fluxd.core.hashes import blake2b_256, sha256d
from fluxd.core.signature_encoding import SIGHASH_ANYONECANPAY, SIGHASH_NONE, SIGHASH_SINGLE
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import TxOut
from fluxd.util.serialize import Writer, compact_size_bytes

NOT_AN_INPUT = 0xFFFFFFFF
_HEADER = struct.Struct("<II")
_SAPLING_TAIL = struct.Struct("<IIqI")
_OVERWINTER_TAIL = struct.Struct("<III")
_INPUT_TAIL = struct.Struct("<qI")
ZERO_32 = b"\x00" * 32
_JOINSPLIT_SIG_PLACEHOLDER = b"\x00" * 64


class SighashError(ValueError):
    """C++ throws logic_error: input out of range, or SIGHASH_SINGLE without an output (legacy)."""


def _outputs_bytes(outputs) -> bytes:
    writer = Writer()
    for output in outputs:
        output.write(writer)
    return writer.getvalue()


class PrecomputedHashes:
    """PrecomputedTransactionData: the ZIP-143/243 sub-hashes of one transaction."""

    __slots__ = ("prevouts", "sequence", "outputs", "joinsplits", "shielded_spends", "shielded_outputs")

    def __init__(self, tx: Transaction) -> None:
        self.prevouts = blake2b_256(b"ZcashPrevoutHash", b"".join(txin.prevout.to_bytes() for txin in tx.vin))
        self.sequence = blake2b_256(b"ZcashSequencHash", b"".join(txin.sequence.to_bytes(4, "little") for txin in tx.vin))
        self.outputs = blake2b_256(b"ZcashOutputsHash", _outputs_bytes(tx.vout))
        self.joinsplits = _joinsplits_hash(tx)
        self.shielded_spends = blake2b_256(
            b"ZcashSSpendsHash", b"".join(spend.sighash_bytes() for spend in tx.shielded_spends)
        )
        writer = Writer()
        for output in tx.shielded_outputs:
            output.write(writer)
        self.shielded_outputs = blake2b_256(b"ZcashSOutputHash", writer.getvalue())


def _joinsplits_hash(tx: Transaction) -> bytes:
    writer = Writer()
    for joinsplit in tx.joinsplits:
        joinsplit.write(writer)
    writer.write(tx.joinsplit_pubkey)
    return blake2b_256(b"ZcashJSplitsHash", writer.getvalue())


def signature_hash(
    script_code: bytes,
    tx: Transaction,
    input_index: int,
    hash_type: int,
    amount: int,
    branch_id: int,
    cache: PrecomputedHashes | None = None,
) -> bytes:
    """SignatureHash: the 32-byte digest an input's signature commits to."""
    if input_index >= len(tx.vin) and input_index != NOT_AN_INPUT:
        raise SighashError("input index is out of range")
    if tx.overwintered:
        return _zip143_243(script_code, tx, input_index, hash_type, amount, branch_id, cache)
    return _legacy(script_code, tx, input_index, hash_type)


def _zip143_243(script_code, tx, input_index, hash_type, amount, branch_id, cache) -> bytes:
    cache = cache or PrecomputedHashes(tx)
    base_type = hash_type & 0x1F
    anyone_can_pay = bool(hash_type & SIGHASH_ANYONECANPAY)
    single_or_none = base_type in (SIGHASH_SINGLE, SIGHASH_NONE)
    is_sapling = tx.version_group_id == SAPLING_VERSION_GROUP_ID
    hash_outputs = ZERO_32
    if not single_or_none:
        hash_outputs = cache.outputs
    elif base_type == SIGHASH_SINGLE and input_index < len(tx.vout):
        hash_outputs = blake2b_256(b"ZcashOutputsHash", _outputs_bytes([tx.vout[input_index]]))
    parts = [
        _HEADER.pack(tx.header, tx.version_group_id),
        ZERO_32 if anyone_can_pay else cache.prevouts,
        ZERO_32 if anyone_can_pay or single_or_none else cache.sequence,
        hash_outputs,
        cache.joinsplits if tx.joinsplits else ZERO_32,
    ]
    if is_sapling:
        parts.append(cache.shielded_spends if tx.shielded_spends else ZERO_32)
        parts.append(cache.shielded_outputs if tx.shielded_outputs else ZERO_32)
        parts.append(_SAPLING_TAIL.pack(tx.lock_time, tx.expiry_height, tx.value_balance, hash_type & 0xFFFFFFFF))
    else:
        parts.append(_OVERWINTER_TAIL.pack(tx.lock_time, tx.expiry_height, hash_type & 0xFFFFFFFF))
    if input_index != NOT_AN_INPUT:
        txin = tx.vin[input_index]
        parts += (txin.prevout.to_bytes(), compact_size_bytes(len(script_code)), script_code)
        parts.append(_INPUT_TAIL.pack(amount, txin.sequence))
    personal = b"ZcashSigHash" + branch_id.to_bytes(4, "little")
    return blake2b_256(personal, b"".join(parts))


def _legacy(script_code: bytes, tx: Transaction, input_index: int, hash_type: int) -> bytes:
    base_type = hash_type & 0x1F
    anyone_can_pay = bool(hash_type & SIGHASH_ANYONECANPAY)
    hash_single = base_type == SIGHASH_SINGLE
    hash_none = base_type == SIGHASH_NONE
    if hash_single and input_index >= len(tx.vout):
        raise SighashError("no matching output for SIGHASH_SINGLE")
    writer = Writer()
    writer.i32(tx.version if tx.version < 2**31 else tx.version - 2**32)
    inputs = [input_index] if anyone_can_pay else range(len(tx.vin))
    writer.compact_size(len(inputs))
    for index in inputs:
        txin = tx.vin[index]
        txin.prevout.write(writer)
        writer.var_bytes(script_code if index == input_index else b"")
        blank_sequence = index != input_index and (hash_single or hash_none)
        writer.u32(0 if blank_sequence else txin.sequence)
    output_count = 0 if hash_none else (input_index + 1 if hash_single else len(tx.vout))
    writer.compact_size(output_count)
    for index in range(output_count):
        output = TxOut.null() if hash_single and index != input_index else tx.vout[index]
        output.write(writer)
    writer.u32(tx.lock_time)
    if tx.version >= 2:
        writer.compact_size(len(tx.joinsplits))
        for joinsplit in tx.joinsplits:
            joinsplit.write(writer)
        if tx.joinsplits:
            writer.write(tx.joinsplit_pubkey)
            writer.write(_JOINSPLIT_SIG_PLACEHOLDER)
    writer.i32(hash_type if hash_type < 2**31 else hash_type - 2**32)
    return sha256d(writer.getvalue())
