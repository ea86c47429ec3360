"""zcbenchmark on a real regtest node: the transparent benchmarks run against its wallet (sendtoaddress
really sends, loadwallet reads the wallet file again), the others answer their errors."""

from __future__ import annotations

import pytest

from tests.functional.framework import NodeProcess, RPCFailure
from tests.functional.wallet_nodes import WALLET_ARGS, WalletClock

pytestmark = pytest.mark.functional


def test_zcbenchmark_on_a_wallet_node(tmp_path):
    node = NodeProcess(tmp_path / "a", WALLET_ARGS).start()
    try:
        clock = WalletClock([node])
        clock.mine(node, 101)
        pool = len(node.rpc("getrawmempool"))
        (sent,) = node.rpc("zcbenchmark", "sendtoaddress", 1, 1.5)
        assert float(sent["runningtime"]) > 0 and len(node.rpc("getrawmempool")) == pool + 1
        for kind, extra in (("listunspent", ()), ("loadwallet", ()), ("validatelargetx", (50,)), ("verifyequihash", ())):
            samples = node.rpc("zcbenchmark", kind, 2, *extra)
            assert len(samples) == 2 and all(float(sample["runningtime"]) > 0 for sample in samples), kind
        assert node.rpc("getwalletinfo")["txcount"] >= 102  # the wallet is whole after loadwallet
        with pytest.raises(RPCFailure) as failed:
            node.rpc("zcbenchmark", "nosuch", 1)
        assert (failed.value.code, failed.value.message) == (-3, "Invalid benchmarktype")
        result = node.cli("zcbenchmark", "sleep", "1")  # flux-cli converts samplecount to a number
        assert result.returncode == 0 and '"runningtime"' in result.stdout, result.stderr
    finally:
        node.stop()
