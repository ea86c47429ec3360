"""How far a node is in verifying the chain (C++ Checkpoints::GuessVerificationProgress): getblockchaininfo's
``verificationprogress`` and the ``progress=`` of UpdateTip log lines."""

from __future__ import annotations

import time

SIGCHECK_VERIFICATION_FACTOR = 5.0


def verification_progress(checkpoints, tip, now: float | None = None) -> float:
    """Checkpoints::GuessVerificationProgress with signature checks counted 5x after the last checkpoint (wall clock)."""
    now = time.time() if now is None else now
    chain_tx = tip.chain_tx_count
    per_day = checkpoints.transactions_per_day
    if chain_tx <= checkpoints.transactions_last_checkpoint:
        before = float(chain_tx)
        after = (checkpoints.transactions_last_checkpoint - chain_tx) + (
            (now - checkpoints.time_last_checkpoint) / 86400.0 * per_day * SIGCHECK_VERIFICATION_FACTOR
        )
    else:
        before = checkpoints.transactions_last_checkpoint + (chain_tx - checkpoints.transactions_last_checkpoint) * SIGCHECK_VERIFICATION_FACTOR
        after = (now - tip.time) / 86400.0 * per_day * SIGCHECK_VERIFICATION_FACTOR
    total = before + after
    return before / total if total else 0.0
