"""Read RPCs from several threads while the node syncs (IBD) and reorganises: every answer is whole and consistent.

Each answer must come from one published view of the chain: getblockchaininfo's
``blocks`` is the height of its ``bestblockhash``, getchaintips has exactly one
active tip of branch length 0, getblock's confirmations and next block agree,
gettxout's confirmations are counted from its own ``bestblock``.  Heights of
every block hash are known to the test (it mined them), so each answer is checked
against the chain it names.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until

pytestmark = pytest.mark.functional
HAMMER_THREADS = 4
HAMMER_SECONDS_MAX = 120  # the loops end by themselves even if the test never stops them


class Hammer:
    """Threads sending read RPCs in a loop and checking each answer; failures are collected, not raised."""

    def __init__(self, node: NodeProcess, heights: dict[str, int], coinbase_txid: str) -> None:
        self.node, self.heights, self.coinbase_txid = node, heights, coinbase_txid
        self.stop_event = threading.Event()
        self.failures: list[str] = []
        self.answers = 0
        self.threads = [threading.Thread(target=self._run, args=(seed,), daemon=True) for seed in range(HAMMER_THREADS)]

    def __enter__(self) -> "Hammer":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(30)

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        checks = [self._chaininfo, self._chaintips, self._block, self._txout]
        deadline = time.monotonic() + HAMMER_SECONDS_MAX
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            check = checks[rng.randrange(len(checks))]
            try:
                check(rng)
                self.answers += 1
            except RPCFailure as failure:
                self.failures.append(f"{check.__name__}: RPC error {failure.code} {failure}")
            except AssertionError as failure:
                self.failures.append(f"{check.__name__}: {failure}")
            except Exception as failure:  # a dropped connection, a malformed reply
                self.failures.append(f"{check.__name__}: {type(failure).__name__}: {failure}")

    def _chaininfo(self, rng) -> None:
        info = self.node.rpc("getblockchaininfo")
        assert self.heights[info["bestblockhash"]] == info["blocks"], info
        assert info["headers"] >= info["blocks"], info

    def _chaintips(self, rng) -> None:
        tips = self.node.rpc("getchaintips")
        active = [tip for tip in tips if tip["status"] == "active"]
        assert len(active) == 1 and active[0]["branchlen"] == 0, tips
        assert self.heights[active[0]["hash"]] == active[0]["height"], tips
        assert [tip["height"] for tip in tips] == sorted((tip["height"] for tip in tips), reverse=True), tips

    def _block(self, rng) -> None:
        height = rng.randrange(0, self.node.rpc("getblockcount") + 1)
        block = self.node.rpc("getblock", str(height), 1)
        if block["confirmations"] == -1:  # reorganised away since getblockcount: a side-branch answer
            assert "nextblockhash" not in block, block
            return
        assert block["height"] == self.heights[block["hash"]], block
        if "nextblockhash" in block:
            assert block["confirmations"] >= 2 and self.heights[block["nextblockhash"]] == block["height"] + 1, block
        else:
            assert block["confirmations"] == 1, block

    def _txout(self, rng) -> None:
        had_block_1 = self.node.rpc("getblockcount") >= 1  # never reorganised away in this test
        coin = self.node.rpc("gettxout", self.coinbase_txid, 0)
        if coin is None:
            assert not had_block_1, "the coinbase of block 1 vanished"
            return
        assert coin["confirmations"] == self.heights[coin["bestblock"]] - 1 + 1, coin  # mined at height 1


def _mine(node: NodeProcess, count: int, heights: dict[str, int], start_height: int) -> list[str]:
    hashes = []
    while len(hashes) < count:
        hashes += node.rpc("generate", min(50, count - len(hashes)))
    for offset, block_hash in enumerate(hashes):
        heights[block_hash] = start_height + offset
    return hashes


MOCK_TIME = 1_700_000_000


@pytest.fixture
def nodes(tmp_path):
    started = [NodeProcess(tmp_path / name, ["-listen=1", "-mineraddress=tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"]).start() for name in ("a", "b")]
    for node in started:
        node.rpc("setmocktime", MOCK_TIME)
    yield started
    for node in started:
        node.stop()


def test_read_rpcs_see_one_view_during_ibd_and_a_reorg(nodes):
    node_a, node_b = nodes
    heights = {node_a.rpc("getblockhash", 0): 0}
    first = _mine(node_a, 400, heights, 1)
    coinbase_txid = node_a.rpc("getblock", first[0])["tx"][0]

    with Hammer(node_b, heights, coinbase_txid) as during_ibd:
        connect_nodes(node_b, node_a)
        sync_blocks([node_a, node_b], timeout=300)
    assert during_ibd.failures == [] and during_ibd.answers > 20

    node_b.rpc("disconnectnode", node_b.rpc("getpeerinfo")[0]["addr"])
    wait_until(lambda: node_a.rpc("getconnectioncount") == 0 and node_b.rpc("getconnectioncount") == 0, 30)
    _mine(node_a, 5, heights, 401)
    node_b.rpc("setmocktime", MOCK_TIME + 1000)  # PoN blocks take max(now, parent time + 1): B's branch differs from A's
    longer = _mine(node_b, 40, heights, 401)
    with Hammer(node_a, heights, coinbase_txid) as during_reorg:
        connect_nodes(node_a, node_b)
        sync_blocks([node_a, node_b], timeout=300)
        time.sleep(1)
    assert node_a.rpc("getbestblockhash") == longer[-1]
    assert during_reorg.failures == [] and during_reorg.answers > 20
    tips = node_a.rpc("getchaintips")
    assert [tip["status"] for tip in tips] == ["active", "valid-fork"] and tips[1]["branchlen"] == 5
