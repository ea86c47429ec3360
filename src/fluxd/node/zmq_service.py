"""-zmqpub<topic>=<address>: ZeroMQ PUB sockets fed from chain and mempool events (C++ src/zmq/).

The chain writer and the mempool only put events on a queue; one publisher thread builds the bodies
and sends them, so a slow or absent subscriber never holds up a block.  Notifiers on the same address
share one socket (C++ mapPublishNotifiers); each keeps its own sequence number.  As in C++, if any
address cannot be bound no notifier runs (CreateWithArguments gives no interface) and the node goes on.
The fluxnode topics (zmq_fluxnode.py) need the list as of each new tip: at start-up the writer reads the
confirmed list once and the fluxnode module starts logging the records each block leaves; with every
chain event the writer takes that block's records, and at each new tip hands those gathered since the
last one to the publisher thread, which compares and encodes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass

import zmq

from fluxd.node.zmq_fluxnode import DeltaTracker, StatusTracker
from fluxd.node.zmq_messages import BLOCK_TOPICS, FLUXNODE_TOPICS, TOPICS, TX_TOPICS, TipEvents, block_body, chainreorg_body, frames
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
        self.topics: frozenset[str] = frozenset()
        self.delta = DeltaTracker()  # publisher thread
        self.status = StatusTracker()  # publisher thread
        self._changed: dict = {}  # chain writer: the records blocks left since the last tip told
        self._own_record = None  # chain writer: this fluxnode's record as of the last event

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
        self.topics = frozenset(notifier.topic for notifier in notifiers)
        self.thread = threading.Thread(target=self._run, name="zmqpublish", daemon=True)
        self.thread.start()
        chainstate = self.context.chainstate
        await asyncio.get_running_loop().run_in_executor(None, chainstate.run_command, self._listen)
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
        fluxnodes = chainstate.module("fluxnodes") if self.topics & FLUXNODE_TOPICS else None
        if fluxnodes is not None:
            self._changed.update(fluxnodes.take_changes(entry.hash_rev))
        for signal in signals:
            if signal[0] == "block" and fluxnodes is not None:  # C++ runs notifiers in name order: these first
                self._fluxnode_signals(signal[1])
            self.queue.put(signal)

    def _listen(self) -> None:
        """On the writer: listen from this block on; the fluxnode topics take the list as of now."""
        chainstate = self.context.chainstate
        chainstate.listeners.append(self.chain_event)
        if self.topics & FLUXNODE_TOPICS and chainstate.module("fluxnodes") is not None:
            self._start_fluxnode_topics()

    def _start_fluxnode_topics(self) -> None:
        chainstate = self.context.chainstate
        chainstate.module("fluxnodes").track_changes()
        fluxnodes = chainstate.fluxnode_list()
        if "fluxnodelistdelta" in self.topics:
            self.queue.put(("delta_load", list(fluxnodes.confirmed())))
        active = self.context.fluxnode
        if active.outpoint is not None:
            self._own_record = fluxnodes.get(active.outpoint)

    def _fluxnode_signals(self, tip) -> None:
        """On the writer, at a new tip: the records blocks left since the last tip, and this node's own."""
        changed, self._changed = self._changed, {}
        if "fluxnodelistdelta" in self.topics:
            self.queue.put(("delta", tip, self.context.chainstate.view(), changed))
        active = self.context.fluxnode
        if "fluxnodestatus" in self.topics and active.enabled:
            if active.outpoint in changed:
                self._own_record = changed[active.outpoint]
            self.queue.put(("status", tip, active.outpoint, self._own_record))

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
        if kind in ("delta_load", "delta", "status") or (kind == "reorg" and "fluxnodelistdelta" in self.topics):
            self._publish_fluxnode(kind, signal)
            if kind != "reorg":
                return
        for notifier in list(self.notifiers):
            body = self._body(notifier.topic, kind, signal)
            if body is None:
                continue
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s", publish_log_line(notifier.topic, signal))
            self._send(notifier, body)

    def _send(self, notifier: Notifier, body: bytes) -> bool:
        if notifier.send(body):
            return True
        self.notifiers.remove(notifier)  # C++ shuts a failing notifier down and drops it
        return False

    def _notifier(self, topic: str) -> Notifier | None:
        return next((notifier for notifier in self.notifiers if notifier.topic == topic), None)

    def _publish_fluxnode(self, kind: str, signal: tuple) -> None:
        if kind == "reorg":
            self.delta.on_reorg(signal[1])
        elif kind == "delta_load":
            self.delta.load(signal[1])
        elif kind == "delta":
            self._publish_delta(*signal[1:])
        else:
            self._publish_status(*signal[1:])

    def _publish_delta(self, tip, view, current: dict) -> None:
        notifier = self._notifier("fluxnodelistdelta")
        from_height = self.delta.last_height
        if from_height is None:
            self.delta.start(tip, current)
            log.debug("zmq: FluxNode delta initialized at height %d (skipping first delta)", tip.height)
            return
        made = self.delta.body(tip, view.at(from_height), current)
        if made is None:
            log.debug("zmq: FluxNode delta skipped (null block index)")
            return
        body, delta = made
        log.debug("zmq: FluxNode delta %d->%d: added=%d removed=%d updated=%d size=%d", from_height, tip.height,
                  len(delta.added), len(delta.removed), len(delta.updated), len(body))  # fmt: skip
        if notifier is not None:
            self._send(notifier, body)

    def _publish_status(self, tip, outpoint, record) -> None:
        notifier = self._notifier("fluxnodestatus")
        made = self.status.body(tip.height, outpoint, record)
        if notifier is None or made is None:
            return
        body, fields = made
        log.debug("zmq: Publish fluxnodestatus at height %d (location=%d tier=%d ip=%s)", tip.height, fields[0],
                  fields[1], fields[5])  # fmt: skip
        if self._send(notifier, body):
            self.status.sent(fields)

    @staticmethod
    def _body(topic: str, kind: str, signal: tuple) -> bytes | None:
        if kind == "checked" and topic == "checkedblock":
            return signal[2].to_bytes()
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
