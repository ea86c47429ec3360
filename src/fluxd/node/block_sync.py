"""Headers-first chain sync and block relay: the bridge between peers and the chainstate writer.

C++ main.cpp ProcessMessage / SendMessages for the chain messages: headers are
accepted through the single chain writer, blocks are requested from every peer
that has them inside a moving download window, received blocks are connected
in order by the chainstate, and new tips are announced (headers to peers that
asked for them with ``sendheaders``, an ``inv`` otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from concurrent.futures import Executor

from fluxd.chainstate.block_index import BLOCK_FAILED_MASK, BLOCK_VALID_SCRIPTS, BlockIndexEntry
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.p2p.messages import (
    Addr, BlockMessage, CmpHeaders, FilterClear, GetAddr, GetBlocks, GetData, GetHeaders, Headers, Inv, InvItem,
    MempoolRequest, Message, NotFound, RawMessage, Reject, SendHeaders, TxMessage,
)
from fluxd.p2p.peer import Peer
from fluxd.p2p.protocol import (
    BLOCK_DOWNLOAD_WINDOW, CADDR_TIME_VERSION, MAX_ADDR_TO_SEND, MAX_BLOCKS_IN_TRANSIT_PER_PEER, MAX_GETBLOCKS_RESULTS,
    MAX_HEADERS_RESULTS, MAX_INV_SZ, MAX_REJECT_MESSAGE_LENGTH, MSG_BLOCK, MSG_CMPCT_BLOCK, MSG_FILTERED_BLOCK, MSG_TX,
    NODE_NETWORK, REJECT_MALFORMED, SENDHEADERS_VERSION,
)
from fluxd.node.alerts import alert_score
from fluxd.node.bloom_service import FILTER_COMMANDS, BloomService
from fluxd.node.sync_progress import progress_text, sync_target
from fluxd.params.upgrades import current_epoch
from fluxd.storage.block_files import BlockPos
from fluxd.util.serialize import DecodeError

log = logging.getLogger("fluxd.net")
BLOCK_STALL_TIMEOUT = 60
PATH_CHUNK = 256  # heights walked at a time when looking for blocks to request
MAX_BLOCKS_TO_ANNOUNCE = 8
KNOWN_SET_LIMIT = 20_000
PROGRESS_INTERVAL = 10


class BlockSync:
    def __init__(self, node, writer: Executor) -> None:
        self.node = node
        self.chainstate = node.chainstate
        self.params = node.params
        self.writer = writer
        self.connman = None  # set by the network service
        self.tx_relay = None  # set when the mempool exists: object with on_tx / wants / lookup / peer_closed
        self.alerts = True  # -alerts (C++ fAlerts): score invalid alerts
        self.bloom = BloomService(self.misbehaving)  # the network service sets -peerbloomfilters / -enforcenodebloom
        self.in_flight: dict[bytes, tuple[Peer, float]] = {}
        self.processing: set[bytes] = set()  # received, queued on the chain writer: not to be asked for again
        self._queued_blocks: deque[bytes] = deque()  # one per block job on the writer (appended here, popped there)
        self._unsettled: set[bytes] = set()  # writer thread: blocks left pipelined by the last block job
        self._senders: dict[bytes, Peer] = {}  # pipelined blocks -> the peer that sent them, until their verdict
        self.loop: asyncio.AbstractEventLoop | None = None
        self._announced_tip = self.chainstate.tip
        self._tip_pending = False
        self._progress = (time.monotonic(), self.chainstate.height)
        self._handlers = {
            Headers: self._on_headers, CmpHeaders: self._on_cmpheaders, Inv: self._on_inv, GetData: self._on_getdata,
            GetHeaders: self._on_getheaders, GetBlocks: self._on_getblocks, BlockMessage: self._on_block,
            TxMessage: self._on_tx, MempoolRequest: self._on_mempool, Addr: self._on_addr, GetAddr: self._on_getaddr,
            SendHeaders: self._on_sendheaders, Reject: self._on_reject, RawMessage: self._on_raw,
            FilterClear: lambda peer, message: self.bloom.on_filterclear(peer),
        }

    # ----- MessageHandler -------------------------------------------------------------------------
    def start_height(self) -> int:
        return self.chainstate.height

    def min_peer_version(self) -> int:
        return self.params.upgrades[current_epoch(self.params, self.chainstate.height)].protocol_version

    def on_handshake(self, peer: Peer) -> None:
        peer.relay_txs = peer.remote.relay  # C++ fRelayTxes (true when an old peer omits the byte)
        if peer.version >= SENDHEADERS_VERSION:
            peer.send(SendHeaders())
        if peer.remote.services & NODE_NETWORK:
            peer.sync_started = True
            best = self.chainstate.best_header
            start = best.prev if best is not None and best.prev is not None else best
            peer.send(GetHeaders(self.chainstate.locator(start)))  # C++: from pprev, so the answer holds >= 1 header

    def on_message(self, peer: Peer, message: Message) -> None:
        handler = self._handlers.get(type(message))
        if handler is not None:
            handler(peer, message)

    def on_closed(self, peer: Peer) -> None:
        for block_hash in list(peer.in_flight):
            self.in_flight.pop(block_hash, None)
        peer.in_flight.clear()
        peer.pending_getdata.clear()
        if self.tx_relay is not None:
            self.tx_relay.peer_closed(peer.id)  # C++ FinalizeNode: EraseOrphansFor(nodeid)
        self.schedule_downloads()

    def misbehaving(self, peer: Peer, score: int, reason: str) -> None:
        self.connman.misbehaving(peer, score, reason)

    # ----- chain writer ---------------------------------------------------------------------------
    def _on_writer(self, job, callback, *args) -> None:
        """Run ``job(*args)`` on the chain writer thread, then ``callback(result)`` on the event loop."""
        future = self.loop.run_in_executor(self.writer, job, *args)

        def done(finished: asyncio.Future) -> None:
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                log.error("chain writer job failed: %r", error)
                return
            callback(finished.result())

        future.add_done_callback(done)

    def chain_event(self, event: str, entry: BlockIndexEntry, block: Block) -> None:
        """Chainstate listener (writer thread): coalesce tip changes into one announcement."""
        if self.loop is None or self._tip_pending:
            return
        self._tip_pending = True
        self.loop.call_soon_threadsafe(self._tip_changed)

    # ----- headers --------------------------------------------------------------------------------
    def _on_headers(self, peer: Peer, message: Headers) -> None:
        headers = message.headers
        if len(headers) > MAX_HEADERS_RESULTS:
            self.misbehaving(peer, 20, f"headers message size = {len(headers)}")
            return
        if not headers:
            return
        for previous, header in zip(headers, headers[1:]):
            if header.prev_block_rev != previous.hash_rev:
                self.misbehaving(peer, 20, "non-continuous headers sequence")
                return
        self._on_writer(self._accept_headers, lambda result: self._headers_accepted(peer, len(headers), *result), headers)

    def _accept_headers(self, headers) -> tuple[BlockIndexEntry | None, ValidationError | None]:
        last = None
        for header in headers:
            try:
                last = self.chainstate.accept_header(header)
            except ValidationError as failure:
                return last, failure
        return last, None

    def _headers_accepted(self, peer: Peer, count: int, last: BlockIndexEntry | None, failure: ValidationError | None) -> None:
        if failure is not None:
            log.info("invalid header received from peer=%d: %s", peer.id, failure.reason)
            if failure.dos > 0:
                self.misbehaving(peer, failure.dos, f"invalid header ({failure.reason})")
            return
        if last is not None:
            self._update_best_known(peer, last)
            peer.synced_headers = max(peer.synced_headers, last.height)
            if count == MAX_HEADERS_RESULTS:
                peer.send(GetHeaders(self.chainstate.locator(last)))
        self.schedule_downloads()

    def _on_cmpheaders(self, peer: Peer, message: CmpHeaders) -> None:
        """Compact headers come only for checkpointed history; PoN ones are full headers, PoW ones lack solutions."""
        if len(message.headers) > 2000:
            self.misbehaving(peer, 20, f"cmpheaders message size = {len(message.headers)}")
            return
        full = [item.header for item in message.headers if item.header.is_pon]
        if len(full) != len(message.headers):
            log.info("peer=%d sent compact PoW headers; requesting them as full headers is not supported yet", peer.id)
            return
        self._on_headers(peer, Headers(full[:MAX_HEADERS_RESULTS]))

    def _update_best_known(self, peer: Peer, entry: BlockIndexEntry) -> None:
        _remember(peer.known_blocks, entry.hash_rev)
        if peer.best_known is None or entry.chainwork > peer.best_known.chainwork:
            peer.best_known = entry

    def _on_getheaders(self, peer: Peer, message: GetHeaders) -> None:
        chainstate = self.chainstate
        if chainstate.is_initial_block_download():
            return
        if not message.locator:
            entry = chainstate.view().lookup(message.hash_stop)
            if entry is None:
                return
        else:
            fork = chainstate.find_fork_in_locator(message.locator)
            entry = chainstate.entry_at(fork.height + 1)
        headers = []
        while entry is not None:
            headers.append(entry.header)
            if len(headers) >= MAX_HEADERS_RESULTS or entry.hash_rev == message.hash_stop:
                break
            entry = chainstate.entry_at(entry.height + 1) if chainstate.contains(entry) else None
        peer.send(Headers(headers))

    def _on_getblocks(self, peer: Peer, message: GetBlocks) -> None:
        chainstate = self.chainstate
        fork = chainstate.find_fork_in_locator(message.locator)
        items = []
        entry = chainstate.entry_at(fork.height + 1)
        while entry is not None and entry.hash_rev != message.hash_stop and len(items) < MAX_GETBLOCKS_RESULTS:
            items.append(InvItem(MSG_BLOCK, entry.hash_rev))
            entry = chainstate.entry_at(entry.height + 1)
        if items:
            peer.send(Inv(items))

    # ----- inventory and data ---------------------------------------------------------------------
    def _on_inv(self, peer: Peer, message: Inv) -> None:
        if len(message.items) > MAX_INV_SZ:
            self.misbehaving(peer, 20, f"message inv size() = {len(message.items)}")
            return
        wanted_txs, fetch_blocks = [], []
        for item in message.items:
            if item.type == MSG_BLOCK:
                if self._block_announced(peer, item.hash_rev):
                    fetch_blocks.append(item)
            elif item.type == MSG_TX:
                _remember(peer.known_txs, item.hash_rev)
                if self.tx_relay is not None and self.tx_relay.wants(item.hash_rev):
                    wanted_txs.append(item)
            if peer.send_size > 2 * peer.send_buffer_limit:
                self.misbehaving(peer, 50, f"send buffer size() = {peer.send_size}")
                return
        if wanted_txs or fetch_blocks:
            peer.send(GetData(fetch_blocks + wanted_txs))  # C++ sends its vToFetch getdata after the loop
        self.schedule_downloads()

    def _block_announced(self, peer: Peer, block_hash: bytes) -> bool:
        """C++ ProcessMessage "inv" MSG_BLOCK: ask for the headers leading to it and, near the tip, for the block
        itself at once (direct fetch, marked in flight); True when the block is to be fetched now."""
        _remember(peer.known_blocks, block_hash)
        entry = self.chainstate.view().lookup(block_hash)
        if entry is not None:
            self._update_best_known(peer, entry)
        if (entry is not None and entry.have_data()) or block_hash in self.in_flight or self.chainstate.importing:
            return False
        peer.send(GetHeaders(self.chainstate.locator(self.chainstate.best_header), block_hash))
        if not self._can_direct_fetch() or len(peer.in_flight) >= MAX_BLOCKS_IN_TRANSIT_PER_PEER:
            return False
        now = time.monotonic()
        self.in_flight[block_hash] = (peer, now)
        peer.in_flight[block_hash] = now
        return True

    def _can_direct_fetch(self) -> bool:
        """C++ CanDirectFetch: the best header is less than 20 target spacings old."""
        best = self.chainstate.best_header
        return best is not None and best.time > self.chainstate.now() - self.params.pow_target_spacing * 20

    def _on_getdata(self, peer: Peer, message: GetData) -> None:
        if len(message.items) > MAX_INV_SZ:
            self.misbehaving(peer, 20, f"message getdata size() = {len(message.items)}")
            return
        peer.pending_getdata.extend(message.items)  # C++ vRecvGetData, served by ProcessGetData
        self.serve_getdata(peer)

    def serve_getdata(self, peer: Peer) -> None:
        """C++ ProcessGetData: serve queued items until the send buffer is full or one block has gone out;
        the peer's read loop calls again as its buffer drains."""
        not_found, queue = [], peer.pending_getdata
        while queue and not peer.closed and not peer.send_buffer_full():
            item = queue.popleft()
            if item.type == MSG_FILTERED_BLOCK:
                self._send_filtered_block(peer, item.hash_rev)
            elif item.type in (MSG_BLOCK, MSG_CMPCT_BLOCK):
                self._send_block(peer, item.hash_rev)
            elif item.type == MSG_TX:
                tx = self.tx_relay.lookup(item.hash_rev) if self.tx_relay is not None else None
                if tx is None:
                    not_found.append(item)
                else:
                    peer.send(TxMessage(tx))
            if item.type in (MSG_BLOCK, MSG_FILTERED_BLOCK):
                break
        if not_found and not peer.closed:
            peer.send(NotFound(not_found))

    def _servable(self, block_hash: bytes) -> BlockIndexEntry | None:
        chainstate = self.chainstate
        entry = chainstate.view().lookup(block_hash)
        if entry is None or not entry.have_data():
            return None
        if not chainstate.contains(entry) and not entry.is_valid(BLOCK_VALID_SCRIPTS):
            return None
        return entry

    def _send_block(self, peer: Peer, block_hash: bytes) -> None:
        entry = self._servable(block_hash)
        if entry is None:
            return
        peer.send_raw("block", self.chainstate.block_files.read(BlockPos(entry.file_no, entry.data_pos)))
        _remember(peer.known_blocks, block_hash)

    def _send_filtered_block(self, peer: Peer, block_hash: bytes) -> None:
        entry = self._servable(block_hash)
        if entry is not None:
            self.bloom.send_filtered_block(peer, self.chainstate.read_block(entry))
            _remember(peer.known_blocks, block_hash)

    # ----- blocks ---------------------------------------------------------------------------------
    def _on_block(self, peer: Peer, message: BlockMessage) -> None:
        block = message.block
        block_hash = block.hash_rev
        _remember(peer.known_blocks, block_hash)
        holder = self.in_flight.pop(block_hash, None)
        if holder is not None:
            holder[0].in_flight.pop(block_hash, None)
        self.processing.add(block_hash)
        peer.synced_blocks = max(peer.synced_blocks, getattr(self.chainstate.view().lookup(block_hash), "height", -1))
        self._queued_blocks.append(block_hash)
        self._on_writer(self._process_block, lambda result: self._block_processed(peer, block_hash, *result), block)

    def _process_block(self, block: Block):
        """Writer job: (entry, failure, still pending, [(earlier pipelined block, reject reason or None)])."""
        self._queued_blocks.popleft()
        pipelined = bool(self._queued_blocks)  # more blocks wait: this one's script checks may go on meanwhile
        entry, failure = None, None
        try:
            entry = self.chainstate.process_block(block, pipelined=pipelined)
        except ValidationError as error:
            failure = error
        except Exception:  # the callback must still run, so the block can be asked for again
            log.exception("processing block %s failed", block.hash_rev[::-1].hex())
        pending = set(self.chainstate.pending_hashes())
        settled = [(hash_rev, self.chainstate.invalid_reasons.get(hash_rev)) for hash_rev in self._unsettled - pending]
        self._unsettled = pending
        return entry, failure, block.hash_rev in pending, settled

    def _block_processed(self, peer: Peer, block_hash: bytes, entry, failure: ValidationError | None, pending: bool, settled) -> None:
        self.processing.discard(block_hash)
        if pending:
            self._senders[block_hash] = peer
        for settled_hash, settled_reason in settled:
            sender = self._senders.pop(settled_hash, None)
            if settled_reason is not None and sender is not None and not sender.closed:
                self._punish(sender, settled_hash, settled_reason, 0x10, 100)
        reason = failure.reason if failure is not None else None if pending else self.chainstate.invalid_reasons.get(block_hash)
        if reason is not None and not (failure is not None and failure.reason == "duplicate"):
            dos = failure.dos if failure is not None else 100
            code = failure.code if failure is not None else 0x10
            self._punish(peer, block_hash, reason, code, dos)
        elif entry is not None:
            self._update_best_known(peer, entry)
        self.schedule_downloads()

    def _punish(self, peer: Peer, block_hash: bytes, reason: str, code: int, dos: int) -> None:
        peer.send(Reject("block", code, reason[:MAX_REJECT_MESSAGE_LENGTH], block_hash))
        if dos > 0:
            self.misbehaving(peer, dos, f"invalid block ({reason})")

    def schedule_downloads(self) -> None:
        if self.connman is None or self.chainstate.importing:
            return
        now = time.monotonic()
        for peer in list(self.connman.peers.values()):
            if not peer.handshake_done or peer.closed:
                continue
            free = MAX_BLOCKS_IN_TRANSIT_PER_PEER - len(peer.in_flight)
            if free <= 0:
                continue
            wanted = self._next_blocks(peer, free)
            for entry in wanted:
                self.in_flight[entry.hash_rev] = (peer, now)
                peer.in_flight[entry.hash_rev] = now
            if wanted:
                peer.send(GetData([InvItem(MSG_BLOCK, entry.hash_rev) for entry in wanted]))

    def _next_blocks(self, peer: Peer, count: int) -> list[BlockIndexEntry]:
        """FindNextBlocksToDownload: blocks on the peer's best chain we lack, in height order, inside the window."""
        chainstate = self.chainstate
        best = peer.best_known
        if best is None or best.chainwork <= chainstate.tip.chainwork or best.status & BLOCK_FAILED_MASK:
            return []
        common = peer.last_common or chainstate.entry_at(min(best.height, chainstate.height))
        common = _common_ancestor(common, best)
        window_end = min(best.height, common.height + BLOCK_DOWNLOAD_WINDOW)
        result: list[BlockIndexEntry] = []
        advancing = True
        low = common
        while low.height < window_end and len(result) < count:
            top = best.ancestor(min(window_end, low.height + PATH_CHUNK))
            for entry in _path_up_to(top, low):
                if entry.status & BLOCK_FAILED_MASK:
                    peer.last_common = common
                    return result
                if entry.have_data() or chainstate.contains(entry):
                    if advancing:
                        common = entry
                    continue
                advancing = False
                if entry.hash_rev not in self.in_flight and entry.hash_rev not in self.processing:
                    result.append(entry)
                    if len(result) >= count:
                        break
            low = top
        peer.last_common = common
        return result

    def check_stalls(self) -> None:
        now = time.monotonic()
        for block_hash, (peer, since) in list(self.in_flight.items()):
            if now - since > BLOCK_STALL_TIMEOUT and not peer.closed:
                log.info("Timeout downloading block %s from peer=%d, disconnecting", block_hash[::-1].hex(), peer.id)
                peer.close("block download timeout")

    # ----- announcements --------------------------------------------------------------------------
    def _tip_changed(self) -> None:
        self._tip_pending = False
        chainstate = self.chainstate
        tip = chainstate.tip
        self._log_progress()
        previous, self._announced_tip = self._announced_tip, tip
        if tip == previous or chainstate.is_initial_block_download() or self.connman is None:
            self.schedule_downloads()
            return
        fork = _common_ancestor(previous, tip)
        new_blocks = [tip.ancestor(height) for height in range(fork.height + 1, tip.height + 1)]
        for peer in list(self.connman.peers.values()):
            if peer.handshake_done and not peer.closed:
                self._announce(peer, new_blocks)
        self.schedule_downloads()

    def _announce(self, peer: Peer, new_blocks: list[BlockIndexEntry]) -> None:
        tip = new_blocks[-1] if new_blocks else self.chainstate.tip
        if tip.hash_rev in peer.known_blocks:
            return
        parent = new_blocks[0].prev if new_blocks else None
        headers_ok = (peer.prefer_headers and 0 < len(new_blocks) <= MAX_BLOCKS_TO_ANNOUNCE and parent is not None
                      and (parent.hash_rev in peer.known_blocks or parent.height == 0))
        if headers_ok:
            peer.send(Headers([entry.header for entry in new_blocks]))
        else:
            peer.send(Inv([InvItem(MSG_BLOCK, tip.hash_rev)]))
        for entry in new_blocks:
            _remember(peer.known_blocks, entry.hash_rev)

    def _log_progress(self) -> None:
        started, start_height = self._progress
        now = time.monotonic()
        if now - started < PROGRESS_INTERVAL:
            return
        height = self.chainstate.height
        header_height = self.chainstate.best_header.height if self.chainstate.best_header else height
        peers = self.connman.peers.values() if self.connman is not None else ()
        peer_heights = [peer.remote.start_height for peer in peers if peer.remote is not None]
        rate = (height - start_height) / (now - started)
        log.info("%s", progress_text(height, sync_target(height, header_height, peer_heights), rate))
        self._progress = (now, height)

    # ----- transactions, addresses and the rest ---------------------------------------------------
    def _on_tx(self, peer: Peer, message: TxMessage) -> None:
        if self.tx_relay is not None and not self.chainstate.is_initial_block_download():
            _remember(peer.known_txs, message.tx.txid_rev)
            self.tx_relay.on_tx(peer, message.tx)

    def _on_mempool(self, peer: Peer, message: MempoolRequest) -> None:
        if self.tx_relay is None:
            return
        txids = self.tx_relay.txids_for_peer()
        for start in range(0, len(txids), MAX_INV_SZ):
            peer.send(Inv([InvItem(MSG_TX, txid) for txid in txids[start:start + MAX_INV_SZ]]))

    def _on_addr(self, peer: Peer, message: Addr) -> None:
        if peer.version < CADDR_TIME_VERSION and len(self.connman.addrman) > 1000:
            return
        if len(message.addresses) > MAX_ADDR_TO_SEND:
            self.misbehaving(peer, 20, f"message addr size() = {len(message.addresses)}")
            return
        now = self.connman.now()
        fresh = [address for address in message.addresses if address.time <= now + 600]
        self.connman.addrman.add(fresh, peer.address, now)

    def _on_getaddr(self, peer: Peer, message: GetAddr) -> None:
        if not peer.inbound or peer.sent_addr:
            return
        peer.sent_addr = True
        addresses = self.connman.addrman.get_addr()
        for start in range(0, len(addresses), MAX_ADDR_TO_SEND):
            peer.send(Addr(addresses[start:start + MAX_ADDR_TO_SEND]))

    def _on_sendheaders(self, peer: Peer, message: SendHeaders) -> None:
        peer.prefer_headers = True

    def _on_reject(self, peer: Peer, message: Reject) -> None:
        log.debug("Reject %s code %d: %s peer=%d", message.message, message.code, message.reason, peer.id)

    def _on_raw(self, peer: Peer, message: RawMessage) -> None:
        if message.name in FILTER_COMMANDS:
            self.bloom.on_message(peer, message)
        elif message.name == "alert" and self.alerts:
            self._on_alert(peer, message.data)

    def _on_alert(self, peer: Peer, payload: bytes) -> None:
        try:
            score = alert_score(payload, self.params.network_id, self.chainstate.now())
        except DecodeError:
            peer.reject("alert", REJECT_MALFORMED, "error parsing message")
            return
        if score:
            self.misbehaving(peer, score, "invalid alert")


def _path_up_to(top: BlockIndexEntry, ancestor: BlockIndexEntry) -> list[BlockIndexEntry]:
    """The entries above ``ancestor`` up to ``top``, lowest first (one walk down the prev links)."""
    path = []
    walker = top
    while walker is not None and walker.height > ancestor.height:
        path.append(walker)
        walker = walker.prev
    path.reverse()
    return path


def _remember(known: set[bytes], item: bytes) -> None:
    if len(known) >= KNOWN_SET_LIMIT:
        known.clear()
    known.add(item)


def _common_ancestor(first: BlockIndexEntry, second: BlockIndexEntry) -> BlockIndexEntry:
    if first.height > second.height:
        first = first.ancestor(second.height)
    elif second.height > first.height:
        second = second.ancestor(first.height)
    while first != second:
        first, second = first.prev, second.prev
    return first
