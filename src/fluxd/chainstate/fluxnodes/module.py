"""The fluxnode list as a consensus state module (C++ ConnectBlock's fluxnode part and FluxnodeCache::Flush).

Per block, in the C++ order of CONSENSUS_TRANSACTIONS.md §6.5, against the list
as the parent left it: the payout check (from the payment start height), each
fluxnode transaction's checks and effects (new STARTs, INITIAL and UPDATE
confirms, delegate key updates), the DoS-list expiry, the confirmed expiry
(overdue, collateral spent in the block, old collateral after the tier
transition), START → DoS moves, and the paid nodes' last paid height.  The undo
record is every key's value before the block (``FluxnodeListWriter.undo``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.fluxnodes.columns import ALL_COLUMNS
from fluxd.chainstate.fluxnodes.list_state import FluxnodeList, FluxnodeListWriter, apply_undo, undo_records
from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED, FluxnodeRecord
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.consensus.coinbase import check_fluxnode_payouts
from fluxd.consensus.fluxnode_checks import check_confirm, check_fluxnode_tx_input, check_start, payee_script
from fluxd.consensus.fluxnode_windows import dos_entries_expire, dos_window, expiration_count, start_window
from fluxd.consensus.subsidy import block_subsidy, fluxnode_subsidy
from fluxd.core.fluxnode_tx import CONFIRM_INITIAL, DELEGATES_UPDATE, FluxnodeStart, has_delegates_feature
from fluxd.core.tx_parts import OutPoint
from fluxd.params.chainparams import ChainParams
from fluxd.params.fluxnode_tiers import Tier, collateral_amounts, tier_transition

TIERS = (Tier.CUMULUS, Tier.NIMBUS, Tier.STRATUS)


@dataclass(frozen=True, slots=True)
class Payee:
    tier: int
    record: FluxnodeRecord
    amount: int


def next_payees(params: ChainParams, fluxnodes: FluxnodeList, height: int) -> list[Payee]:
    """Who block ``height`` pays (the list as of its parent): the first of each tier, with its exact amount."""
    subsidy = block_subsidy(params, height)
    payees = []
    for tier in TIERS:
        record = fluxnodes.next_payee(tier)
        if record is not None:
            payees.append(Payee(tier, record, fluxnode_subsidy(params, height, subsidy, tier)))
    return payees


def payee_outputs(params: ChainParams, fluxnodes: FluxnodeList, height: int) -> list[tuple[bytes, int]]:
    """(script, amount) per payee of block ``height``, Cumulus first, as builders write them."""
    if height < params.start_fluxnode_payments_height:
        return []
    return [(payee.record.payee_script, payee.amount) for payee in next_payees(params, fluxnodes, height)]


class FluxnodeListModule:
    name = "fluxnodes"
    kind = "consensus"
    columns = ALL_COLUMNS

    def __init__(self, params: ChainParams) -> None:
        self.params = params
        self._changes: list[tuple[bytes, dict[OutPoint, FluxnodeRecord | None]]] | None = None  # while asked for

    def connect_block(self, context: BlockContext, state: StateWriter) -> bytes:
        fluxnodes = FluxnodeListWriter(state, context.height - 1)
        undo = _BlockConnect(self.params, context, fluxnodes).run()
        if self._changes is not None:
            self._changes.append((context.entry.hash_rev, fluxnodes.written_records()))
        return undo

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        apply_undo(state, undo or b"\x00")
        if self._changes is not None:
            self._changes.append((context.entry.hash_rev, undo_records(undo or b"\x00")))

    # ----- the ZMQ list delta's source (C++ g_fluxnodeDelta is fed by the cache flush) ---------------
    def track_changes(self) -> None:
        """From now on log the records each connected or disconnected block leaves (writer thread)."""
        if self._changes is None:
            self._changes = []

    def take_changes(self, block_hash_rev: bytes) -> dict[OutPoint, FluxnodeRecord | None]:
        """The records the connect or disconnect of this block left, as the chain tells it (writer thread);
        logged blocks before it that never became a change (a pipelined block found invalid) are dropped."""
        changes = self._changes or []
        for index, (hash_rev, records) in enumerate(changes):
            if hash_rev == block_hash_rev:
                del changes[:index + 1]
                return records
        return {}

    def list_at(self, state: StateReader, tip_height: int) -> FluxnodeList:
        return FluxnodeList(state, tip_height)


class _BlockConnect:
    """One block's pass over the list."""

    def __init__(self, params: ChainParams, context: BlockContext, fluxnodes: FluxnodeListWriter) -> None:
        self.params, self.context, self.fluxnodes = params, context, fluxnodes
        self.height = context.height
        self.spent_in_block = self._spent_outpoints()
        self.confirmed_now: set[OutPoint] = set()
        self.updated_now: set[OutPoint] = set()

    def run(self) -> bytes:
        """C++ order: the contextual fluxnode checks of every tx, the payouts, then each tx's collateral input."""
        fluxnode_txs = [tx for tx in self.context.block.transactions if tx.is_fluxnode_tx()]
        parents = {tx.fluxnode.collateral: self.fluxnodes.get(tx.fluxnode.collateral) for tx in fluxnode_txs}
        for tx in fluxnode_txs:
            self._check_contextual(tx, parents[tx.fluxnode.collateral])
        paid = self._check_payouts()
        starts, confirms = self._apply_transactions(fluxnode_txs, parents)
        expired_dos = self._expired_dos()
        expired = self._expired_confirmed()
        to_dos = self._starts_to_dos()
        for record, delegates in starts:
            self.fluxnodes.put(record)
            if delegates is not None:
                self.fluxnodes.set_delegates(record.collateral, delegates)
        for record in expired_dos:
            self.fluxnodes.remove(record.collateral)
        for record in to_dos:
            self.fluxnodes.put(record.with_(status=DOS))
        for record in confirms:
            self.fluxnodes.put(record)
        for record in expired:
            self.fluxnodes.remove(record.collateral)
        for payee in paid:  # a payee that expired in this block was paid but keeps its last paid height (C++ Flush)
            current = self.fluxnodes.get(payee.record.collateral)
            if current is not None and current.status == CONFIRMED:
                self.fluxnodes.put(current.with_(last_paid_height=self.height))
        return self.fluxnodes.undo()

    def _check_contextual(self, tx, record: FluxnodeRecord | None) -> None:
        """ContextualCheckTransaction's fluxnode part, against the parent's list and coins."""
        payload = tx.fluxnode
        if isinstance(payload, FluxnodeStart):
            check_start(self.params, tx, record, self._parent_coin(payload.collateral))
        else:
            check_confirm(self.params, tx, self.height, record)

    def _spent_outpoints(self) -> set[OutPoint]:
        return {txin.prevout for tx in self.context.block.transactions[1:] if not tx.is_fluxnode_tx() for txin in tx.vin}

    def _check_payouts(self) -> list[Payee]:
        if self.height < self.params.start_fluxnode_payments_height:
            return []
        payees = next_payees(self.params, self.fluxnodes, self.height)
        outputs = [(payee.record.payee_script, payee.amount) for payee in payees]
        check_fluxnode_payouts(self.params, self.height, self.context.block.transactions[0], outputs)
        return payees

    def _collateral(self, collateral: OutPoint):
        """The collateral coin in the block's running view at the fluxnode tx: unspent, or spent by a later tx."""
        coin = self.context.coins.get_coin(collateral) if self.context.coins is not None else None
        if coin is None and collateral in self.spent_in_block:
            coin = self._spent_coin(collateral, after=True)
        return coin

    def _parent_coin(self, collateral: OutPoint):
        """The collateral coin as the parent block left it (C++ pcoinsTip)."""
        coin = self.context.coins.get_coin(collateral) if self.context.coins is not None else None
        if coin is not None and coin.height == self.height:
            return None  # created by this very block
        if coin is None and collateral in self.spent_in_block:
            coin = self._spent_coin(collateral, after=False)
        return coin

    def _spent_coin(self, collateral: OutPoint, after: bool):
        """The coin a non-fluxnode tx of this block spent; with ``after``, only when that tx comes after the
        collateral's fluxnode tx (the spend has not happened yet in the running view)."""
        position = {id(tx): index for index, tx in enumerate(self.context.block.transactions)}
        fluxnode_position = next((position[id(tx)] for tx in self.context.block.transactions
                                  if tx.is_fluxnode_tx() and tx.fluxnode.collateral == collateral), 0)  # fmt: skip
        spenders = [tx for tx in self.context.block.transactions[1:] if not tx.is_fluxnode_tx()]
        for tx, coins in zip(spenders, self.context.undo.spent_coins if self.context.undo else ()):
            for txin, coin in zip(tx.vin, coins):
                if txin.prevout == collateral and (not after or position[id(tx)] > fluxnode_position):
                    return coin
        return None

    def _apply_transactions(self, fluxnode_txs, parents) -> tuple[list[tuple[FluxnodeRecord, list[bytes] | None]], list[FluxnodeRecord]]:
        """CheckFluxnodeTxInput per tx on the block's coins, then what each START and CONFIRM changes."""
        starts, confirms = [], {}
        for tx in fluxnode_txs:
            payload = tx.fluxnode
            coin = self._collateral(payload.collateral)
            tier, amount = check_fluxnode_tx_input(self.params, tx, self.height, coin)
            if isinstance(payload, FluxnodeStart):
                starts.append((self._started(payload, tier, amount, coin), _new_delegates(payload)))
            else:
                confirms[payload.collateral] = self._confirmed(parents[payload.collateral], payload)
        return starts, list(confirms.values())

    def _started(self, start: FluxnodeStart, tier: int, amount: int, coin) -> FluxnodeRecord:
        return FluxnodeRecord(
            collateral=start.collateral, status=STARTED, tier=tier, collateral_amount=amount,
            collateral_pubkey=start.collateral_pubkey, operator_pubkey=start.pubkey, redeem_script=start.redeem_script,
            flux_tx_version=start.flux_tx_version or 0, payee_script=payee_script(self.params, start, coin),
            added_height=self.height,
        )  # fmt: skip

    def _confirmed(self, record: FluxnodeRecord, confirm) -> FluxnodeRecord:
        ip = confirm.ip.decode("utf-8", "surrogateescape")
        if confirm.update_type == CONFIRM_INITIAL:
            self.confirmed_now.add(record.collateral)
            return record.with_(status=CONFIRMED, confirmed_height=self.height, last_confirmed_height=self.height,
                                last_paid_height=0, ip=ip)  # fmt: skip
        self.updated_now.add(record.collateral)
        return record.with_(last_confirmed_height=self.height, ip=ip)

    def _starts_to_dos(self) -> list[FluxnodeRecord]:
        """CheckForExpiredStartTx: STARTs exactly W_start old move to the DoS list unless confirmed in this block."""
        removal_height = self.height - start_window(self.params, self.height)
        return [record for record in self.fluxnodes.added_at(STARTED, removal_height)
                if record.collateral not in self.confirmed_now]  # fmt: skip

    def _expired_dos(self) -> list[FluxnodeRecord]:
        """GetUndoDataForExpiredFluxnodeDosScores (the DoS list is ordered by added height)."""
        removal_height = self.height - dos_window(self.params, self.height)
        candidates = self.fluxnodes.with_status(DOS, added_at_most=removal_height)
        return [record for record in candidates if dos_entries_expire(self.params, self.height, record.added_height)]

    def _expired_confirmed(self) -> list[FluxnodeRecord]:
        """GetUndoDataForExpiredConfirmFluxnodes over the parent's confirmed nodes: old collateral, overdue
        confirms (unless updated in this block), spent collateral."""
        expired: dict[OutPoint, FluxnodeRecord] = {}
        enforcing = self._old_collateral_rule()
        if enforcing:  # only inside the tier transition window: every confirmed node is looked at
            for record in self.fluxnodes.confirmed():
                if record.tier in enforcing and record.collateral_amount not in enforcing[record.tier]:
                    expired[record.collateral] = record
        expire_below = self.height - expiration_count(self.params, self.height)
        for record in self.fluxnodes.confirmed_last_before(expire_below):
            if record.collateral not in self.updated_now:
                expired.setdefault(record.collateral, record)
        for record in self.fluxnodes.get_many(list(self.spent_in_block)):
            if record is not None and record.status == CONFIRMED:
                expired.setdefault(record.collateral, record)
        return list(expired.values())

    def _old_collateral_rule(self) -> dict[int, frozenset[int]] | None:
        """In [Cumulus transition start, Stratus transition end + 10): tiers past their end accept only valid amounts."""
        params, height = self.params, self.height
        if not params.cumulus_transition.begin_height <= height < params.stratus_transition.end_height + 10:
            return None
        valid = frozenset().union(*(collateral_amounts(params, height, tier) for tier in TIERS))
        return {tier: valid for tier in TIERS if height >= tier_transition(params, tier).end_height}


def _new_delegates(start: FluxnodeStart) -> list[bytes] | None:
    """A START updating delegates stores its key list (an empty list deletes the stored one); None: no change."""
    if start.flux_tx_version is None or not has_delegates_feature(start.flux_tx_version):
        return None
    delegates = start.delegates
    if not start.using_delegates or delegates is None or delegates.n_type != DELEGATES_UPDATE:
        return None
    return list(delegates.keys)


__all__ = ["FluxnodeListModule", "Payee", "next_payees", "payee_outputs"]
