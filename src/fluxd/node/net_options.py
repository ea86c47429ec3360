"""-proxy, -onion, -onlynet, -proxyrandomize and -dns as C++ AppInit2 turns them into proxies and limited networks.

Init errors carry the C++ texts, checked in C++ order: "Unknown network
specified in -onlynet: '%s'", "Invalid -proxy address: '%s'", "Invalid
-onion address: '%s'".  (-listenonion=1 and -torcontrol are refused as not
built: there is no Tor control port client.)
"""

from __future__ import annotations

from fluxd.p2p.proxy import NET_IPV4, NET_IPV6, NET_TOR, NetPolicy, parse_network, parse_proxy


class NetOptionError(Exception):
    pass


def _onlynet_limits(args) -> set[str]:
    """C++ SetLimited for every network -onlynet does not name (NET_UNROUTABLE is never limited)."""
    if not args.is_set("-onlynet"):
        return set()
    allowed = set()
    for text in args.get_all("-onlynet"):
        network = parse_network(text)
        if network is None:
            raise NetOptionError(f"Unknown network specified in -onlynet: '{text}'")
        allowed.add(network)
    return {net for net in (NET_IPV4, NET_IPV6, NET_TOR) if net not in allowed}


def net_policy(args) -> NetPolicy:
    """C++ AppInit2 step 3: SetLimited for -onlynet, SetProxy/SetNameProxy for -proxy, -onion/-noonion, -dns."""
    policy = NetPolicy(limited=_onlynet_limits(args), name_lookup=args.get_bool("-dns", True))
    randomize = args.get_bool("-proxyrandomize", True)
    policy.limited.add(NET_TOR)
    proxy_text = args.get("-proxy", "")
    if proxy_text not in ("", "0"):
        proxy = parse_proxy(proxy_text, randomize)
        if proxy is None:
            raise NetOptionError(f"Invalid -proxy address: '{proxy_text}'")
        policy.proxies = {NET_IPV4: proxy, NET_IPV6: proxy, NET_TOR: proxy}
        policy.name_proxy = proxy
        policy.limited.discard(NET_TOR)  # -proxy makes onion reachable unless -noonion
    onion_text = args.get("-onion", "")
    if onion_text == "0":
        policy.limited.add(NET_TOR)
    elif onion_text != "":
        onion = parse_proxy(onion_text, randomize)
        if onion is None:
            raise NetOptionError(f"Invalid -onion address: '{onion_text}'")
        policy.proxies[NET_TOR] = onion
        policy.limited.discard(NET_TOR)
    return policy
