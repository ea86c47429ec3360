"""Peer addresses as the wire carries them (C++ CAddress / CService / CNetAddr)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fluxd.util.serialize import Reader, Writer

IPV4_PREFIX = b"\x00" * 10 + b"\xff\xff"


@dataclass(frozen=True, slots=True)
class NetAddress:
    """An address: 16-byte IPv6 (IPv4-mapped for IPv4), port, services and last-seen time."""

    ip16: bytes = b"\x00" * 16
    port: int = 0
    services: int = 0
    time: int = 0

    @classmethod
    def from_host(cls, host: str, port: int, services: int = 0, time: int = 0) -> "NetAddress":
        parsed = ipaddress.ip_address(host.strip("[]"))
        raw = IPV4_PREFIX + parsed.packed if parsed.version == 4 else parsed.packed
        return cls(raw, port, services, time)

    @property
    def is_ipv4(self) -> bool:
        return self.ip16.startswith(IPV4_PREFIX)

    @property
    def host(self) -> str:
        if self.is_ipv4:
            return str(ipaddress.IPv4Address(self.ip16[12:]))
        return str(ipaddress.IPv6Address(self.ip16))

    @property
    def key(self) -> tuple[bytes, int]:
        return self.ip16, self.port

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if self.is_ipv4 else f"[{self.host}]:{self.port}"

    def is_routable(self) -> bool:
        try:
            address = ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return address.is_global and self.port != 0

    def write(self, writer: Writer, with_time: bool) -> None:
        if with_time:
            writer.u32(self.time & 0xFFFFFFFF)
        writer.u64(self.services)
        writer.write(self.ip16)
        writer.write(self.port.to_bytes(2, "big"))

    @classmethod
    def read(cls, reader: Reader, with_time: bool) -> "NetAddress":
        time = reader.u32() if with_time else 0
        services = reader.u64()
        ip16 = reader.read(16)
        port = int.from_bytes(reader.read(2), "big")
        return cls(ip16, port, services, time)


def parse_host_port(text: str, default_port: int) -> tuple[str, int]:
    """'1.2.3.4', '1.2.3.4:16125', '[::1]:16125', 'host' -> (host, port); ValueError on a bad port."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not port_text:
        return host, default_port
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"invalid port {port_text}")
    return host, port
