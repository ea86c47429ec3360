"""A peer's orphan transactions leave the orphan pool when the peer disconnects (C++ FinalizeNode: EraseOrphansFor)."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.orphans import OrphanPool
from fluxd.node.block_sync import BlockSync
from fluxd.node.mempool_service import MempoolService


def _orphan(number: int) -> Transaction:
    return Transaction(version=1, vin=(TxIn(OutPoint(bytes([number]) * 32, 0), b"\x51"),), vout=(TxOut(1000, b"\x51"),))


def test_closing_a_peer_erases_only_its_orphans():
    orphans = OrphanPool()
    for number, peer_id in ((1, 7), (2, 7), (3, 8)):
        assert orphans.add(_orphan(number), peer_id)
    relay = SimpleNamespace(orphans=orphans)
    relay.peer_closed = lambda peer_id: MempoolService.peer_closed(relay, peer_id)
    sync = BlockSync(SimpleNamespace(chainstate=SimpleNamespace(tip=None, height=0), params=None), writer=None)
    sync.tx_relay = relay
    sync.schedule_downloads = lambda: None
    sync.on_closed(SimpleNamespace(id=7, in_flight={}, pending_getdata=deque()))
    assert len(orphans) == 1 and _orphan(3).txid_rev in orphans
    assert orphans.by_parent.keys() == {bytes([3]) * 32}
