"""The wallet's fee for a transaction it creates (C++ CWallet::GetMinimumFee and the wallet fee settings).

Rates are zatoshi per 1000 bytes and go through ``relay_fee`` (CFeeRate::GetFee: never 0 for a
positive rate).  Every setting is a field of ``FeePolicy``; the caller builds it from its options
(-paytxfee, -txconfirmtarget, -maxtxfee, -minrelaytxfee, -sendfreetransactions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from fluxd.core.amount import COIN
from fluxd.mempool.fee_estimator import ALLOW_FREE_THRESHOLD
from fluxd.mempool.policy import DEFAULT_MIN_RELAY_TX_FEE, relay_fee

DEFAULT_TRANSACTION_FEE = 0  # -paytxfee
DEFAULT_TRANSACTION_MAXFEE = COIN // 10  # -maxtxfee
DEFAULT_TX_CONFIRM_TARGET = 2  # -txconfirmtarget
MIN_TX_FEE_PER_KB = 1000  # CWallet::minTxFee, the fallback when the estimator has no answer
MAX_FREE_TRANSACTION_CREATE_SIZE = 1000


class FeeEstimates(Protocol):
    """What the wallet asks the mempool (BlockPolicyEstimator answers both)."""

    def estimate_fee(self, conf_target: int) -> int: ...  # per 1000 bytes, 0 without data

    def estimate_priority(self, conf_target: int) -> float: ...  # -1 without data


class NoEstimates:
    """An estimator that never has enough data."""

    def estimate_fee(self, conf_target: int) -> int:
        return 0

    def estimate_priority(self, conf_target: int) -> float:
        return -1.0


@dataclass(frozen=True, slots=True)
class FeePolicy:
    pay_tx_fee_per_kb: int = DEFAULT_TRANSACTION_FEE
    pay_at_least_custom_fee: bool = True  # C++ fPayAtLeastCustomFee (no option sets it)
    confirm_target: int = DEFAULT_TX_CONFIRM_TARGET
    min_tx_fee_per_kb: int = MIN_TX_FEE_PER_KB
    min_relay_fee_per_kb: int = DEFAULT_MIN_RELAY_TX_FEE
    max_tx_fee: int = DEFAULT_TRANSACTION_MAXFEE
    send_free_transactions: bool = False


def _rate_fee(rate_per_kb: int, size: int) -> int:
    return relay_fee(size, rate_per_kb) if rate_per_kb > 0 else 0


def minimum_fee(size: int, policy: FeePolicy, estimates: FeeEstimates) -> int:
    """GetMinimumFee: -paytxfee (at least one kB's worth), else the estimate, else minTxFee;
    never below the relay fee, never above -maxtxfee."""
    needed = _rate_fee(policy.pay_tx_fee_per_kb, size)
    if policy.pay_at_least_custom_fee and 0 < needed < policy.pay_tx_fee_per_kb:
        needed = policy.pay_tx_fee_per_kb
    if needed == 0:
        needed = _rate_fee(estimates.estimate_fee(policy.confirm_target), size)
    if needed == 0:
        needed = _rate_fee(policy.min_tx_fee_per_kb, size)
    relay = _rate_fee(policy.min_relay_fee_per_kb, size)
    if needed < relay:
        needed = relay
    if needed > policy.max_tx_fee:
        needed = policy.max_tx_fee
    return needed


def allow_free(priority: float) -> bool:
    """AllowFree: priority above COIN * 144 / 250."""
    return priority > ALLOW_FREE_THRESHOLD


def can_send_free(size: int, priority: float, policy: FeePolicy, estimates: FeeEstimates) -> bool:
    """CreateTransaction's free-transaction test (only with -sendfreetransactions)."""
    if not policy.send_free_transactions or size > MAX_FREE_TRANSACTION_CREATE_SIZE:
        return False
    needed = estimates.estimate_priority(policy.confirm_target)
    if needed <= 0:
        return allow_free(priority)
    return priority >= needed
