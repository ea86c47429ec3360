"""Running as a fluxnode (-zelnode=1 / -fluxnode=1): the benchmark daemon checked at start (C++ init.cpp), the
active-fluxnode manager that confirms the node (C++ ActiveFluxnode::ManageDeterministricFluxnode, called from
ConnectTip) and the Proof-of-Node minter (node/pon_minter.py, C++ StartPONMinter).

The chain writer only counts blocks: when 1-6 blocks (drawn again after each run, as C++ getrand(1,6)) have
connected since the last run, the tip height goes on a queue.  A thread of this service takes it, waits until
the wallet has seen the block, and decides as C++ does:

- the node is in the start list: a CONFIRM of it already in the mempool -> the wallet's transactions are
  resent; else, when more than 3 blocks passed since the last try, an INITIAL confirm;
- the node is confirmed and more blocks than the era's update gap passed since its last confirm: an UPDATE
  confirm;
- else nothing ("Fluxnode found nothing to do on height ...").

A confirm is signed with the operator key, then by the benchmark daemon through its CLI, then committed
through the wallet (mempool and relay).  Failures are logged with C++'s texts and retried on a later block.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import random
import threading

from fluxd.chainstate.fluxnodes.records import CONFIRMED, STARTED
from fluxd.consensus.fluxnode_windows import update_min_gap
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, CONFIRM_UPDATE
from fluxd.core.keys import decode_wif
from fluxd.node.pon_minter import MinterIdentity, PonMinter
from fluxd.node.startup import StartupError
from fluxd.rpc.benchmark_client import BenchmarkError
from fluxd.rpc.context import NodeContext
from fluxd.rpc.fluxnode_confirming import benchmark_signed, commit_confirm, operator_signed_confirm
from fluxd.rpc.methods.benchmarks import benchmark_client
from fluxd.wallet.fluxnode_confirm import ConfirmError

log = logging.getLogger("fluxd.fluxnode")
RETRY_GAP = 3  # C++: an INITIAL confirm is tried again only when more than 3 blocks passed


class FluxnodeService:
    warmup_text = "Starting the fluxnode..."

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.last_managed = 0  # C++ nFluxnodeLastManaged
        self.blocks_before_next_check = 0  # C++ numberOfBlocksBeforeNextCheck (0 at start)
        self.last_tried_to_confirm = 0  # C++ nLastTriedToConfirm
        self.minter: PonMinter | None = None
        self._heights: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    # ----- service ------------------------------------------------------------------------------
    async def start(self) -> None:
        context = self.context
        if not context.fluxnode.enabled:
            return
        await asyncio.get_running_loop().run_in_executor(None, self._check_benchmark_daemon)
        context.chainstate.listeners.append(self._on_chain)
        self._thread = threading.Thread(target=self._run, name="fluxnode", daemon=True)
        self._thread.start()
        self.minter = PonMinter(context, self._identity)
        context.pon_minter = self.minter
        self.minter.start()

    async def stop(self) -> None:
        if self._thread is None:
            return
        if self._on_chain in self.context.chainstate.listeners:
            self.context.chainstate.listeners.remove(self._on_chain)
        loop = asyncio.get_running_loop()
        if self.minter is not None:
            await loop.run_in_executor(None, self.minter.stop)
        self._heights.put(None)
        await loop.run_in_executor(None, self._thread.join, 30)

    def _check_benchmark_daemon(self) -> None:
        """C++ init: the daemon and its CLI must be installed; started when not running (unless
        UNMANAGED_FLUXBENCHD is set, C++ fArcane); still not running -> the node does not start."""
        client = benchmark_client(self.context)
        missing = client.installed()
        if missing is not None:
            raise StartupError(missing)
        log.info("Found %s in %s", client.daemon.name, client.directory)
        if os.environ.get("UNMANAGED_FLUXBENCHD") is not None:
            return
        if not client.is_running():
            client.start()
        if not client.is_running():
            raise StartupError("Failed to start benchmark application")

    def _identity(self) -> MinterIdentity | None:
        active = self.context.fluxnode
        return MinterIdentity(active.outpoint, decode_wif(active.privkey, self.context.params.base58))

    # ----- the manager --------------------------------------------------------------------------
    def _on_chain(self, event: str, entry, block) -> None:
        """On the chain writer: only the C++ counter; the work is queued."""
        if self.minter is not None:
            self.minter.notify_tip()
        if event != "connect" or entry.height - self.last_managed < self.blocks_before_next_check:
            return
        self.last_managed = entry.height
        self.blocks_before_next_check = random.randint(1, 6)
        self._heights.put(entry.height)

    def _run(self) -> None:
        while True:
            height = self._heights.get()
            if height is None:
                return
            try:
                self.manage(height)
            except Exception:
                log.exception("Fluxnode manager failed at height %d", height)

    def manage(self, height: int) -> str | None:
        """ManageDeterministricFluxnode at ``height``: the txid of the confirm sent, or None."""
        context = self.context
        if context.wallet_service is not None:
            context.wallet_service.sync()
        outpoint = context.fluxnode.outpoint
        record = context.chainstate.fluxnode_list().get(outpoint)
        shown = outpoint.short_str()
        if record is not None and record.status == STARTED:
            if context.mempool is not None and outpoint in context.mempool.by_collateral:
                if context.wallet_service is not None:
                    context.wallet_service.resend_wallet_transactions(context.clock.now())
                log.info("Fluxnode found in start tracker. Skipping confirm transaction creation, because transaction"
                         " already in mempool %s", shown)  # fmt: skip
                return None
            if height - self.last_tried_to_confirm <= RETRY_GAP:
                return None
            update_type = CONFIRM_INITIAL
            log.info("Fluxnode found in start tracker. Creating Initial Confirm Transactions %s", shown)
        elif (record is not None and record.status == CONFIRMED
              and height - record.last_confirmed_height > update_min_gap(context.params, height)):  # fmt: skip
            update_type = CONFIRM_UPDATE
            log.info("Time to Confirm Fluxnode reached, Creating Update Confirm Transaction on height: %d for outpoint:"
                     " %s", height, shown)  # fmt: skip
        else:
            log.info("Fluxnode found nothing to do on height: %d for outpoint: %s", height, shown)
            return None
        return self._send_confirm(record, update_type, height, shown)

    def _send_confirm(self, record, update_type: int, height: int, shown: str) -> str | None:
        context = self.context
        try:
            tx = operator_signed_confirm(context, record, update_type)
        except ConfirmError as exc:
            log.error("ERROR: Failed to sign fluxnode for confirm transaction for outpoint %s, Error message: %s",
                      shown, exc.message)  # fmt: skip
            return None
        try:
            signed = benchmark_signed(benchmark_client(context), context.params, tx)
        except BenchmarkError as exc:
            log.error("ERROR: Failed to sign benchmarking for fluxnode confirm transaction for outpoint %s, Error"
                      " message: %s", shown, exc)  # fmt: skip
            return None
        sent = commit_confirm(context, signed)
        self.last_tried_to_confirm = height
        log.info("Fluxnode confirm transaction %s %s", signed.txid_hum, "sent" if sent else "refused by the mempool")
        return signed.txid_hum
