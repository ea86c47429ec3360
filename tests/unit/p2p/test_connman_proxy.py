"""The connection manager dials through its proxies: DNS seeds as one-shot names, limited networks never."""

from __future__ import annotations

import asyncio

from fluxd.p2p.connman import ConnectionManager
from fluxd.p2p.proxy import NET_IPV4, NET_IPV6, NET_TOR, NetPolicy
from fluxd.p2p.socks5 import Proxy
from tests.functional.socks5_server import ATYP_DOMAINNAME, Socks5Server


class _Handler:
    def start_height(self) -> int:
        return 0

    def min_peer_version(self) -> int:
        return 0

    def on_handshake(self, peer) -> None:
        pass

    def on_message(self, peer, message) -> None:
        pass

    def on_closed(self, peer) -> None:
        pass


def _connman(tmp_path, proxy: Socks5Server, limited=(), seeds=()) -> ConnectionManager:
    socks = Proxy("127.0.0.1", proxy.port, True)
    policy = NetPolicy(proxies={NET_IPV4: socks, NET_IPV6: socks, NET_TOR: socks}, name_proxy=socks,
                       limited=set(limited), name_lookup=False)
    return ConnectionManager(magic=b"\xaa\xe8\x3f\x5f", default_port=16125, handler=_Handler(), data_dir=tmp_path,
                             local_services=1, user_agent="/t/", listen=False, connect_only=[], seeds=list(seeds),
                             policy=policy)


def test_dns_seeds_are_one_shot_names_through_the_proxy(tmp_path):
    async def run(proxy):
        connman = _connman(tmp_path, proxy, seeds=["seed.example.invalid"])
        connman.connect_only = None  # seeds are only asked without -connect
        await connman.start()
        for _ in range(100):
            if proxy.snapshot():
                break
            await asyncio.sleep(0.05)
        await connman.stop()

    with Socks5Server() as proxy:
        asyncio.run(run(proxy))
        records = proxy.snapshot()
    assert [(record.atyp, record.host, record.port) for record in records] == [(ATYP_DOMAINNAME, "seed.example.invalid", 16125)]


def test_limited_networks_are_never_dialled(tmp_path):
    async def run(proxy):
        connman = _connman(tmp_path, proxy, limited={NET_IPV4, NET_IPV6})
        results = [await connman.connect(target, "manual") for target in
                   ("224.1.2.3:16125", "[ff0e::1]:16125", "seed.example.invalid", "abcdefghijklmnop.onion")]
        return results

    with Socks5Server() as proxy:
        assert asyncio.run(run(proxy)) == [None] * 4
        assert [record.host for record in proxy.snapshot()] == ["abcdefghijklmnop.onion"]
