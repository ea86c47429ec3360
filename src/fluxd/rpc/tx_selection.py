"""Choosing mempool transactions for a new block: the selection loop of C++ miner.cpp CreateNewBlock.

C++ first fills ``-blockprioritysize`` bytes (default 1,000,000) by coin-age
priority, switching to fee-rate order as soon as the block passes that size or
the best remaining transaction no longer counts as free (priority at or below
``AllowFreeThreshold``); ``-blockprioritysize=0`` orders by fee rate from the
start.  A transaction spending another pool transaction waits until that
parent is in the block (C++ COrphan / mapDependers), so parents always come
first.  A transaction is skipped when it would reach ``-blockmaxsize`` or the
block sigop limit, when it pays less than the relay fee rate in fee order
(unless prioritised or the block is under ``-blockminsize``), when its inputs
are not available in the chain plus the transactions already chosen, or when
its inputs fail the consensus input checks.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fluxd.chainstate.coins import Coin, CoinsCache
from fluxd.consensus.tx_contextual import is_final_tx
from fluxd.consensus.sigops import MAX_BLOCK_SIGOPS, legacy_sigop_count, p2sh_tx_sigop_count
from fluxd.core.amount import COIN
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.policy import DEFAULT_MIN_RELAY_TX_FEE

MAX_BLOCK_SIZE = 2_000_000
DEFAULT_BLOCK_MAX_SIZE = MAX_BLOCK_SIZE
DEFAULT_BLOCK_PRIORITY_SIZE = DEFAULT_BLOCK_MAX_SIZE // 2
DEFAULT_BLOCK_MIN_SIZE = 0
ALLOW_FREE_THRESHOLD = COIN * 144 / 250  # AllowFreeThreshold(): a day-old coin of 1 FLUX in a 250-byte tx
CENT = COIN // 100
EMPTY_BLOCK_SIZE = 1000  # nBlockSize before any transaction (header and coinbase allowance)
EMPTY_BLOCK_SIGOPS = 100  # nBlockSigOps reserved for the coinbase


@dataclass(frozen=True)
class SelectionLimits:
    """-blockmaxsize / -blockprioritysize / -blockminsize after C++'s clamping, and the relay fee rate."""

    max_size: int = DEFAULT_BLOCK_MAX_SIZE - 1000
    priority_size: int = DEFAULT_BLOCK_PRIORITY_SIZE
    min_size: int = DEFAULT_BLOCK_MIN_SIZE
    min_relay_fee_per_k: int = DEFAULT_MIN_RELAY_TX_FEE

    @classmethod
    def from_args(cls, args) -> "SelectionLimits":
        max_size = max(1000, min(MAX_BLOCK_SIZE - 1000, _unsigned(args.get_int("-blockmaxsize", DEFAULT_BLOCK_MAX_SIZE))))
        priority = min(max_size, _unsigned(args.get_int("-blockprioritysize", DEFAULT_BLOCK_PRIORITY_SIZE)))
        min_size = min(max_size, _unsigned(args.get_int("-blockminsize", DEFAULT_BLOCK_MIN_SIZE)))
        return cls(max_size, priority, min_size)


def _unsigned(value: int) -> int:
    """C++ stores GetArg's int64 in an unsigned int."""
    return value & 0xFFFFFFFF


@dataclass
class Candidate:
    """One pool transaction being considered (C++ TxPriority tuple / COrphan)."""

    entry: object  # a MempoolEntry
    priority: float
    fee_per_k: int
    order: int  # position in the pool's own ordering: a stable tie-break
    waiting_for: set[bytes] = field(default_factory=set)  # pool parents not yet in the block

    @property
    def tx(self) -> Transaction:
        return self.entry.tx


@dataclass
class Selection:
    """What the block gets: transactions with their fees and sigops, in block order."""

    transactions: list[Transaction] = field(default_factory=list)
    fees: list[int] = field(default_factory=list)
    sigops: list[int] = field(default_factory=list)
    size: int = EMPTY_BLOCK_SIZE
    total_sigops: int = EMPTY_BLOCK_SIGOPS
    dropped_fluxnode_txs: list[bytes] = field(default_factory=list)  # collateral gone: C++ removes them from the pool

    @property
    def total_fees(self) -> int:
        return sum(self.fees)


# (tx, coins it spends in input order, the view) -> True when ContextualCheckInputs passes
InputsCheck = Callable[[Transaction, list[Coin]], bool]


@dataclass
class SelectionContext:
    height: int  # of the block being built
    lock_time_cutoff: int  # the tip's median time past (STANDARD_LOCKTIME_VERIFY_FLAGS)
    view: CoinsCache  # chain coins; chosen transactions are applied to it
    limits: SelectionLimits
    inputs_valid: InputsCheck


def fee_rate_per_k(fee: int, size: int) -> int:
    """CFeeRate(nFeePaid, nSize).GetFeePerK(): C++ integer division truncates toward zero."""
    if size <= 0:
        return 0
    value = abs(fee) * 1000 // size
    return value if fee >= 0 else -value


def modified_size(tx: Transaction, size: int) -> int:
    """CTransaction::CalculateModifiedSize: each input's fixed part and up to 110 scriptSig bytes are free."""
    for txin in tx.vin:
        offset = 41 + min(110, len(txin.script_sig))
        if size > offset:
            size -= offset
    return size


def allow_free(priority: float) -> bool:
    return priority > ALLOW_FREE_THRESHOLD


def select_transactions(entries: Iterable, context: SelectionContext) -> Selection:
    """The transactions for the block, in order, from the pool's entries (any order)."""
    pool = {entry.txid_rev: entry for entry in entries}
    selection = Selection()
    ready, dependers = _candidates(pool, context, selection)
    _fill(ready, dependers, context, selection)
    return selection


def _candidates(pool: dict, context: SelectionContext, selection: Selection) -> tuple[list[Candidate], dict[bytes, list[Candidate]]]:
    """The first pass: final, unexpired transactions with known inputs, and who waits for whom."""
    ready: list[Candidate] = []
    dependers: dict[bytes, list[Candidate]] = {}
    for order, entry in enumerate(pool.values()):
        tx = entry.tx
        if tx.is_coinbase() or not is_final_tx(tx, context.height, context.lock_time_cutoff) or _expired(tx, context.height):
            continue
        if tx.is_fluxnode_tx() and context.view.get_coin(tx.fluxnode.collateral) is None:
            selection.dropped_fluxnode_txs.append(entry.txid_rev)
            continue
        candidate = _candidate(entry, order, pool, context)
        if candidate is None:
            continue
        if candidate.waiting_for:
            for parent in candidate.waiting_for:
                dependers.setdefault(parent, []).append(candidate)
        else:
            ready.append(candidate)
    return ready, dependers


def _candidate(entry, order: int, pool: dict, context: SelectionContext) -> Candidate | None:
    tx = entry.tx
    priority_inputs = 0.0
    waiting: set[bytes] = set()
    for txin in tx.vin:
        coin = context.view.get_coin(txin.prevout)
        if coin is None:
            if txin.prevout.txid_rev not in pool:
                return None  # "mempool transaction missing input"
            waiting.add(txin.prevout.txid_rev)
            continue
        priority_inputs += coin.value * (context.height - coin.height)
    if tx.is_fluxnode_tx():
        priority_inputs += 100 * (context.height - context.view.get_coin(tx.fluxnode.collateral).height)
    size = entry.size
    mod_size = modified_size(tx, size)
    priority = priority_inputs / mod_size if mod_size else 0.0
    priority += entry.priority_delta
    fee_per_k = fee_rate_per_k(CENT, size) if tx.is_fluxnode_tx() else fee_rate_per_k(entry.modified_fee, size)
    return Candidate(entry, priority, fee_per_k, order, waiting)


def _expired(tx: Transaction, height: int) -> bool:
    return bool(tx.expiry_height) and not tx.is_coinbase() and height > tx.expiry_height


def _key(candidate: Candidate, by_fee: bool) -> tuple:
    if by_fee:
        return (-candidate.fee_per_k, -candidate.priority, candidate.order)
    return (-candidate.priority, -candidate.fee_per_k, candidate.order)


def _heap(candidates: Iterable[Candidate], by_fee: bool) -> list:
    heap = [(_key(candidate, by_fee), id(candidate), candidate) for candidate in candidates]
    heapq.heapify(heap)
    return heap


def _fill(ready: list[Candidate], dependers: dict, context: SelectionContext, selection: Selection) -> None:
    limits = context.limits
    by_fee = limits.priority_size <= 0
    heap = _heap(ready, by_fee)
    while heap:
        candidate = heapq.heappop(heap)[2]
        tx, entry = candidate.tx, candidate.entry
        size = entry.size
        if selection.size + size >= limits.max_size:
            continue
        legacy = legacy_sigop_count(tx)
        if selection.total_sigops + legacy >= MAX_BLOCK_SIGOPS:
            continue
        if by_fee and _free_skipped(candidate, selection.size + size, limits):
            continue
        if not by_fee and (selection.size + size >= limits.priority_size or not allow_free(candidate.priority)):
            by_fee = True
            heap = _heap((item[2] for item in heap), by_fee)
        sigops = _add_if_valid(candidate, legacy, context, selection)
        if sigops is None:
            continue
        for child in dependers.get(tx.txid_rev, ()):
            child.waiting_for.discard(tx.txid_rev)
            if not child.waiting_for:
                heapq.heappush(heap, (_key(child, by_fee), id(child), child))


def _free_skipped(candidate: Candidate, size_after: int, limits: SelectionLimits) -> bool:
    entry = candidate.entry
    prioritised = entry.priority_delta > 0 or entry.fee_delta > 0
    return not prioritised and candidate.fee_per_k < limits.min_relay_fee_per_k and size_after >= limits.min_size


def _add_if_valid(candidate: Candidate, legacy: int, context: SelectionContext, selection: Selection) -> int | None:
    """HaveInputs, P2SH sigops and the input checks; on success the transaction joins the block and the view."""
    tx, view = candidate.tx, context.view
    spent = [view.get_coin(txin.prevout) for txin in tx.vin]
    if any(coin is None for coin in spent):
        return None
    if tx.is_fluxnode_tx() and view.get_coin(tx.fluxnode.collateral) is None:
        return None
    sigops = legacy + _p2sh_sigops(tx, spent)
    if selection.total_sigops + sigops >= MAX_BLOCK_SIGOPS:
        return None
    if not tx.is_fluxnode_tx() and not context.inputs_valid(tx, spent):
        return None
    _update_coins(tx, view, context.height)
    selection.transactions.append(tx)
    selection.fees.append(0 if tx.is_fluxnode_tx() else candidate.entry.fee)
    selection.sigops.append(sigops)
    selection.size += candidate.entry.size
    selection.total_sigops += sigops
    return sigops


def _p2sh_sigops(tx: Transaction, spent: list[Coin]) -> int:
    if not tx.vin:
        return 0
    scripts = {txin.prevout: coin.script_pubkey for txin, coin in zip(tx.vin, spent)}
    return p2sh_tx_sigop_count(tx, scripts.__getitem__)


def _update_coins(tx: Transaction, view: CoinsCache, height: int) -> None:
    """UpdateCoins: spend the inputs, add the outputs at the new height."""
    for txin in tx.vin:
        view.spend_coin(txin.prevout)
    txid = tx.txid_rev
    for index, output in enumerate(tx.vout):
        view.add_coin(OutPoint(txid, index), Coin(output.value, output.script_pubkey, height, False, tx.version))
