"""getblockchaininfo's derived fields: softfork majority windows, size on disk, C++ GuessVerificationProgress."""

from __future__ import annotations

import pytest

from fluxd.params import networks
from fluxd.rpc.chain_info import size_on_disk, softforks_json, verification_progress
from fluxd.storage.block_files import BlockFiles

MAIN = networks.main_params()
REGTEST = networks.regtest_params()


class Entry:
    """A chain of index entries whose versions are ``versions`` (oldest first); this is the tip."""

    def __init__(self, versions: list[int], chain_tx_count: int = 1, time: int = 0) -> None:
        self.chain_tx_count, self.time = chain_tx_count, time
        self.version, self.prev = versions[-1], None  # an index entry keeps the header's version in memory
        walker = self
        for version in reversed(versions[:-1]):
            parent = object.__new__(Entry)
            parent.version, parent.prev, parent.chain_tx_count, parent.time = version, None, 1, 0
            walker.prev = parent
            walker = parent


def test_softfork_windows_count_versions_from_the_tip():
    tip = Entry([1] * 10 + [4] * 760)  # 760 recent v4 blocks in mainnet's 4000-block window
    bip34, bip66, bip65 = softforks_json(MAIN, tip)
    assert [bip34["id"], bip66["id"], bip65["id"]] == ["bip34", "bip66", "bip65"] and bip65["version"] == 4
    assert bip34["enforce"] == {"status": True, "found": 760, "required": 750, "window": 4000}
    assert bip34["reject"] == {"status": False, "found": 760, "required": 950, "window": 4000}
    assert list(bip34) == ["id", "version", "enforce", "reject"]


def test_verification_progress_as_cpp():
    checkpoints = MAIN.checkpoints
    last_time, last_txs, per_day = checkpoints.time_last_checkpoint, checkpoints.transactions_last_checkpoint, checkpoints.transactions_per_day
    halfway = Entry([4], chain_tx_count=last_txs // 2)
    expected = (last_txs // 2) / (last_txs // 2 + (last_txs - last_txs // 2) + 1 / 86400 * per_day * 5)
    assert verification_progress(checkpoints, halfway, now=last_time + 1) == pytest.approx(expected)
    past = Entry([4], chain_tx_count=last_txs + 100, time=1_800_000_000)
    assert verification_progress(checkpoints, past, now=1_800_000_000) == 1.0
    assert verification_progress(REGTEST.checkpoints, Entry([4], chain_tx_count=7), now=2_000_000_000) == 1.0


def test_size_on_disk_sums_the_block_files(tmp_path):
    files = BlockFiles(tmp_path / "blocks", REGTEST.message_start)
    files.append(b"\x01" * 100)
    files.append(b"\x02" * 50)
    assert size_on_disk(files) == (100 + 8) + (50 + 8)
