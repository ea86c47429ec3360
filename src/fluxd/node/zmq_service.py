"""-zmqpub<topic>=<address>: ZeroMQ PUB sockets fed from chain and mempool events (C++ src/zmq/).

The chain writer and the mempool only put events on a queue; one publisher thread builds the bodies
and sends them, so a slow or absent subscriber never holds up a block.  Notifiers on the same address
share one socket (C++ mapPublishNotifiers); each keeps its own sequence number.  As in C++, if any
address cannot be bound no notifier runs (CreateWithArguments gives no interface) and the node goes on.
-zmqpubfluxnodelistdelta is refused at start-up (options.NOT_BUILT): its delta records are not kept here.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

import zmq

from fluxd.node.zmq_messages import BLOCK_TOPICS, TOPICS, TX_TOPICS, TipEvents, block_body, chainreorg_body, frames
from fluxd.node.zmq_messages import publish_log_line, tx_body
from fluxd.rpc.context import NodeContext

log = logging.getLogger("fluxd.zmq")


@dataclass(eq=False)
class Notifier:
    topic: str
    address: str
    socket: object = None
    sequence: int = 0

    def send(self, body: bytes) -> bool:
        try:
            self.socket.send_multipart(frames(self.topic, body, self.sequence))
        except zmq.ZMQError as exc:
            log.debug("zmq: Error: Unable to send ZMQ msg, errno=%s", exc.strerror)
            return False
        self.sequence += 1  # C++: incremented after sending
        return True


def configured_notifiers(args) -> list[Notifier]:
    """The notifiers asked for, in C++ order (its factory map is sorted by name)."""
    return [Notifier(TOPICS[option], args.get(option)) for option in sorted(TOPICS) if args.is_set(option)]


def bind_notifiers(zmq_context, notifiers: list[Notifier]) -> dict | None:
    """C++ CZMQNotificationInterface::Initialize: a socket per address, reused by later notifiers; None on failure."""
    sockets: dict[str, object] = {}
    for notifier in notifiers:
        if notifier.address in sockets:
            log.debug("zmq: Reusing socket for address %s", notifier.address)
        else:
            socket = zmq_context.socket(zmq.PUB)
            try:
                socket.bind(notifier.address)
            except zmq.ZMQError as exc:
                log.debug("zmq: Error: Failed to bind address, errno=%s", exc.strerror)
                log.debug("  Notifier %s failed (address = %s)", "pub" + notifier.topic, notifier.address)
                socket.close(linger=0)
                _close_all(sockets)
                return None
            sockets[notifier.address] = socket
        notifier.socket = sockets[notifier.address]
        log.debug("  Notifier %s ready (address = %s)", "pub" + notifier.topic, notifier.address)
    return sockets


def _close_all(sockets: dict) -> None:
    for socket in sockets.values():
        socket.close(linger=0)


class ZmqService:
    warmup_text = "Done loading"

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.notifiers: list[Notifier] = []
        self.sockets: dict = {}
        self.zmq_context = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.tip_events = TipEvents()

    async def start(self) -> None:
        notifiers = configured_notifiers(self.context.args)
        if not notifiers:
            return
        log.debug("zmq: Initialize notification interface")
        self.zmq_context = zmq.Context(1)
        sockets = bind_notifiers(self.zmq_context, notifiers)
        if sockets is None:
            log.warning("zmq: notifications disabled: a -zmqpub address could not be bound (debug=zmq for details)")
            self.zmq_context.term()
            self.zmq_context = None
            return
        self.notifiers, self.sockets = notifiers, sockets
        self.thread = threading.Thread(target=self._run, name="zmqpublish", daemon=True)
        self.thread.start()
        self.context.chainstate.listeners.append(self.chain_event)
        if self.context.mempool is not None and any(n.topic in TX_TOPICS for n in notifiers):
            self.context.mempool.listeners.append(self.pool_event)

    async def stop(self) -> None:
        if self.thread is None:
            return
        log.debug("zmq: Shutdown notification interface")
        self._detach()
        self.queue.put(None)
        self.thread.join(timeout=10)
        self.thread = None

    def _detach(self) -> None:
        for listeners, callback in ((self.context.chainstate.listeners, self.chain_event),
                                    (getattr(self.context.mempool, "listeners", []), self.pool_event)):
            if callback in listeners:
                listeners.remove(callback)

    # ----- event sources (chain writer, mempool callers): queue only -----------------------------
    def chain_event(self, event: str, entry, block) -> None:
        chainstate = self.context.chainstate
        signals = self.tip_events.on_chain_event(
            event, entry, block, chainstate.view().tip, chainstate.is_initial_block_download()
        )
        for signal in signals:
            self.queue.put(signal)

    def pool_event(self, event: str, entry) -> None:
        if event == "added":  # C++ NotifyRecentlyAdded: SyncTransaction(tx, NULL)
            self.queue.put(("tx", entry.tx))

    # ----- the publisher thread ------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while (signal := self.queue.get()) is not None:
                try:
                    self._publish(signal)
                except Exception:  # a bad event must not stop the notifications
                    log.exception("zmq: publishing %s failed", signal[0])
        finally:
            self._shutdown_sockets()

    def _publish(self, signal: tuple) -> None:
        kind = signal[0]
        for notifier in list(self.notifiers):
            body = self._body(notifier.topic, kind, signal)
            if body is None:
                continue
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s", publish_log_line(notifier.topic, signal))
            if not notifier.send(body):
                self.notifiers.remove(notifier)  # C++ shuts a failing notifier down and drops it

    @staticmethod
    def _body(topic: str, kind: str, signal: tuple) -> bytes | None:
        if kind == "tx" and topic in TX_TOPICS:
            return tx_body(topic, signal[1])
        if kind == "block" and topic in BLOCK_TOPICS:
            return block_body(topic, signal[1], signal[2])
        if kind == "reorg" and topic == "chainreorg":
            return chainreorg_body(*signal[1:])
        return None

    def _shutdown_sockets(self) -> None:
        for notifier in self.notifiers:
            log.debug("   Shutdown notifier %s at %s", "pub" + notifier.topic, notifier.address)
        _close_all(self.sockets)
        self.notifiers, self.sockets = [], {}
        if self.zmq_context is not None:
            self.zmq_context.term()
            self.zmq_context = None
