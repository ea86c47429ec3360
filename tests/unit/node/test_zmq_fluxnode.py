"""The fluxnode ZMQ bodies (C++ zmqpublishnotifier.cpp SendDelta / fluxnodestatus): the list module's touched
collaterals, the delta against the last one, the byte layout read back with a parser of the test's own."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from fluxd.chainstate.fluxnodes.records import CONFIRMED
from fluxd.core.tx_parts import OutPoint
from fluxd.node.zmq_fluxnode import DeltaTracker, StatusTracker
from tests.unit.fluxnodes.list_harness import ListHarness, era_params

START = 2_000


@dataclass(frozen=True)
class Tip:
    height: int

    @property
    def hash_rev(self) -> bytes:
        return bytes([self.height & 0xFF]) * 31 + b"\x01"


def _compact(data: bytes, at: int) -> tuple[int, int]:
    first = data[at]
    if first < 0xFD:
        return first, at + 1
    size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    return int.from_bytes(data[at + 1:at + 1 + size], "little"), at + 1 + size


def _bytes(data: bytes, at: int) -> tuple[bytes, int]:
    size, at = _compact(data, at)
    return data[at:at + size], at + size


def _outpoint(data: bytes, at: int) -> tuple[str, int]:
    return f"{data[at:at + 32].hex()}:{struct.unpack_from('<I', data, at + 32)[0]}", at + 36


def parse_delta(body: bytes) -> dict:
    """The layout of C++ SendDelta, read independently of the encoder."""
    from_height, to_height = struct.unpack_from("<II", body)
    result = {"from": (from_height, body[8:40].hex()), "to": (to_height, body[40:72].hex()), "reorg": body[72] & 1}
    at = 73
    for name in ("added", "removed", "updated"):
        count, at = _compact(body, at)
        entries = []
        for _ in range(count):
            outpoint, at = _outpoint(body, at)
            if name == "removed":
                entries.append(outpoint)
                continue
            collateral_pubkey, at = _bytes(body, at)
            pubkey, at = _bytes(body, at)
            confirmed, last_paid = struct.unpack_from("<II", body, at)
            tier, status = body[at + 8], body[at + 9]
            ip, at = _bytes(body, at + 10)
            entries.append((outpoint, collateral_pubkey, pubkey, confirmed, last_paid, tier, status, ip.decode()))
        result[name] = entries
    assert at == len(body)
    return result


def _key(outpoint: OutPoint) -> str:
    return f"{outpoint.txid_hum}:{outpoint.n}"


class Delta:
    """A harness whose module logs its changes, and a tracker fed as the ZMQ service feeds it."""

    def __init__(self) -> None:
        self.harness = ListHarness(era_params(), START)
        self.harness.module.track_changes()
        self.tracker = DeltaTracker()
        self.tracker.load(list(self.harness.list().confirmed()))
        self.tracker.start(Tip(START), {})
        self.changed: dict = {}

    def event(self) -> None:
        """A chain event for the block connected or disconnected last (the harness's blocks: one per height)."""
        height = self.harness.height + (1 if self._disconnected else 0)
        self.changed.update(self.harness.module.take_changes(height.to_bytes(32, "little")))

    _disconnected = False

    def connect(self, *txs) -> None:
        self.harness.connect(*txs)
        self._disconnected = False
        self.event()

    def disconnect(self) -> None:
        self.harness.disconnect()
        self._disconnected = True
        self.event()

    def next(self, reorg_from=None) -> dict:
        changed, self.changed = self.changed, {}
        if reorg_from is not None:
            self.tracker.on_reorg(reorg_from)
        body, _ = self.tracker.body(Tip(self.harness.height), Tip(self.tracker.last_height), changed)
        return parse_delta(body)


def test_changes_are_only_logged_while_asked_for_and_given_per_block():
    harness = ListHarness(era_params(), START)
    node = harness.new_node()
    harness.connect(node.start())
    assert harness.module.take_changes((START + 1).to_bytes(32, "little")) == {}
    harness.module.track_changes()
    harness.connect(node.confirm())
    harness.connect()
    module = harness.module
    confirmed = module.take_changes((START + 2).to_bytes(32, "little"))[node.collateral]
    assert confirmed.status == CONFIRMED and confirmed.last_paid_height == 0
    assert module.take_changes((START + 3).to_bytes(32, "little"))[node.collateral].last_paid_height == START + 3
    harness.disconnect()
    assert module.take_changes((START + 3).to_bytes(32, "little"))[node.collateral].last_paid_height == 0
    harness.connect()
    harness.connect()
    assert list(module.take_changes((START + 4).to_bytes(32, "little"))) == [node.collateral]  # START + 3's dropped
    assert module.take_changes((START + 3).to_bytes(32, "little")) == {}


def test_delta_lists_confirmed_nodes_added_updated_and_removed_as_cxx_lays_them_out():
    delta = Delta()
    harness = delta.harness
    first, second = harness.new_node(), harness.new_node()
    delta.connect(first.start(), second.start())
    started = delta.next()
    assert started["added"] == started["removed"] == started["updated"] == [] and started["reorg"] == 0
    assert started["from"] == (START, Tip(START).hash_rev[::-1].hex()) and started["to"][0] == START + 1

    delta.connect(first.confirm(ip="1.2.3.4:16125"), second.confirm(ip="5.6.7.8"))
    added = delta.next()
    assert [entry[0] for entry in added["added"]] == [
        _key(node.collateral) for node in sorted((first, second), key=lambda node: node.collateral.txid_rev)]
    by_key = {entry[0]: entry for entry in added["added"]}
    assert by_key[_key(first.collateral)] == (_key(first.collateral), first.owner.pubkey, first.operator.pubkey,
                                              START + 2, 0, 1, CONFIRMED, "1.2.3.4:16125")  # fmt: skip

    delta.connect()  # pays one of them: updated with its last paid height
    (paid,) = delta.next()["updated"]
    assert paid[4] == START + 3

    delta.disconnect()  # the payment undone, as after invalidateblock
    undone = delta.next(reorg_from=Tip(START + 3))
    assert undone["reorg"] == 1 and undone["from"] == (START + 3, Tip(START + 3).hash_rev[::-1].hex())
    assert [entry[4] for entry in undone["updated"]] == [0] and undone["to"][0] == START + 2
    delta.disconnect()  # the confirms undone: both removed
    assert sorted(delta.next()["removed"]) == sorted(_key(node.collateral) for node in (first, second))


def test_a_node_confirmed_and_paid_between_two_deltas_is_added_with_its_latest_record():
    delta = Delta()
    harness = delta.harness
    node = harness.new_node()
    delta.connect(node.start())
    delta.connect(node.confirm())
    delta.connect()
    (entry,) = delta.next()["added"]
    assert entry[3:5] == (START + 2, START + 3)
    delta.disconnect()
    delta.connect()  # paid again in a block of the same height: updated with the same record, as C++
    assert [updated[3:5] for updated in delta.next(reorg_from=Tip(START + 3))["updated"]] == [(START + 2, START + 3)]


def test_status_is_sent_at_the_first_tip_and_then_only_on_a_change():
    harness = ListHarness(era_params(), START)
    node = harness.new_node()
    status = StatusTracker()
    body, fields = status.body(START, node.collateral, None)
    assert body[4] == 5 and body[5] == 0 and body[-1] == 0  # expired: in no list; empty ip
    assert body[18:50] == node.collateral.txid_rev[::-1] and len(body) == 4 + 2 + 12 + 36 + 1
    status.sent(fields)
    assert status.body(START + 1, node.collateral, None) is None
    harness.connect(node.start())
    body, fields = status.body(START + 1, node.collateral, harness.list().get(node.collateral))
    assert (body[4], body[5]) == (1, 1) and struct.unpack_from("<I", body)[0] == START + 1
    harness.connect(node.confirm(ip="9.9.9.9"))
    body, _ = status.body(START + 2, node.collateral, harness.list().get(node.collateral))  # not marked sent
    assert body[4] == 3 and struct.unpack_from("<III", body, 6) == (START + 2, START + 2, 0) and body.endswith(b"\x079.9.9.9")
