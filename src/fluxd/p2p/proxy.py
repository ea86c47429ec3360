"""Which proxy an outbound connection uses and which networks may be dialed (C++ netbase/net proxyInfo, vfLimited).

C++ keeps a proxy per network (ipv4, ipv6, onion), a name proxy for host names
it must not resolve, and a "limited" flag per network (-onlynet, onion without
a proxy).  A numeric address goes to its network's proxy as text; an address
C++ calls unroutable (loopback, private ranges) has no proxy and is dialed
directly; a name goes to the name proxy and is never resolved locally.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from fluxd.p2p.socks5 import Proxy

NET_UNROUTABLE, NET_IPV4, NET_IPV6, NET_TOR, NET_NAME = "unroutable", "ipv4", "ipv6", "onion", "name"
NETWORKS = (NET_IPV4, NET_IPV6, NET_TOR)  # getnetworkinfo order (C++ skips NET_UNROUTABLE)
DEFAULT_PROXY_PORT = 9050


def parse_network(text: str) -> str | None:
    """C++ ParseNetwork: ipv4, ipv6, onion (or tor); None for anything else."""
    name = text.lower()
    if name in ("ipv4", "ipv6"):
        return name
    return NET_TOR if name in ("tor", "onion") else None


def split_host_port(text: str, default_port: int) -> tuple[str, int]:
    """C++ SplitHostPort: a trailing valid port (1-65535) is split off; brackets are dropped."""
    colon = text.rfind(":")
    port = default_port
    if colon >= 0:
        bracketed = text.startswith("[") and text[colon - 1 : colon] == "]"
        multi_colon = text.rfind(":", 0, colon) >= 0
        tail = text[colon + 1 :]
        if (colon == 0 or bracketed or not multi_colon) and tail.isdigit() and 0 < int(tail) < 0x10000:
            text, port = text[:colon], int(tail)
    if len(text) >= 2 and text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text, port


def parse_proxy(text: str, randomize: bool) -> Proxy | None:
    """proxyType(CService(text, 9050), randomize): None unless a numeric, valid address."""
    host, port = split_host_port(text, DEFAULT_PROXY_PORT)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_unspecified or (address.version == 4 and str(address) == "255.255.255.255"):
        return None
    return Proxy(str(address), port, randomize)


def network_of(host: str) -> str:
    """C++ GetNetwork of a target host; NET_NAME for a name that is neither numeric nor .onion."""
    if host.lower().endswith(".onion"):
        return NET_TOR
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return NET_NAME
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global:
        return NET_UNROUTABLE
    return NET_IPV4 if address.version == 4 else NET_IPV6


@dataclass
class NetPolicy:
    """Per-network proxies, the name proxy and the limited networks."""

    proxies: dict[str, Proxy] = field(default_factory=dict)
    name_proxy: Proxy | None = None
    limited: set[str] = field(default_factory=lambda: {NET_TOR})  # C++ SetLimited(NET_TOR) until a proxy

    def is_limited(self, network: str) -> bool:
        if network == NET_NAME:  # a name can only lead to ipv4 or ipv6
            return NET_IPV4 in self.limited and NET_IPV6 in self.limited
        return network in self.limited

    def route(self, host: str) -> tuple[str, Proxy | None]:
        """(network, proxy) for a target host; proxy None means a direct connection."""
        network = network_of(host)
        if network == NET_NAME:
            return network, self.name_proxy
        return network, self.proxies.get(network)

    def networks_json(self) -> list[dict]:
        """C++ GetNetworksInfo."""
        result = []
        for name in NETWORKS:
            proxy = self.proxies.get(name)
            result.append({"name": name, "limited": name in self.limited, "reachable": name not in self.limited,
                           "proxy": str(proxy) if proxy else "",
                           "proxy_randomize_credentials": bool(proxy and proxy.randomize_credentials)})  # fmt: skip
        return result
