"""Message framing: network magic, 12-byte command, payload length and sha256d checksum (C++ CMessageHeader)."""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.core.hashes import sha256d
from fluxd.p2p.protocol import COMMAND_SIZE, HEADER_SIZE, MAX_PROTOCOL_MESSAGE_LENGTH


class FrameError(Exception):
    """The byte stream cannot continue (wrong magic, oversized length): the peer is disconnected."""


@dataclass(frozen=True, slots=True)
class FrameHeader:
    magic: bytes
    command_raw: bytes
    length: int
    checksum: bytes

    @property
    def command(self) -> str:
        return self.command_raw.rstrip(b"\x00").decode("ascii", "replace")

    def command_is_valid(self) -> bool:
        """C++ IsValid: printable ASCII, then only NUL padding."""
        text, _, padding = self.command_raw.partition(b"\x00")
        return all(0x20 <= byte <= 0x7E for byte in text) and not padding.strip(b"\x00")


def checksum(payload: bytes | memoryview) -> bytes:
    return sha256d(bytes(payload))[:4]


def encode_frame(magic: bytes, command: str, payload: bytes) -> bytes:
    name = command.encode("ascii")
    if len(name) > COMMAND_SIZE:
        raise ValueError(f"command {command!r} longer than {COMMAND_SIZE} bytes")
    return b"".join((magic, name.ljust(COMMAND_SIZE, b"\x00"), len(payload).to_bytes(4, "little"), checksum(payload), payload))


def decode_header(data: bytes, expected_magic: bytes) -> FrameHeader:
    """Parse the 24-byte header; FrameError when the stream must be dropped."""
    if len(data) != HEADER_SIZE:
        raise FrameError("short message header")
    header = FrameHeader(data[:4], data[4:16], int.from_bytes(data[16:20], "little"), data[20:24])
    if header.magic != expected_magic:
        raise FrameError(f"invalid message start {header.magic.hex()}")
    if header.length > MAX_PROTOCOL_MESSAGE_LENGTH:
        raise FrameError(f"oversized message {header.command!r} of {header.length} bytes")
    return header
