"""kill -9 while blocks are being connected: after restart tip, coins and index agree."""

from __future__ import annotations

import threading
import time

from tests.functional.framework import NodeProcess, RPCFailure

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"


def test_kill_during_generate_restarts_consistently(tmp_path):
    node = NodeProcess(tmp_path / "n", ["-nuparams=pon:1000", f"-mineraddress={MINER}"]).start()
    node.rpc("setmocktime", 1_600_000_000)
    node.rpc("generate", 5)

    def mine_forever():
        try:
            node.rpc("generate", 500)
        except Exception:  # the process is killed underneath us
            pass

    worker = threading.Thread(target=mine_forever, daemon=True)
    worker.start()
    time.sleep(1.5)
    node.kill()
    worker.join(30)
    node.start()
    height = node.rpc("getblockcount")
    assert height >= 5
    tip = node.rpc("getbestblockhash")
    assert node.rpc("getblockhash", height) == tip
    walker = tip
    for expected in range(height, max(height - 20, 0), -1):
        header = node.rpc("getblockheader", walker)
        assert header["height"] == expected and header["confirmations"] == height - expected + 1
        walker = header["previousblockhash"]
    node.rpc("setmocktime", 1_700_000_000)
    assert len(node.rpc("generate", 2)) == 2
    assert node.rpc("getblockcount") == height + 2
    try:
        node.rpc("getblockhash", height + 3)
    except RPCFailure as failure:
        assert failure.code == -8
    node.stop()
