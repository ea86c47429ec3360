"""-proxy, -onion, -onlynet, -proxyrandomize, -dns as C++ AppInit2 reads them, with its init errors."""

from __future__ import annotations

import pytest

from fluxd.node.net_options import NetOptionError, net_policy
from fluxd.p2p.proxy import NET_IPV4, NET_IPV6, NET_TOR
from fluxd.p2p.socks5 import Proxy
from fluxd.util.args import parse_parameters


def _policy(*argv):
    return net_policy(parse_parameters(list(argv)))


def test_defaults_no_proxy_onion_limited():
    policy = _policy()
    assert policy.proxies == {} and policy.name_proxy is None and policy.limited == {NET_TOR} and policy.name_lookup


def test_proxy_for_every_network_and_names():
    policy = _policy("-proxy=127.0.0.1:9999")
    proxy = Proxy("127.0.0.1", 9999, True)
    assert policy.proxies == {NET_IPV4: proxy, NET_IPV6: proxy, NET_TOR: proxy} and policy.name_proxy == proxy
    assert policy.limited == set()
    assert _policy("-proxy=127.0.0.1", "-proxyrandomize=0").name_proxy == Proxy("127.0.0.1", 9050, False)
    assert _policy("-noproxy").proxies == {} and _policy("-proxy=").proxies == {}


def test_onion_and_noonion():
    policy = _policy("-onion=127.0.0.1:9150")
    assert policy.proxies == {NET_TOR: Proxy("127.0.0.1", 9150, True)} and policy.name_proxy is None
    assert policy.limited == set()
    policy = _policy("-proxy=127.0.0.1:9050", "-noonion")
    assert NET_TOR in policy.limited and policy.proxies[NET_TOR] == Proxy("127.0.0.1", 9050, True)
    assert _policy("-proxy=127.0.0.1:9050", "-onion=127.0.0.2:1").proxies[NET_TOR] == Proxy("127.0.0.2", 1, True)


def test_onlynet_limits_the_other_networks():
    assert _policy("-onlynet=onion", "-onion=127.0.0.1").limited == {NET_IPV4, NET_IPV6}
    assert _policy("-onlynet=onion").limited == {NET_IPV4, NET_IPV6, NET_TOR}  # no proxy: onion unreachable too
    assert _policy("-onlynet=ipv4", "-onlynet=IPv6").limited == {NET_TOR}
    assert _policy("-onlynet=tor", "-proxy=127.0.0.1").limited == {NET_IPV4, NET_IPV6}


def test_dns():
    assert not _policy("-dns=0").name_lookup and not _policy("-nodns").name_lookup


@pytest.mark.parametrize("argv, message", [
    (["-onlynet=i2p"], "Unknown network specified in -onlynet: 'i2p'"),
    (["-onlynet=ipv4", "-onlynet=bogus", "-proxy=x"], "Unknown network specified in -onlynet: 'bogus'"),
    (["-proxy=localhost:9050"], "Invalid -proxy address: 'localhost:9050'"),
    (["-proxy=127.0.0.1:0"], "Invalid -proxy address: '127.0.0.1:0'"),
    (["-proxy=tor", "-onion=bad"], "Invalid -proxy address: 'tor'"),
    (["-onion=tor.example:9050"], "Invalid -onion address: 'tor.example:9050'"),
])
def test_init_errors_are_cpp(argv, message):
    with pytest.raises(NetOptionError) as caught:
        _policy(*argv)
    assert str(caught.value) == message


def test_listen_default_follows_cpp_parameter_interactions():
    from fluxd.node.net_service import connect_targets, listen_default

    def default(*argv):
        args = parse_parameters(list(argv))
        return listen_default(args, connect_targets(args))
    assert default() is True
    assert default("-proxy=127.0.0.1:9050") is False and default("-noproxy") is False
    assert default("-connect=127.0.0.1") is False and default("-noconnect") is False
    assert default("-proxy=127.0.0.1:9050", "-bind=127.0.0.1") is True
