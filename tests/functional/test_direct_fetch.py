"""Direct fetch (C++ ProcessMessage "inv", CanDirectFetch): a block announced by inv when our best header is less than
20 target spacings old is asked for at once (getheaders, then getdata); further from the tip only the headers are."""

from __future__ import annotations

import pytest

from fluxd.p2p.messages import GetData, GetHeaders, Inv, InvItem
from fluxd.p2p.protocol import MSG_BLOCK
from tests.functional.framework import NodeProcess
from tests.functional.p2p_peer import RawPeer

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
START_TIME = 1_600_000_000


@pytest.fixture
def announced(tmp_path):
    """A block mined on a node of its own (never connected), and a second node at the same height -1."""
    source = NodeProcess(tmp_path / "source", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    target = NodeProcess(tmp_path / "target", ["-nuparams=pon:1000", "-listen=1"]).start()
    try:
        source.rpc("setmocktime", START_TIME)
        new_hash = source.rpc("generate", 1)[0]
        yield target, bytes.fromhex(new_hash)[::-1]
    finally:
        target.stop()
        source.stop()


def _announce(target, hash_rev: bytes) -> list:
    peer = RawPeer(target.p2p_port)
    try:
        peer.handshake()
        peer.send(Inv([InvItem(MSG_BLOCK, hash_rev)]))
        headers = peer.wait_for(GetHeaders, predicate=lambda m: m.hash_stop == hash_rev)
        try:
            getdata = peer.wait_for(GetData, timeout=3, predicate=lambda m: any(i.hash_rev == hash_rev for i in m.items))
        except TimeoutError:
            getdata = None
        return [headers, getdata]
    finally:
        peer.close()


def test_a_block_announced_near_the_tip_is_fetched_at_once(announced):
    target, hash_rev = announced
    genesis_time = target.rpc("getblockheader", target.rpc("getblockhash", 0))["time"]
    target.rpc("setmocktime", genesis_time + 600)  # the best header (genesis) is 10 minutes old: < 20 x 120 s
    headers, getdata = _announce(target, hash_rev)
    assert headers is not None and getdata is not None
    assert [(item.type, item.hash_rev) for item in getdata.items] == [(MSG_BLOCK, hash_rev)]


def test_far_from_the_tip_only_the_headers_are_asked_for(announced):
    target, hash_rev = announced  # its clock is now: the genesis header is years old
    headers, getdata = _announce(target, hash_rev)
    assert headers is not None and getdata is None
