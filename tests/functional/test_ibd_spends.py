"""IBD of a PoW regtest chain full of P2PKH spends: the fresh node checks scripts in its worker process,
pipelined while blocks queue, and ends with the source's tip and UTXO set hash."""

from __future__ import annotations

from fluxd.core.address import Destination, encode_destination
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.params import networks
from tests.functional.framework import NodeProcess, wait_until

REGTEST = networks.regtest_params()
KEY = PrivateKey(bytes([3]) * 32)
ADDRESS = encode_destination(Destination("pubkeyhash", KEY.key_id), REGTEST.base58)
WIF = encode_wif(KEY, REGTEST.base58)
START_TIME = 1_600_000_000
SPENDING_BLOCKS = 150


def _node(path, *extra):
    node = NodeProcess(path, ["-nuparams=pon:1000", f"-mineraddress={ADDRESS}", "-listen=1", *extra]).start()
    node.rpc("setmocktime", START_TIME)
    return node


def _spend(node, txid: str, value: float) -> str:
    raw = node.rpc("createrawtransaction", [{"txid": txid, "vout": 0}], {ADDRESS: round(value - 0.0001, 8)})
    signed = node.rpc("signrawtransaction", raw, None, [WIF])
    assert signed["complete"] is True
    return node.rpc("sendrawtransaction", signed["hex"])


def test_ibd_of_spending_blocks_matches_the_source(tmp_path):
    source = _node(tmp_path / "source")
    fresh = None
    try:
        now = START_TIME
        hashes = []
        for _ in range(101):
            now += 600
            source.rpc("setmocktime", now)
            hashes += source.rpc("generate", 1)
        previous = None
        for height in range(SPENDING_BLOCKS):
            coinbase = source.rpc("getblock", hashes[height])["tx"][0]
            value = float(source.rpc("gettxout", coinbase, 0)["value"])
            spent = [_spend(source, coinbase, value)]
            if previous is not None:  # and the output of the previous block's spend: a chain of spends
                spent.append(_spend(source, previous[0], previous[1]))
            previous = (spent[-1], float(source.rpc("gettxout", spent[-1], 0)["value"]))
            now += 600
            source.rpc("setmocktime", now)
            hashes += source.rpc("generate", 1)
            assert set(spent) <= set(source.rpc("getblock", hashes[-1])["tx"])
        fresh = _node(tmp_path / "fresh")
        fresh.rpc("setmocktime", now)
        fresh.rpc("addnode", f"127.0.0.1:{source.p2p_port}", "onetry")
        target = source.rpc("getblockcount")
        wait_until(lambda: fresh.rpc("getblockcount") >= target, 300, 0.2, "initial block download")
        assert fresh.rpc("getbestblockhash") == source.rpc("getbestblockhash")
        assert fresh.rpc("gettxoutsetinfo")["hash_serialized"] == source.rpc("gettxoutsetinfo")["hash_serialized"]
        assert fresh.rpc("gettxoutsetinfo")["transactions"] == source.rpc("gettxoutsetinfo")["transactions"]
    finally:
        source.stop()
        if fresh is not None:
            fresh.stop()
