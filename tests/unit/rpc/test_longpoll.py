"""getblocktemplate long polling: the longpollid format and when a wait ends (C++ rpc/mining.cpp)."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from fluxd.params.networks import regtest_params
from fluxd.rpc import longpoll
from fluxd.rpc.context import NodeContext
from fluxd.rpc.errors import RPCError
from fluxd.util.args import Args

TIP = bytes(range(32))
OTHER = bytes(32)


def fake_node(tip: bytes = TIP) -> NodeContext:
    context = NodeContext(args=Args(), params=regtest_params(), net_dir=Path("unused"))
    context.chainstate = SimpleNamespace(tip=SimpleNamespace(hash_rev=tip), listeners=[])
    context.attach_tip_signal()
    return context


class FakeClock:
    """Moves 30 seconds on every reading, so each minute check comes after two readings."""

    def __init__(self) -> None:
        self.time = 0.0
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        self.time += 30
        return self.time


def test_parse_longpollid():
    hum = TIP[::-1].hex()
    assert longpoll.parse_longpollid(hum + "42", OTHER, 7) == (TIP, 42)
    assert longpoll.parse_longpollid(hum + "x1", OTHER, 7) == (TIP, 0)  # atoi64 of a non-number
    assert longpoll.parse_longpollid(hum, OTHER, 7) == (TIP, 0)
    assert longpoll.parse_longpollid(5, OTHER, 7) == (OTHER, 7)  # not a string: watch the current tip and counter
    with pytest.raises(RPCError) as failure:
        longpoll.parse_longpollid("abc", OTHER, 7)
    assert failure.value.code == -1


def test_a_different_tip_returns_at_once():
    node = fake_node()
    longpoll.wait_for_change(node, OTHER, 0, lambda: 0)
    assert node.chainstate.listeners == [node.tip_signal]


def test_a_changed_mempool_counts_only_after_a_minute():
    node, clock = fake_node(), FakeClock()
    longpoll.wait_for_change(node, TIP, 3, lambda: 4, monotonic=clock)
    assert clock.time >= 60 + 30


def test_an_unchanged_mempool_keeps_waiting_until_the_tip_moves():
    node, clock = fake_node(), FakeClock()
    counter_reads = []

    def counter() -> int:
        counter_reads.append(clock.time)
        if len(counter_reads) == 3:  # C++ looks again every 10 seconds; then a block arrives
            node.chainstate.tip = SimpleNamespace(hash_rev=OTHER)
        return 3

    longpoll.wait_for_change(node, TIP, 3, counter, monotonic=clock)
    assert len(counter_reads) == 3


def test_a_block_wakes_the_waiter_and_shutdown_ends_it(monkeypatch):
    monkeypatch.setattr(longpoll, "WAKE_INTERVAL", 3600.0)  # only the signal can end this wait
    node = fake_node()
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (longpoll.wait_for_change(node, TIP, 0, lambda: 0), done.set()))
    waiter.start()
    with node.tip_signal.condition:  # the waiter holds the condition until it waits
        node.chainstate.tip = SimpleNamespace(hash_rev=OTHER)
    for listener in node.chainstate.listeners:
        listener("connect", None, None)
    waiter.join(30)
    assert done.is_set()
    node.request_shutdown("test")
    with pytest.raises(RPCError) as failure:
        longpoll.wait_for_change(node, TIP, 0, lambda: 0)
    assert (failure.value.code, failure.value.message) == (-9, "Shutting down")
