"""The IBD progress line: the target is the highest height anyone claims (our best header, the peers'
version start heights), with the percentage done and an ETA at the recent rate."""

from __future__ import annotations


def sync_target(height: int, best_header_height: int, peer_start_heights: list[int]) -> int:
    return max([height, best_header_height, *peer_start_heights])


def progress_text(height: int, target: int, blocks_per_second: float) -> str:
    percent = 100.0 * height / target if target > 0 else 100.0
    left = max(0, target - height)
    eta = f"{int(left / blocks_per_second)}s" if blocks_per_second > 0 else ("0s" if left == 0 else "unknown")
    return f"Sync progress: height {height} of {target} ({percent:.2f}%), {blocks_per_second:.1f} blocks/s, ETA {eta}"
