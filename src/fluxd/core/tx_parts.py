"""Transparent transaction components: COutPoint, CTxIn, CTxOut."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import NamedTuple

from fluxd.util.hexutil import rev_to_hum
from fluxd.util.serialize import Reader, Writer

NULL_HASH = b"\x00" * 32
NULL_INDEX = 0xFFFFFFFF
SEQUENCE_FINAL = 0xFFFFFFFF

OUTPOINT_SIZE = 36
MIN_TXIN_SIZE = 41  # prevout 36 + empty script 1 + sequence 4
MIN_TXOUT_SIZE = 9  # value 8 + empty script 1
_TXIN_HEAD = struct.Struct("<32sIB")  # prevout, then a script length under 0xFD (the fast path)
_TXOUT_HEAD = struct.Struct("<qB")
_U32 = struct.Struct("<I")


class OutPoint(NamedTuple):
    """A (txid, output index) pair; a tuple so hashing and comparing run in C (outpoints key every coin map)."""

    txid_rev: bytes
    n: int

    @classmethod
    def null(cls) -> "OutPoint":
        return cls(NULL_HASH, NULL_INDEX)

    def is_null(self) -> bool:
        return self.txid_rev == NULL_HASH and self.n == NULL_INDEX

    @property
    def txid_hum(self) -> str:
        return rev_to_hum(self.txid_rev)

    @classmethod
    def read(cls, reader: Reader) -> "OutPoint":
        return cls(reader.read(32), reader.u32())

    def write(self, writer: Writer) -> None:
        writer.write(self.txid_rev)
        writer.u32(self.n)

    def to_bytes(self) -> bytes:
        return self.txid_rev + self.n.to_bytes(4, "little")

    def short_str(self) -> str:
        """C++ COutPoint::ToString(): first 10 hex chars of the txid, then n."""
        return f"COutPoint({self.txid_hum[:10]}, {self.n})"

    def full_str(self) -> str:
        """C++ COutPoint::ToFullString(): the whole txid, then n."""
        return f"COutPoint({self.txid_hum}, {self.n})"


@dataclass(frozen=True, slots=True)
class TxIn:
    prevout: OutPoint
    script_sig: bytes
    sequence: int = SEQUENCE_FINAL

    @classmethod
    def read(cls, reader: Reader) -> "TxIn":
        """Parsed in place when the script length is one byte and everything fits, else field by field."""
        view, pos, end = reader.window()
        if pos + MIN_TXIN_SIZE <= end:
            txid, n, size = _TXIN_HEAD.unpack_from(view, pos)
            stop = pos + 37 + size
            if size < 0xFD and stop + 4 <= end:
                reader.seek(stop + 4)
                return cls(OutPoint(txid, n), view[pos + 37 : stop].tobytes(), _U32.unpack_from(view, stop)[0])
        return cls._read_fields(reader)

    @classmethod
    def _read_fields(cls, reader: Reader) -> "TxIn":
        prevout = OutPoint(reader.read(32), reader.u32())
        script_sig = reader.var_bytes()
        return cls(prevout, script_sig, reader.u32())

    def write(self, writer: Writer) -> None:
        writer.write(self.prevout.txid_rev)
        writer.u32(self.prevout.n)
        writer.var_bytes(self.script_sig)
        writer.u32(self.sequence)

    def is_final(self) -> bool:
        return self.sequence == SEQUENCE_FINAL


@dataclass(frozen=True, slots=True)
class TxOut:
    value: int
    script_pubkey: bytes

    @classmethod
    def read(cls, reader: Reader) -> "TxOut":
        """Parsed in place when the script length is one byte and everything fits, else field by field."""
        view, pos, end = reader.window()
        if pos + MIN_TXOUT_SIZE <= end:
            value, size = _TXOUT_HEAD.unpack_from(view, pos)
            stop = pos + 9 + size
            if size < 0xFD and stop <= end:
                reader.seek(stop)
                return cls(value, view[pos + 9 : stop].tobytes())
        value = reader.i64()
        return cls(value, reader.var_bytes())

    def write(self, writer: Writer) -> None:
        writer.i64(self.value)
        writer.var_bytes(self.script_pubkey)

    @classmethod
    def null(cls) -> "TxOut":
        """CTxOut::SetNull(): value -1 and an empty script (legacy SIGHASH_SINGLE)."""
        return cls(-1, b"")

    def is_null(self) -> bool:
        return self.value == -1
