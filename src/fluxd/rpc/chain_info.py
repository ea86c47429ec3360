"""getblockchaininfo's derived fields as C++ computes them: softfork majority windows, size on disk, verification progress."""

from __future__ import annotations

from fluxd.consensus.progress import verification_progress  # noqa: F401 (re-exported for RPC)


SOFTFORKS = (("bip34", 2), ("bip66", 3), ("bip65", 4))


def _majority(min_version: int, tip, required: int, window: int) -> dict:
    """SoftForkMajorityDesc: how many of the last ``window`` blocks have at least ``min_version``."""
    found, walker = 0, tip
    for _ in range(window):
        if walker is None:
            break
        if walker.version >= min_version:
            found += 1
        walker = walker.prev
    return {"status": found >= required, "found": found, "required": required, "window": window}


def softforks_json(params, tip) -> list[dict]:
    return [
        {
            "id": name,
            "version": version,
            "enforce": _majority(version, tip, params.majority_enforce_block_upgrade, params.majority_window),
            "reject": _majority(version, tip, params.majority_reject_block_outdated, params.majority_window),
        }
        for name, version in SOFTFORKS
    ]


def size_on_disk(block_files) -> int:
    """CalculateCurrentUsage: the bytes of the block files (our undo records live in the chainstate database)."""
    total = 0
    for file_no in block_files.file_numbers():
        try:
            total += block_files.path(file_no).stat().st_size
        except OSError:
            continue
    return total
