"""C++ CNetAddr(ip, no lookup).GetNetwork() and SplitHostPort, as the fluxnode RPCs use them."""

from __future__ import annotations

import base64

import pytest

from fluxd.p2p.cnetaddr import (
    NET_IPV4,
    NET_IPV6,
    NET_TOR,
    NET_UNROUTABLE,
    host_without_port,
    network_name,
    network_of,
    parse_address,
)


@pytest.mark.parametrize("text, host", [
    ("1.2.3.4:16125", "1.2.3.4"), ("1.2.3.4", "1.2.3.4"), ("[2a01::1]:16125", "2a01::1"), ("[2a01::1]", "2a01::1"),
    ("2a01::1", "2a01::1"), ("2a01::1:80", "2a01::1:80"),  # several colons, not bracketed: no port
    ("1.2.3.4:0", "1.2.3.4:0"), ("1.2.3.4:65536", "1.2.3.4:65536"), ("1.2.3.4:65535", "1.2.3.4"),
    ("1.2.3.4:+80", "1.2.3.4"), ("1.2.3.4: 80", "1.2.3.4: 80"), ("1.2.3.4:", "1.2.3.4:"), (":80", ""),
    ("host.onion:9050", "host.onion"), ("", ""), ("[", "["), ("[]", ""),
])  # fmt: skip
def test_host_without_port_is_split_host_port(text, host):
    assert host_without_port(text) == host


@pytest.mark.parametrize("text, network", [
    ("65.109.63.147", NET_IPV4), ("65.109.63.147:16147", NET_UNROUTABLE), ("::ffff:65.109.63.147", NET_IPV4),
    ("2a01:4f8:c17:1::2", NET_IPV6), ("[2a01:4f8:c17:1::2]", NET_IPV6), ("[2a01:4f8:c17:1::2]:16125", NET_UNROUTABLE),
    ("expyuzz4wqqyqhjn.onion", NET_TOR), ("EXPYUZZ4WQQYQHJN.onion", NET_TOR), ("expyuzz4wqqyqhjna.onion", NET_TOR),
    ("expyuzz4wqqyqhj.onion", NET_UNROUTABLE), ("expyuzz4wqqyqhjnaa.onion", NET_UNROUTABLE),
    ("vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion", NET_UNROUTABLE),  # v3: 35 bytes, not 10
    ("example.com", NET_UNROUTABLE), ("", NET_UNROUTABLE), ("65.109.63.147\x00junk", NET_IPV4),
])  # fmt: skip
def test_network_of_parses_without_lookup(text, network):
    assert network_of(text) == network


@pytest.mark.parametrize("ip", [
    "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "198.18.0.1", "198.19.0.1", "169.254.1.1",
    "100.64.0.1", "100.127.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.1", "127.0.0.1", "0.1.2.3",
    "0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "fd00::1", "2001:db8::1", "2001:10::1",
])  # fmt: skip
def test_special_ranges_are_unroutable(ip):
    assert network_of(ip) == NET_UNROUTABLE and network_name(ip) == ""


@pytest.mark.parametrize("ip, name", [
    ("172.15.0.1", "ipv4"), ("172.32.0.1", "ipv4"), ("100.63.0.1", "ipv4"), ("100.128.0.1", "ipv4"),
    ("192.0.3.1", "ipv4"), ("8.8.8.8", "ipv4"), ("fe80:0:0:1::1", "ipv6"), ("2001:20::1", "ipv6"), ("2a00::1", "ipv6"),
])  # fmt: skip
def test_neighbours_of_special_ranges_are_routable(ip, name):
    assert network_name(ip) == name


def test_onion_address_is_onioncat_prefixed():
    assert parse_address("expyuzz4wqqyqhjn.onion") == bytes.fromhex("fd87d87eeb43") + base64.b32decode("EXPYUZZ4WQQYQHJN")
    assert parse_address("junk") == bytes(16)
