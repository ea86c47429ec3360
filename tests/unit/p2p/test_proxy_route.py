"""Which proxy a target uses (C++ ConnectSocketByName / ConnectSocket) and the limited networks."""

from __future__ import annotations

from fluxd.p2p.proxy import NET_IPV4, NET_IPV6, NET_NAME, NET_TOR, NET_UNROUTABLE, NetPolicy, parse_network, parse_proxy
from fluxd.p2p.socks5 import Proxy

PROXY = Proxy("127.0.0.1", 9050, True)
ONION = Proxy("127.0.0.1", 9150, True)


def _policy(**kwargs) -> NetPolicy:
    return NetPolicy(proxies={NET_IPV4: PROXY, NET_IPV6: PROXY, NET_TOR: ONION}, name_proxy=PROXY, limited=set(), **kwargs)


def test_numeric_targets_go_to_their_network_proxy_as_text():
    policy = _policy()
    route = policy.route("1.2.3.4", 16125)
    assert (route.dest, route.port, route.network, route.proxy) == ("1.2.3.4", 16125, NET_IPV4, PROXY)
    route = policy.route("[2001:4860::1]:26125", 16125)
    assert (route.dest, route.port, route.network, route.proxy) == ("2001:4860::1", 26125, NET_IPV6, PROXY)
    assert policy.route("[::ffff:1.2.3.4]:1", 16125).dest == "1.2.3.4"


def test_onion_goes_to_the_onion_proxy_and_names_to_the_name_proxy():
    policy = _policy()
    route = policy.route("abcdefghijklmnop.onion:16125", 1)
    assert (route.dest, route.network, route.proxy) == ("abcdefghijklmnop.onion", NET_TOR, ONION)
    route = policy.route("seed.example.invalid:16125", 1)
    assert (route.dest, route.network, route.proxy, route.ip16) == ("seed.example.invalid", NET_NAME, PROXY, None)
    route = policy.route("tooshort.onion", 1)  # not a valid onion: a name (C++ SetSpecial refuses it)
    assert (route.network, route.proxy) == (NET_NAME, PROXY)


def test_unroutable_addresses_have_no_proxy():
    for target in ("127.0.0.1:5", "10.1.2.3", "192.168.0.1", "[::1]:5", "203.0.113.9"):
        route = _policy().route(target, 16125)
        assert (route.network, route.proxy) == (NET_UNROUTABLE, None), target


def test_names_without_a_name_proxy_follow_dns():
    assert NetPolicy().route("seed.example.invalid", 1).proxy is None
    assert NetPolicy(name_lookup=False).route("seed.example.invalid", 1) is None
    assert NetPolicy(name_lookup=False).route("1.2.3.4", 1).dest == "1.2.3.4"


def test_limited_networks():
    policy = NetPolicy(limited={NET_IPV4, NET_IPV6})
    assert policy.is_limited(NET_IPV4) and policy.is_limited(NET_NAME) and not policy.is_limited(NET_UNROUTABLE)
    assert not NetPolicy(limited={NET_IPV4}).is_limited(NET_NAME)
    assert NetPolicy().is_limited(NET_TOR)


def test_parse_network_and_proxy_as_cpp():
    assert [parse_network(text) for text in ("IPv4", "ipv6", "Tor", "onion", "i2p", "")] == [
        NET_IPV4, NET_IPV6, NET_TOR, NET_TOR, None, None]
    assert parse_proxy("127.0.0.1", True) == Proxy("127.0.0.1", 9050, True)
    assert parse_proxy("[::1]:9051", False) == Proxy("::1", 9051, False)
    assert str(parse_proxy("[::1]:9051", False)) == "[::1]:9051"
    for bad in ("localhost:9050", "0.0.0.0:9050", "127.0.0.1:0", "127.0.0.1:99999", "abcdefghijklmnop.onion", "x"):
        assert parse_proxy(bad, True) is None, bad


def test_networks_json_is_cpp_get_networks_info():
    assert NetPolicy().networks_json() == [
        {"name": "ipv4", "limited": False, "reachable": True, "proxy": "", "proxy_randomize_credentials": False},
        {"name": "ipv6", "limited": False, "reachable": True, "proxy": "", "proxy_randomize_credentials": False},
        {"name": "onion", "limited": True, "reachable": False, "proxy": "", "proxy_randomize_credentials": False},
    ]
    onion = _policy().networks_json()[2]
    assert onion == {"name": "onion", "limited": False, "reachable": True, "proxy": "127.0.0.1:9150",
                     "proxy_randomize_credentials": True}
