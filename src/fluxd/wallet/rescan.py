"""Rescanning the active chain for the wallet's transactions (C++ ScanForWalletTransactions)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("fluxd.wallet")
KEY_TIME_SLACK = 7200  # blocks older than the first key by more than this cannot pay it
BLOCKS_PER_TRANSACTION = 200
PROGRESS_SECONDS = 10.0


def rescan_start(wallet, view, full: bool):
    """Where the start-up rescan begins: after the wallet's best block (its fork point); None when up to date."""
    if full:
        return view.at(0)
    stored = wallet.best_block()
    if stored is None:
        return view.at(0)
    entry = view.lookup(stored)
    if entry is None:
        return view.at(0)
    fork = view.fork_point(entry)
    if fork is None:
        return view.at(0)
    return None if fork.height >= view.height else view.at(fork.height + 1)


def rescan_from(wallet, chainstate, start, stop_height: int | None = None) -> int:
    """Scan the active blocks from ``start``; the number of wallet transactions found or updated."""
    view = chainstate.view()
    last = view.height if stop_height is None else min(stop_height, view.height)
    first_key = wallet.keys.first_key_time
    height = start.height
    while height <= last and first_key and view.at(height).time < first_key - KEY_TIME_SLACK:
        height += 1
    found, began, reported = 0, time.monotonic(), time.monotonic()
    log.info("Rescanning last %d blocks (from block %d)...", max(0, last - height + 1), height)
    while height <= last:
        end = min(last, height + BLOCKS_PER_TRANSACTION - 1)
        with wallet.lock, wallet.file.transaction():
            for at in range(height, end + 1):
                entry = view.at(at)
                block = chainstate.read_block(entry)
                for index, tx in enumerate(block.transactions):
                    found += wallet.sync_transaction(tx, block.hash_rev, index)
            wallet.set_best_block(view.at(end).hash_rev)
        height = end + 1
        if time.monotonic() - reported >= PROGRESS_SECONDS:
            reported = time.monotonic()
            done = height - start.height
            log.info("Still rescanning. At block %d (%.1f%%, %.0f blocks/s)", height, 100.0 * done / max(1, last - start.height + 1), done / max(1e-9, reported - began))
    log.info("Rescan done: %d wallet transactions, %.1f s", found, time.monotonic() - began)
    return found
