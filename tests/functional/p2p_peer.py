"""A raw-protocol test peer: opens a socket to a fluxd, speaks framed messages, and can misbehave on purpose."""

from __future__ import annotations

import socket
import time

from fluxd.p2p.framing import decode_header, encode_frame
from fluxd.p2p.messages import Message, Verack, Version, decode_payload
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.protocol import HEADER_SIZE, NODE_NETWORK, PROTOCOL_VERSION

REGTEST_MAGIC = bytes.fromhex("aae83f5f")


class RawPeer:
    def __init__(self, port: int, magic: bytes = REGTEST_MAGIC) -> None:
        self.magic = magic
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.received: list[Message] = []

    def close(self) -> None:
        self.sock.close()

    def send(self, message: Message) -> None:
        self.send_frame(encode_frame(self.magic, message.command, message.payload()))

    def send_frame(self, frame: bytes) -> None:
        self.sock.sendall(frame)

    def send_raw(self, command: str, payload: bytes) -> None:
        self.send_frame(encode_frame(self.magic, command, payload))

    def version_message(self, version: int = PROTOCOL_VERSION, relay_byte: bool = True) -> Version:
        return Version(version, NODE_NETWORK, int(time.time()), NetAddress.from_host("127.0.0.1", 0),
                       NetAddress.from_host("127.0.0.1", 0), 12345, "/testpeer:0.1/", 0, True, relay_byte)

    def handshake(self, version: int = PROTOCOL_VERSION, relay_byte: bool = True) -> Version:
        self.send(self.version_message(version, relay_byte))
        remote = self.wait_for(Version)
        self.wait_for(Verack)
        self.send(Verack())
        return remote

    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("peer closed the connection")
            data += chunk
        return data

    def read_message(self) -> Message:
        header = decode_header(self._read_exact(HEADER_SIZE), self.magic)
        message = decode_payload(header.command, self._read_exact(header.length))
        self.received.append(message)
        return message

    def wait_for(self, message_type, timeout: float = 20, predicate=lambda message: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            message = self.read_message()
            if isinstance(message, message_type) and predicate(message):
                return message
        raise TimeoutError(f"no {message_type.__name__} received")

    def is_disconnected(self, timeout: float = 10) -> bool:
        """True once the node closes the socket (reads and discards anything it still sends)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                return False
            except OSError:
                return True
        return False
