"""Banned subnets with their expiry, persisted to banlist.dat (C++ CNode::setBanned).

Addresses are shown as C++ CSubNet::ToString does: the network address, a
slash and the dotted (IPv4) or colon-hex (IPv6) netmask.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

from fluxd.p2p.protocol import DEFAULT_MISBEHAVING_BANTIME

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BanListError(Exception):
    pass


def parse_subnet(text: str) -> Network:
    """'1.2.3.4', '1.2.3.0/24' or '1.2.3.0/255.255.255.0' (ValueError when invalid)."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        mapped = network.network_address.ipv4_mapped
        network = ipaddress.ip_network(f"{mapped}/{max(0, network.prefixlen - 96)}")
    return network


def subnet_to_string(network: Network) -> str:
    if network.version == 4:
        return f"{network.network_address}/{network.netmask}"
    mask = network.netmask.packed
    groups = ":".join(f"{mask[i] << 8 | mask[i + 1]:x}" for i in range(0, 16, 2))
    return f"{network.network_address}/{groups}"


class BanList:
    def __init__(self, default_ban_time: int = DEFAULT_MISBEHAVING_BANTIME) -> None:
        self.default_ban_time = default_ban_time
        self.entries: dict[Network, dict] = {}
        self.dirty = False

    def ban(self, network: Network, now: int, ban_time: int = 0, absolute: bool = False, reason: str = "manually added") -> None:
        until = ban_time if absolute else now + (ban_time if ban_time > 0 else self.default_ban_time)
        current = self.entries.get(network)
        if current is None or current["banned_until"] < until:
            self.entries[network] = {"banned_until": until, "ban_created": now, "ban_reason": reason}
            self.dirty = True

    def unban(self, network: Network) -> bool:
        if self.entries.pop(network, None) is None:
            return False
        self.dirty = True
        return True

    def clear(self) -> None:
        self.entries.clear()
        self.dirty = True

    def is_banned(self, host: str, now: int) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network and entry["banned_until"] > now for network, entry in self.entries.items()
                   if network.version == address.version)

    def contains_subnet(self, network: Network, now: int) -> bool:
        entry = self.entries.get(network)
        return entry is not None and entry["banned_until"] > now

    def sweep(self, now: int) -> None:
        for network in [net for net, entry in self.entries.items() if entry["banned_until"] <= now]:
            del self.entries[network]
            self.dirty = True

    def listing(self) -> list[tuple[str, int]]:
        ordered = sorted(self.entries.items(), key=lambda item: (item[0].version, item[0].network_address.packed, item[0].prefixlen))
        return [(subnet_to_string(network), entry["banned_until"]) for network, entry in ordered]

    # ----- banlist.dat --------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        data = {str(network): entry for network, entry in self.entries.items()}
        temp = path.with_name(path.name + ".new")
        temp.write_text(json.dumps({"version": 1, "banned": data}, sort_keys=True))
        os.replace(temp, path)
        self.dirty = False

    @classmethod
    def load(cls, path: Path, default_ban_time: int = DEFAULT_MISBEHAVING_BANTIME) -> "BanList":
        bans = cls(default_ban_time)
        try:
            document = json.loads(path.read_text())
            for text, entry in document["banned"].items():
                bans.entries[parse_subnet(text)] = {
                    "banned_until": int(entry["banned_until"]),
                    "ban_created": int(entry.get("ban_created", 0)),
                    "ban_reason": str(entry.get("ban_reason", "")),
                }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BanListError(f"{path.name} is corrupt ({exc})") from None
        return bans
