"""Which proxy an outbound connection uses and which networks may be dialed (C++ netbase proxyInfo, nameProxy, vfLimited).

C++ keeps a proxy per network (ipv4, ipv6, onion), a name proxy for host
names it must not resolve, and a "limited" flag per network (-onlynet, onion
without a proxy).  A target text is routed as C++ ConnectSocketByName does:
a numeric or onion address goes to its network's proxy as its ToStringIP text
(none for an address C++ calls unroutable: loopback, private ranges, which is
dialed directly); a name goes to the name proxy and is never resolved
locally; without a name proxy it is resolved locally only when -dns allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.p2p import cnetaddr
from fluxd.p2p.cnetaddr import is_valid, network_of_address, parse_address, split_host_port, to_string_ip
from fluxd.p2p.socks5 import Proxy

NET_UNROUTABLE, NET_IPV4, NET_IPV6, NET_TOR, NET_NAME = "unroutable", "ipv4", "ipv6", "onion", "name"
NETWORKS = (NET_IPV4, NET_IPV6, NET_TOR)  # getnetworkinfo order (C++ skips NET_UNROUTABLE)
_NETWORK_OF_CODE = {cnetaddr.NET_UNROUTABLE: NET_UNROUTABLE, cnetaddr.NET_IPV4: NET_IPV4,
                    cnetaddr.NET_IPV6: NET_IPV6, cnetaddr.NET_TOR: NET_TOR}  # fmt: skip
DEFAULT_PROXY_PORT = 9050


def parse_network(text: str) -> str | None:
    """C++ ParseNetwork: ipv4, ipv6, onion (or tor), any case; None for anything else."""
    name = text.lower()
    if name in ("ipv4", "ipv6"):
        return name
    return NET_TOR if name in ("tor", "onion") else None


def parse_proxy(text: str, randomize: bool) -> Proxy | None:
    """proxyType(CService(text, 9050), randomize): None unless a valid numeric address (never looked up)."""
    host, port = split_host_port(text, DEFAULT_PROXY_PORT)
    ip16 = parse_address(host)
    if not is_valid(ip16) or ip16.startswith(cnetaddr.ONION_CAT):
        return None
    return Proxy(to_string_ip(ip16), port, randomize)


def network_of(ip16: bytes) -> str:
    """C++ CNetAddr::GetNetwork as a name."""
    return _NETWORK_OF_CODE[network_of_address(ip16)]


@dataclass(frozen=True)
class Route:
    """Where one outbound connection goes: dest:port (the text a proxy is sent), and through which proxy."""

    dest: str
    port: int
    network: str
    proxy: Proxy | None
    ip16: bytes | None  # None for a name (C++ addr 0.0.0.0:0)


@dataclass
class NetPolicy:
    """Per-network proxies, the name proxy, the limited networks and -dns."""

    proxies: dict[str, Proxy] = field(default_factory=dict)
    name_proxy: Proxy | None = None
    limited: set[str] = field(default_factory=lambda: {NET_TOR})  # C++ SetLimited(NET_TOR) until a proxy
    name_lookup: bool = True  # C++ fNameLookup (-dns)

    def is_limited(self, network: str) -> bool:
        if network == NET_NAME:  # a name can only lead to ipv4 or ipv6
            return NET_IPV4 in self.limited and NET_IPV6 in self.limited
        return network in self.limited

    def route(self, target: str, default_port: int) -> Route | None:
        """C++ ConnectSocketByName's choice for 'host[:port]'; None when a name may not be resolved (-dns=0)."""
        host, port = split_host_port(target, default_port)
        ip16 = parse_address(host)
        if is_valid(ip16):
            network = network_of(ip16)
            return Route(to_string_ip(ip16), port, network, self.proxies.get(network), ip16)
        if self.name_proxy is not None:
            return Route(host, port, NET_NAME, self.name_proxy, None)
        return Route(host, port, NET_NAME, None, None) if self.name_lookup else None

    def networks_json(self) -> list[dict]:
        """C++ GetNetworksInfo."""
        result = []
        for name in NETWORKS:
            proxy = self.proxies.get(name)
            result.append({"name": name, "limited": name in self.limited, "reachable": name not in self.limited,
                           "proxy": str(proxy) if proxy else "",
                           "proxy_randomize_credentials": bool(proxy and proxy.randomize_credentials)})  # fmt: skip
        return result
