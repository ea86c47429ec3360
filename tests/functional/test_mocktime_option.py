"""-mocktime at start (C++ SetMockTime(GetArg("-mocktime"))): a regtest chain mined a day ahead with setmocktime
restarts with -mocktime set to its time, and the node's clock answers from it."""

from __future__ import annotations

import time

from tests.functional.framework import NodeProcess

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


def test_a_chain_mined_in_the_future_restarts_with_mocktime(tmp_path):
    ahead = int(time.time()) + 86_400
    node = NodeProcess(tmp_path / "node", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    try:
        node.rpc("setmocktime", ahead)
        for step in range(3):
            node.rpc("setmocktime", ahead + 600 * step)
            node.rpc("generate", 1)
        tip = node.rpc("getbestblockhash")
        node.stop()
        node.extra_args.append(f"-mocktime={ahead + 1800}")
        node.start()
        assert node.rpc("getbestblockhash") == tip and node.rpc("getblockcount") == 3
        assert ahead + 1800 <= node.rpc("getblockheader", tip)["time"] + 1800 and node.rpc("uptime") == 0
        node.rpc("generate", 1)
        assert node.rpc("getblockcount") == 4
    finally:
        node.stop()
