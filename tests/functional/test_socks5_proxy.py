"""-proxy, -onion, -onlynet, -proxyrandomize with real fluxd processes and the loopback SOCKS5 stand-in.

Every "public" target here is a multicast address (224.0.0.0/4, ff00::/8):
C++ calls it routable, so it goes to the proxy, and should anything dial
it directly the kernel refuses a TCP connect to it (ENETUNREACH) before a
packet leaves.  Names are given with -dns=0, so a local lookup can never
happen either: all traffic stays on loopback.
"""

from __future__ import annotations

import socket

import pytest

from tests.functional.framework import NodeProcess, run_refused, sync_blocks, wait_until
from tests.functional.socks5_server import ATYP_DOMAINNAME, METHOD_NONE, Socks5Server

ONION = "abcdefghijklmnop.onion"
NAME = "seed.example.invalid"
MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
START_TIME = 1_600_000_000
REGTEST_PORT = 26126  # a -connect target without a port gets the default one


class ProxiedNode(NodeProcess):
    """A node without the framework's -listen=0, so -proxy's own -listen default shows."""

    def command(self) -> list[str]:
        return [part for part in super().command() if part != "-listen=0"]


@pytest.fixture
def proxy():
    with Socks5Server() as server:
        yield server


def _start(path, proxy_args, *args) -> NodeProcess:
    return ProxiedNode(path, ["-dns=0", "-dnsseed=0", *proxy_args, *args]).start()


def _networks(node) -> dict:
    return {entry["name"]: entry for entry in node.rpc("getnetworkinfo")["networks"]}


def _listens(node) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", node.p2p_port)) == 0


def test_every_outbound_connection_goes_through_the_proxy(tmp_path, proxy):
    targets = ["224.1.2.3:16125", f"{ONION}:16125", f"{NAME}:16125", "[ff0e::7]:16125"]
    node = _start(tmp_path / "n", [f"-proxy={proxy.address}"], *[f"-addnode={target}" for target in targets])
    try:
        records = proxy.wait_for(lambda record: True, count=4, timeout=30)
        seen = {(record.atyp, record.host, record.port) for record in records}
        assert seen == {(ATYP_DOMAINNAME, host, 16125) for host in ("224.1.2.3", ONION, NAME, "ff0e::7")}
        credentials = [(record.username, record.password) for record in records]
        assert all(user and user.isdigit() and password.isdigit() for user, password in credentials)
        assert len(set(credentials)) == len(credentials)  # -proxyrandomize (default 1): new credentials each time
        assert not _listens(node)  # -proxy set -> -listen=0
        expected = {"limited": False, "reachable": True, "proxy": proxy.address, "proxy_randomize_credentials": True}
        assert _networks(node) == {name: {"name": name, **expected} for name in ("ipv4", "ipv6", "onion")}
        assert node.rpc("getinfo")["proxy"] == proxy.address
        log = (node.net_dir / "debug.log").read_text()
        assert f"SOCKS5 connecting {ONION}" in log and "ERROR: Proxy error: connection refused" in log
        assert "failed after select()" not in log  # nothing dialled directly
    finally:
        node.stop()


def test_connect_targets_go_through_the_proxy_without_credentials(tmp_path, proxy):
    node = _start(tmp_path / "n", [f"-proxy={proxy.address}", "-proxyrandomize=0"],
                  "-connect=224.9.9.9", f"-connect={NAME}:26125", "-addnode=224.1.1.1:16125")
    try:
        records = proxy.wait_for(lambda record: True, count=2, timeout=30)
        assert {(record.host, record.port) for record in records} >= {("224.9.9.9", REGTEST_PORT), (NAME, 26125)}
        assert all(record.methods == (METHOD_NONE,) and record.username is None for record in records)
        assert "224.1.1.1" not in {record.host for record in proxy.snapshot()}  # -connect: no added nodes
        assert _networks(node)["ipv4"]["proxy_randomize_credentials"] is False
    finally:
        node.stop()


def test_onlynet_onion_dials_nothing_but_onions(tmp_path, proxy):
    node = _start(tmp_path / "n", [f"-proxy={proxy.address}", "-onlynet=onion"],
                  "-addnode=224.1.2.3:16125", "-addnode=[ff0e::7]:16125", f"-addnode={NAME}:16125", f"-addnode={ONION}:16125")
    try:
        proxy.wait_for(lambda record: record.host == ONION, count=2, timeout=30)  # two rounds of added nodes
        assert {record.host for record in proxy.snapshot()} == {ONION}
        networks = _networks(node)
        assert networks["ipv4"] == {"name": "ipv4", "limited": True, "reachable": False, "proxy": proxy.address,
                                    "proxy_randomize_credentials": True}
        assert networks["ipv6"]["limited"] is True and networks["onion"]["reachable"] is True
        log = (node.net_dir / "debug.log").read_text()
        assert "connection to 224.1.2.3:16125 not attempted: network ipv4 is not reachable" in log
    finally:
        node.stop()


def test_a_node_syncs_blocks_through_the_proxy(tmp_path):
    source = NodeProcess(tmp_path / "a", ["-nuparams=pon:1000", f"-mineraddress={MINER}", "-listen=1",
                                          "-bind=127.0.0.1", "-dnsseed=0"]).start()
    relay = {(ONION, 16125): ("127.0.0.1", source.p2p_port), ("224.1.2.3", 16125): ("127.0.0.1", source.p2p_port)}
    with Socks5Server(relay=relay) as proxy:
        node = None
        try:
            source.rpc("setmocktime", START_TIME)
            for step in range(12):
                source.rpc("setmocktime", START_TIME + 600 * (step + 1))
                source.rpc("generate", 1)
            node = _start(tmp_path / "b", [f"-onion={proxy.address}", "-onlynet=onion"], f"-addnode={ONION}:16125",
                          "-addnode=224.1.2.3:16125", "-nuparams=pon:1000")
            node.rpc("setmocktime", START_TIME + 600 * 12)
            sync_blocks([source, node], timeout=120)
            assert node.rpc("getblockcount") == 12
            peers = node.rpc("getpeerinfo")
            assert [peer["addr"] for peer in peers] == [f"{ONION}:16125"]
            assert {record.host for record in proxy.snapshot()} == {ONION}
            networks = _networks(node)
            assert networks["onion"]["proxy"] == proxy.address and networks["ipv4"]["proxy"] == ""
            wait_until(lambda: source.rpc("getconnectioncount") == 1, 30)
        finally:
            if node is not None:
                node.stop()
            source.stop()


@pytest.mark.parametrize("option, message", [
    ("-onlynet=i2p", "Unknown network specified in -onlynet: 'i2p'"),
    ("-proxy=localhost:9050", "Invalid -proxy address: 'localhost:9050'"),
    ("-onion=tor.example:9050", "Invalid -onion address: 'tor.example:9050'"),
    ("-listenonion=1", "-listenonion is not supported by this node"),
    ("-torcontrol=127.0.0.1:9051", "-torcontrol is not supported by this node"),
])  # fmt: skip
def test_bad_values_refuse_to_start_with_the_cpp_error(tmp_path, option, message):
    result = run_refused(tmp_path / "d", ["-regtest"], option)
    assert result.returncode == 1 and result.stderr == f"Error: {message}\n"


def test_listenonion_0_is_accepted(tmp_path):
    node = NodeProcess(tmp_path / "n", ["-listenonion=0", "-dnsseed=0"]).start()
    try:
        assert _networks(node)["onion"] == {"name": "onion", "limited": True, "reachable": False, "proxy": "",
                                            "proxy_randomize_credentials": False}
    finally:
        node.stop()
