"""The C++ UpdateTip line in debug.log, which tools grep for the sync height and progress."""

from __future__ import annotations

import logging
import math
import time

from fluxd.consensus.progress import verification_progress

log = logging.getLogger("fluxd.chainstate")


def log_update_tip(params, entry, cache) -> None:
    """``UpdateTip: new best=… height=… log2_work=… tx=… date=… progress=… cache=…MiB(…tx)`` as C++ main.cpp."""
    if not log.isEnabledFor(logging.INFO):
        return
    log2_work = math.log2(entry.chainwork) if entry.chainwork > 0 else 0.0
    date = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.time))
    log.info("UpdateTip: new best=%s  height=%d  log2_work=%.8g  tx=%d  date=%s progress=%f  cache=%.1fMiB(%dtx)",
             entry.hash_hum, entry.height, log2_work, entry.chain_tx_count, date,
             verification_progress(params.checkpoints, entry), cache.memory_usage / (1 << 20), len(cache.coins))  # fmt: skip
