"""Address manager rules taken from C++ CAddrMan and ThreadOpenConnections."""

from __future__ import annotations

import random

import pytest

from fluxd.p2p.addrman import RETRY_AFTER, AddrMan, PeersFileError
from fluxd.p2p.netaddress import NetAddress

NOW = 1_700_000_000
MAGIC = bytes.fromhex("aae83f5f")
SOURCE = NetAddress.from_host("8.8.4.4", 16125)


def _address(host: str, port: int = 16125) -> NetAddress:
    return NetAddress.from_host(host, port, 1, NOW - 3600)


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.0.7", "0.0.0.0", "::1", "fe80::1"])
def test_add_keeps_no_unroutable_address(host):
    manager = AddrMan()
    assert manager.add([_address(host)], SOURCE, NOW) == 0 and len(manager) == 0


def test_add_keeps_a_routable_address_once():
    manager = AddrMan()
    assert manager.add([_address("8.8.8.8"), _address("8.8.8.8")], SOURCE, NOW) == 1 and len(manager) == 1


def test_good_ignores_an_address_it_never_heard_of():
    manager = AddrMan()
    manager.good(_address("1.1.1.1"), NOW)
    assert len(manager) == 0


def test_good_moves_a_known_address_to_tried():
    manager = AddrMan()
    manager.add([_address("1.1.1.1")], SOURCE, NOW)
    manager.attempt(_address("1.1.1.1"), NOW)
    manager.good(_address("1.1.1.1"), NOW)
    info = manager.entries[_address("1.1.1.1").key]
    assert info.tried and info.attempts == 0 and info.last_success == NOW


def test_select_passes_over_an_address_tried_within_the_retry_delay():
    manager = AddrMan()
    manager.add([_address("1.1.1.1")], SOURCE, NOW)
    assert manager.select(random.Random(1), now=NOW) == _address("1.1.1.1")
    manager.attempt(_address("1.1.1.1"), NOW)
    assert manager.select(random.Random(1), now=NOW + RETRY_AFTER - 1) is None
    assert manager.select(random.Random(1), now=NOW + RETRY_AFTER) == _address("1.1.1.1")


def test_peers_file_round_trip_and_corruption(tmp_path):
    manager = AddrMan()
    manager.add([_address("1.1.1.1"), _address("9.9.9.9", 1234)], SOURCE, NOW)
    manager.good(_address("9.9.9.9", 1234), NOW)
    path = tmp_path / "peers.dat"
    manager.save(path, MAGIC)
    loaded = AddrMan.load(path, MAGIC)
    assert loaded.key == manager.key and loaded.entries == manager.entries
    with pytest.raises(PeersFileError, match="another network"):
        AddrMan.load(path, bytes.fromhex("24c82764"))
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(PeersFileError, match="checksum"):
        AddrMan.load(path, MAGIC)

