"""The node's mempool: acceptance from peers and RPC, relay, orphans, chain updates, mempool.dat.

Acceptance runs under the chainstate lock (C++ cs_main), from the chain
writer thread for peers and from an RPC thread for sendrawtransaction, so it
always sees one tip.  Relay (inv to every peer that does not know the
transaction) happens on the event loop.  This object is the ``tx_relay`` of
BlockSync: wants / on_tx / lookup / txids_for_peer.
"""

from __future__ import annotations

import logging

from fluxd.chainstate.shielded_state import ShieldedView, have_shielded_requirements
from fluxd.core.transaction import Transaction
from fluxd.mempool.accept import AcceptContext, MempoolRejected, accept_to_memory_pool
from fluxd.mempool.fee_estimates_file import FEE_ESTIMATES_FILENAME, read_fee_estimates, write_fee_estimates
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.mempool.fee_feed import FeeEstimatorFeed
from fluxd.mempool.free_limiter import FreeRelayLimiter
from fluxd.mempool.insight_index import attach_insight_indexes
from fluxd.mempool.limit import DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES, DEFAULT_MEMPOOL_TOTAL_COST_LIMIT, CostTracker
from fluxd.mempool.orphans import DEFAULT_MAX_ORPHAN_TRANSACTIONS, OrphanPool
from fluxd.mempool.persist import dump_mempool, read_mempool
from fluxd.mempool.pool import Mempool
from fluxd.node.net_service import NetworkService
from fluxd.p2p.messages import Inv, InvItem, Reject
from fluxd.node.bloom_service import BloomService
from fluxd.p2p.protocol import MSG_TX
from fluxd.rpc.context import NodeContext

log = logging.getLogger("fluxd.mempool")
MAX_REJECT_MESSAGE_LENGTH = 111


class MempoolService:
    warmup_text = "Loading mempool..."

    def __init__(self, context: NodeContext, net: NetworkService) -> None:
        self.context = context
        self.net = net  # started before this service: its block sync relays our transactions
        args = context.args
        self.pool = Mempool(
            CostTracker(args.get_int("-mempooltxcostlimit", DEFAULT_MEMPOOL_TOTAL_COST_LIMIT)),
            args.get_int("-mempoolevictionmemoryminutes", DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES),
        )
        self.orphans = OrphanPool(args.get_int("-maxorphantx", DEFAULT_MAX_ORPHAN_TRANSACTIONS))
        self.free_limiter = FreeRelayLimiter(args.get_int("-limitfreerelay", 500))
        self.persist = args.get_bool("-persistmempool", True)
        self.path = context.net_dir / "mempool.dat"
        self.fee_estimator = BlockPolicyEstimator()
        self.fee_feed = FeeEstimatorFeed(self.fee_estimator, self.pool, lambda: not context.chainstate.is_initial_block_download())
        self.fee_estimates_path = context.net_dir / FEE_ESTIMATES_FILENAME
        self.recent_rejects: set[bytes] = set()  # C++ recentRejects, forgotten whenever the tip changes
        self._rejects_tip: bytes | None = None

    # ----- service ------------------------------------------------------------------------------
    async def start(self) -> None:
        context = self.context
        context.mempool = self.pool
        context.mempool_service = self
        context.fee_estimator = self.fee_estimator
        chainstate = context.chainstate
        attach_insight_indexes(self.pool, chainstate.module("addressindex") is not None, chainstate.module("spentindex") is not None)
        chainstate.listeners.append(self.chain_event)
        if self.net.sync is not None:
            self.net.sync.tx_relay = self
        read_fee_estimates(self.fee_estimator, self.fee_estimates_path)  # C++ reads it before the mempool
        if self.persist:
            self._load()
        elif not self.path.exists():
            self.path.touch()

    async def stop(self) -> None:
        write_fee_estimates(self.fee_estimator, self.fee_estimates_path)
        if self.persist:
            count = dump_mempool(self.pool, self.path)
            log.info("Dumped mempool: %d transactions to %s", count, self.path)

    def _load(self) -> None:
        transactions, deltas = read_mempool(self.path)
        for txid, fee_delta in deltas.items():
            self.pool.prioritise(txid, 0.0, fee_delta)
        accepted = 0
        for tx, _time, _delta in transactions:
            try:
                self.submit(tx, limit_free=False, reject_absurd_fee=False)
                accepted += 1
            except MempoolRejected:
                pass
        if transactions:
            log.info("Imported mempool transactions from disk: %d succeeded, %d failed", accepted, len(transactions) - accepted)
        if not self.path.exists():
            self.path.touch()

    # ----- acceptance ---------------------------------------------------------------------------
    def submit(self, tx: Transaction, limit_free: bool = False, reject_absurd_fee: bool = True):
        """AcceptToMemoryPool as one chain-writer command (coins and tip stay put meanwhile); the entry, or MempoolRejected."""
        chainstate = self.context.chainstate
        context = AcceptContext(self.pool, chainstate, self.context.clock.now(), limit_free, reject_absurd_fee, self.free_limiter)
        return chainstate.run_command(accept_to_memory_pool, context, tx)

    def relay(self, tx: Transaction) -> None:
        """RelayTransaction: inv to every connected peer that has not seen it (thread-safe)."""
        sync = self.net.sync
        if sync is None or sync.loop is None:
            return
        sync.loop.call_soon_threadsafe(self._announce, tx.txid_rev)

    def _announce(self, txid_rev: bytes) -> None:
        connman = self.net.connman
        if connman is None or txid_rev not in self.pool:
            return
        tx = self.pool.lookup(txid_rev)
        for peer in list(connman.peers.values()):
            if peer.handshake_done and not peer.closed and txid_rev not in peer.known_txs and BloomService.wants_tx(peer, tx):
                peer.known_txs.add(txid_rev)
                peer.send(Inv([InvItem(MSG_TX, txid_rev)]))

    # ----- BlockSync tx_relay -------------------------------------------------------------------
    def wants(self, txid_rev: bytes) -> bool:
        """AlreadyHave, negated."""
        now = self.context.clock.now()
        if txid_rev in self.pool or txid_rev in self.orphans:
            return False
        if self.pool.recently_evicted.contains(txid_rev, now) or self.pool.recently_in_block.contains(txid_rev, now):
            return False
        if txid_rev in self._current_rejects():
            return False
        return self.context.chainstate.unspent_output_height(txid_rev) is None  # C++ pcoinsTip->HaveCoins

    def _current_rejects(self) -> set[bytes]:
        tip_hash = self.context.chainstate.tip.hash_rev
        if tip_hash != self._rejects_tip:
            self.recent_rejects = set()
            self._rejects_tip = tip_hash
        return self.recent_rejects

    def _remember_reject(self, tx: Transaction, rejected: MempoolRejected) -> None:
        if rejected.reason != "bad-txns-fluxnode-tx-invalid-signature":  # C++ IsFluxnodeTxSignatureFailure
            self._current_rejects().add(tx.txid_rev)

    def peer_closed(self, peer_id: int) -> None:
        """A peer disconnected: the orphans it sent go (C++ EraseOrphansFor)."""
        self.orphans.erase_from_peer(peer_id)

    def lookup(self, txid_rev: bytes) -> Transaction | None:
        return self.pool.lookup(txid_rev)

    def txids_for_peer(self) -> list[bytes]:
        with self.pool.lock:
            return list(self.pool.entries)

    def on_tx(self, peer, tx: Transaction) -> None:
        """A peer's tx message (event loop): accept on the chain writer, then relay or reject."""
        sync = self.net.sync
        sync._on_writer(self._accept_with_orphans, lambda outcome: self._after_peer_tx(peer, tx, outcome), peer.id, tx)

    def _accept_with_orphans(self, peer_id: int, tx: Transaction):
        """(accepted transactions in order, rejection of ``tx`` or None, [(peer id, DoS) of invalid orphans])."""
        try:
            self.submit(tx, limit_free=True)
        except MempoolRejected as rejected:
            if rejected.missing_inputs and not tx.has_shielded():
                self.orphans.add(tx, peer_id)
            elif not rejected.missing_inputs:
                self._remember_reject(tx, rejected)
            return [], rejected, []
        accepted, punished = [tx], []
        work = [tx.txid_rev]
        while work:
            parent = work.pop(0)
            for orphan, source in self.orphans.children_of(parent):
                if source in {peer for peer, _ in punished}:
                    continue
                try:
                    self.submit(orphan, limit_free=True)
                except MempoolRejected as rejected:
                    if not rejected.missing_inputs:
                        self.orphans.erase(orphan.txid_rev)
                        self._remember_reject(orphan, rejected)
                        if rejected.invalid and rejected.dos > 0:
                            punished.append((source, rejected.dos))
                    continue
                self.orphans.erase(orphan.txid_rev)
                accepted.append(orphan)
                work.append(orphan.txid_rev)
        return accepted, None, punished

    def _after_peer_tx(self, peer, tx: Transaction, outcome) -> None:
        accepted, rejected, punished = outcome
        for relayed in accepted:
            self._announce(relayed.txid_rev)
        for source_id, dos in punished:
            source = self.net.connman.peers.get(source_id) if self.net.connman is not None else None
            if source is not None:
                self.net.sync.misbehaving(source, dos, "invalid orphan transaction")
        if rejected is None or not rejected.invalid:
            return
        log.debug("%s from peer=%d was not accepted: %s (code %d)", tx.txid_hum, peer.id, rejected.reason, rejected.code)
        if rejected.code > 0 and not peer.closed:
            peer.send(Reject("tx", rejected.code, rejected.reason[:MAX_REJECT_MESSAGE_LENGTH], tx.txid_rev))
        if rejected.dos > 0:
            self.net.sync.misbehaving(peer, rejected.dos, f"invalid transaction ({rejected.reason})")

    # ----- chain updates (writer thread, chainstate lock held) ------------------------------------
    def chain_event(self, event: str, entry, block) -> None:
        now = self.context.clock.now()
        if event == "connect":
            confirmed = self.fee_feed.block_confirmed(block)
            try:
                self.pool.remove_for_block(block, entry.height, now)
            finally:
                self.fee_feed.block_connected(entry.height, confirmed)
            for tx in block.transactions:
                self.orphans.erase(tx.txid_rev)
            return
        for tx in block.transactions:
            if tx.is_coinbase():
                continue
            try:
                self.submit(tx, limit_free=False, reject_absurd_fee=False)
            except MempoolRejected:
                self.pool.remove(tx.txid_rev, recursive=True)
        # C++ DisconnectTip clears the seen-in-block memory only after resurrecting, so a fluxnode
        # transaction of the disconnected block is not re-added (kept as C++ has it).
        if any(self.pool.recently_in_block.contains(tx.txid_rev, now) for tx in block.transactions):
            self.pool.recently_in_block.clear()
        self._remove_for_reorg()
        self._remove_with_lost_anchors()

    def _remove_with_lost_anchors(self) -> None:
        """removeWithAnchor: pool transactions whose Sprout or Sapling anchor the disconnect took away leave."""
        view = ShieldedView(self.context.chainstate.state_reader())
        for pool_entry in list(self.pool.entries.values()):
            tx = pool_entry.tx
            if (tx.joinsplits or tx.shielded_spends) and pool_entry.txid_rev in self.pool.entries:
                if not have_shielded_requirements(tx, view):
                    self.pool.remove(pool_entry.txid_rev, recursive=True)

    def _remove_for_reorg(self) -> None:
        """removeForReorg: pool transactions spending coinbases that are no longer mature leave."""
        chainstate = self.context.chainstate
        spend_height = chainstate.height + 1
        for pool_entry in list(self.pool.entries.values()):
            if not pool_entry.spends_coinbase:
                continue
            for txin in pool_entry.tx.vin:
                coin = chainstate.get_coin(txin.prevout)
                if coin is not None and coin.is_coinbase and spend_height - coin.height < 100:
                    self.pool.remove(pool_entry.txid_rev, recursive=True)
                    break
