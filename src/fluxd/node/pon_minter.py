"""The Proof-of-Node minter of a fluxnode (C++ pon/pon-minter.cpp PONMinter).

Once a second it looks at the current 30-second slot; when the slot is new, the tip more than 5 s old and
this node's collateral eligible, it waits rank x 4 s (so better-ranked nodes go first), checks that the slot
and the tip did not change meanwhile, builds the block on its collateral (paying the dev fund, as C++),
signs the block hash with the operator key (SignPONBlock) and hands it to the chain (ProcessNewBlock; the
node relays a new tip as for any block).  The identity (collateral, operator key) comes from the active
fluxnode configuration; without one the minter waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fluxd.consensus.difficulty import next_pon_work_required
from fluxd.consensus.pon import pon_slot
from fluxd.consensus.pon_eligibility import eligible_nodes, node_rank
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import address_to_script
from fluxd.core.block import Block
from fluxd.core.ecdsa import sign_der
from fluxd.core.keys import PrivateKey
from fluxd.core.tx_parts import OutPoint
from fluxd.params.upgrades import is_pon_active
from fluxd.rpc.block_assembler import AssemblerSettings, create_new_block

log = logging.getLogger("fluxd.pon")
POLL_SECONDS = 1.0
RECENT_BLOCK_GUARD = 5  # seconds: no attempt right after a block (C++ burst guard)
RANK_DELAY_SECONDS = 4.0


@dataclass(frozen=True)
class MinterIdentity:
    collateral: OutPoint
    operator_key: PrivateKey


class PonMinter:
    def __init__(self, context, identity: Callable[[], MinterIdentity | None], sleep=None) -> None:
        self.context = context
        self.identity = identity
        self.sleep = sleep or self._sleep_until_tip_changes
        self.last_attempted_slot = -1
        self.minted: list[str] = []
        self._stop = threading.Event()
        self._tip_changed = threading.Event()
        self._thread: threading.Thread | None = None

    def notify_tip(self) -> None:
        """A new tip (chain listener): a rank wait in progress ends early; its re-check then skips the slot."""
        self._tip_changed.set()

    def _sleep_until_tip_changes(self, seconds: float) -> None:
        """C++ MilliSleep, except that a new tip or a stop ends it: after a new tip the slot is lost anyway
        (the re-check skips it), and the next slot is looked at without waiting out the old rank delay."""
        self._tip_changed.clear()
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and not self._tip_changed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._tip_changed.wait(min(left, 0.25))

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stop.is_set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pon-minter", daemon=True)
            self._thread.start()
            log.info("PON Minter thread started")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
            log.info("PON Minter stopped")

    def _run(self) -> None:
        log.info("PON Minter started")
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # one bad slot must not end the minter
                log.exception("PON minter step failed")
            self._stop.wait(POLL_SECONDS)

    def step(self) -> str | None:
        """One poll: the minted block's hash, or None (not eligible, waiting, or lost the slot)."""
        context, params = self.context, self.context.params
        chainstate = context.chainstate
        identity = self.identity()
        if identity is None or chainstate is None:
            return None
        if params.mining_requires_peers and (context.connman is None or not context.connman.peers):
            return None
        tip = chainstate.view().tip
        if not is_pon_active(params, tip.height + 1):
            return None
        now = context.clock.now()
        slot = pon_slot(params, now)
        if slot <= self.last_attempted_slot or now - tip.time < RECENT_BLOCK_GUARD:
            return None
        rank = self._rank(identity, tip, slot)
        self.last_attempted_slot = slot
        if rank == -1:
            log.debug("PON: Not eligible for slot %d", slot)
            return None
        log.info("PON: Rank %d eligible for slot %d - waiting %.1fs before minting", rank, slot, rank * RANK_DELAY_SECONDS)
        self.sleep(rank * RANK_DELAY_SECONDS)
        return self._mint_if_still_ours(identity, tip, slot)

    def _rank(self, identity: MinterIdentity, tip, slot: int) -> int:
        params = self.context.params
        bits = next_pon_work_required(params, tip)
        confirmed = [record.collateral for record in self.context.chainstate.fluxnode_list().confirmed()]
        return node_rank(eligible_nodes(params, confirmed, tip.hash_rev, tip.height + 1, slot, bits), identity.collateral)

    def _mint_if_still_ours(self, identity: MinterIdentity, tip, slot: int) -> str | None:
        context, params = self.context, self.context.params
        now = context.clock.now()
        if pon_slot(params, now) != slot:
            log.info("PON: Slot %d expired during wait, skipping", slot)
            return None
        if context.chainstate.view().tip.hash_rev != tip.hash_rev:
            log.info("PON: Slot %d already filled by another node during wait, skipping", slot)
            return None
        script = address_to_script(params.dev_fund_address, params.base58)
        settings = AssemblerSettings.from_args(context.args, params)
        template = create_new_block(context.chainstate, context.mempool, script, now, settings, identity.collateral, now)
        header = template.block.header
        header = header.copy_with(block_sig=sign_der(identity.operator_key.secret, header.hash_rev))
        block = Block(header, template.block.transactions)
        return self._process(block, tip, slot)

    def _process(self, block: Block, tip, slot: int) -> str | None:
        """ProcessPONBlock: refuse a stale block, else hand it to the chain writer."""
        chainstate = self.context.chainstate
        if block.header.prev_block_rev != chainstate.view().tip.hash_rev:
            log.info("PON: Generated block is stale")
            return None
        try:
            chainstate.run_command(chainstate.process_block, block)
        except ValidationError as failure:
            log.info("PON: ProcessNewBlock failed: %s", failure.reason)
            return None
        log.info("PON: Successfully created block at height %d for slot %d", tip.height + 1, slot)
        self.minted.append(block.hash_hum)
        return block.hash_hum
