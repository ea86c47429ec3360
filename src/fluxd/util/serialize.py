"""Byte cursor (Reader) and builder (Writer) for the Bitcoin/Zcash wire encoding.

Every length read from the wire is checked against the bytes that are left
before anything is allocated, and every failure raises :class:`DecodeError`,
never IndexError, struct.error or MemoryError.
"""

from __future__ import annotations

import struct

# C++ serialize.h MAX_SIZE: ReadCompactSize refuses larger values.
MAX_COMPACT_SIZE = 0x02000000

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")


class DecodeError(ValueError):
    """Raised for any malformed or truncated wire data."""


class Reader:
    """A cursor over an immutable byte buffer (memoryview, no copies until read)."""

    __slots__ = ("_view", "_pos", "_end")

    def __init__(self, data: bytes | bytearray | memoryview, start: int = 0) -> None:
        self._view = memoryview(data)
        if self._view.ndim != 1 or self._view.itemsize != 1:
            self._view = self._view.cast("B")
        self._pos = start
        self._end = len(self._view)

    @property
    def pos(self) -> int:
        return self._pos

    @property
    def remaining(self) -> int:
        return self._end - self._pos

    def at_end(self) -> bool:
        return self._pos >= self._end

    def window(self) -> tuple[memoryview, int, int]:
        """(buffer, position, end) for fast paths that parse in place and then ``seek``."""
        return self._view, self._pos, self._end

    def seek(self, pos: int) -> None:
        """Move to ``pos``, a position a fast path has checked to be within the buffer."""
        self._pos = pos

    def slice_bytes(self, start: int, stop: int) -> bytes:
        """The raw bytes between two earlier positions of this reader."""
        return bytes(self._view[start:stop])

    def _take(self, size: int) -> int:
        start = self._pos
        stop = start + size
        if size < 0 or stop > self._end:
            raise DecodeError(f"truncated: need {size} bytes at offset {start}, have {self._end - start}")
        self._pos = stop
        return start

    def read(self, size: int) -> bytes:
        start = self._take(size)
        return bytes(self._view[start : start + size])

    def skip(self, size: int) -> None:
        self._take(size)

    def u8(self) -> int:
        start = self._take(1)
        return self._view[start]

    def i8(self) -> int:
        value = self.u8()
        return value - 256 if value >= 128 else value

    def boolean(self) -> bool:
        return self.u8() != 0

    def u16(self) -> int:
        return _U16.unpack_from(self._view, self._take(2))[0]

    def u32(self) -> int:
        return _U32.unpack_from(self._view, self._take(4))[0]

    def i32(self) -> int:
        return _I32.unpack_from(self._view, self._take(4))[0]

    def u64(self) -> int:
        return _U64.unpack_from(self._view, self._take(8))[0]

    def i64(self) -> int:
        return _I64.unpack_from(self._view, self._take(8))[0]

    def compact_size(self, range_check: bool = True) -> int:
        """ReadCompactSize: canonical encoding required, MAX_SIZE enforced (C++)."""
        first = self.u8()
        if first < 0xFD:
            value = first
        elif first == 0xFD:
            value = self.u16()
            if value < 0xFD:
                raise DecodeError("non-canonical ReadCompactSize()")
        elif first == 0xFE:
            value = self.u32()
            if value < 0x10000:
                raise DecodeError("non-canonical ReadCompactSize()")
        else:
            value = self.u64()
            if value < 0x100000000:
                raise DecodeError("non-canonical ReadCompactSize()")
        if range_check and value > MAX_COMPACT_SIZE:
            raise DecodeError("ReadCompactSize(): size too large")
        return value

    def var_bytes(self) -> bytes:
        """A CompactSize length followed by that many bytes."""
        size = self.compact_size()
        if size > self._end - self._pos:
            raise DecodeError(f"length prefix {size} exceeds the {self._end - self._pos} bytes left")
        return self.read(size)

    def count(self, min_item_size: int) -> int:
        """A vector length, bounded by the bytes left before any allocation."""
        items = self.compact_size()
        if items * min_item_size > self._end - self._pos:
            raise DecodeError(
                f"vector of {items} items (>= {min_item_size} bytes each) exceeds the {self._end - self._pos} bytes left"
            )
        return items

    def hash32(self) -> bytes:
        return self.read(32)

    def expect_end(self, what: str) -> None:
        if self._pos != self._end:
            raise DecodeError(f"{self._end - self._pos} unexpected bytes after {what}")


def compact_size_bytes(value: int) -> bytes:
    if value < 0:
        raise ValueError("compact size cannot be negative")
    if value < 0xFD:
        return bytes((value,))
    if value <= 0xFFFF:
        return b"\xfd" + _U16.pack(value)
    if value <= 0xFFFFFFFF:
        return b"\xfe" + _U32.pack(value)
    return b"\xff" + _U64.pack(value)


class Writer:
    """Appends wire-encoded values to a bytearray."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def getvalue(self) -> bytes:
        return bytes(self._buf)

    def __len__(self) -> int:
        return len(self._buf)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._buf += data

    def u8(self, value: int) -> None:
        self._buf.append(value & 0xFF)

    def i8(self, value: int) -> None:
        self._buf.append(value & 0xFF)

    def boolean(self, value: bool) -> None:
        self._buf.append(1 if value else 0)

    def u16(self, value: int) -> None:
        self._buf += _U16.pack(value)

    def u32(self, value: int) -> None:
        self._buf += _U32.pack(value & 0xFFFFFFFF)

    def i32(self, value: int) -> None:
        self._buf += _I32.pack(value)

    def u64(self, value: int) -> None:
        self._buf += _U64.pack(value)

    def i64(self, value: int) -> None:
        self._buf += _I64.pack(value)

    def compact_size(self, value: int) -> None:
        self._buf += compact_size_bytes(value)

    def var_bytes(self, data: bytes) -> None:
        self._buf += compact_size_bytes(len(data))
        self._buf += data
