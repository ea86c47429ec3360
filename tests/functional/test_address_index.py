"""Real regtest fluxd processes with -experimentalfeatures -insightexplorer -txindex: every insight RPC against
indexes the test computes itself from the raw blocks (tests/functional/insight_model.py), mempool deltas coming
and going with the pool, a reorg to a longer competing chain and a kill -9, after which the node's indexes equal
those of a node that only saw the winning chain."""

from __future__ import annotations

import pytest

from fluxd.core.address import Destination, address_to_script, encode_destination
from fluxd.core.block import Block
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until
from tests.functional.insight_model import InsightModel, Output, amount_text

REGTEST = networks.regtest_params()
KEYS = {name: PrivateKey(bytes([seed]) * 32) for name, seed in (("a", 21), ("b", 22), ("s", 23), ("m", 24))}
ADDR = {name: encode_destination(Destination("pubkeyhash", key.key_id), REGTEST.base58) for name, key in KEYS.items()}
REDEEM = bytes([0x51, 0x21]) + KEYS["s"].pubkey + bytes([0x51, 0xAE])  # 1-of-1 multisig
ADDR["p2sh"] = encode_destination(Destination("scripthash", hash160(REDEEM)), REGTEST.base58)
WIFS = [encode_wif(key, REGTEST.base58) for key in KEYS.values()]
INSIGHT = ["-nuparams=pon:1000", "-experimentalfeatures", "-insightexplorer", "-txindex", "-listen=1", "-connect=0"]  # addnode only
START_TIME = 1_600_000_000
FEE = 10_000


class Clock:
    def __init__(self) -> None:
        self.now = START_TIME

    def mine(self, node, count: int = 1) -> list[str]:
        hashes = []
        for _ in range(count):
            self.now += 600
            node.rpc("setmocktime", self.now)
            hashes += node.rpc("generate", 1)
        return hashes


def _node(path, miner: str) -> NodeProcess:
    return NodeProcess(path, [*INSIGHT, f"-mineraddress={ADDR[miner]}"])


def _coins(zatoshis: int) -> float:
    return float(amount_text(zatoshis))


def send(node, inputs: list[tuple[str, int, int, bytes]], outputs: dict[str, int]) -> str:
    """Sign and send a spend of (txid, vout, value, script) inputs; P2SH inputs get the redeem script."""
    raw = node.rpc("createrawtransaction", [{"txid": t, "vout": n} for t, n, _, _ in inputs], {a: _coins(v) for a, v in outputs.items()})
    prevtxs = [{"txid": t, "vout": n, "scriptPubKey": s.hex(), **({"redeemScript": REDEEM.hex()} if s[0] == 0xA9 else {})}
               for t, n, _, s in inputs]  # fmt: skip
    signed = node.rpc("signrawtransaction", raw, prevtxs, WIFS)
    assert signed["complete"] is True, signed
    return node.rpc("sendrawtransaction", signed["hex"])


def raw_block(node, block_hash: str) -> Block:
    return Block.from_bytes(bytes.fromhex(node.rpc("getblock", block_hash, 0)))


def model_of(node) -> InsightModel:
    model = InsightModel(REGTEST.base58)
    for height in range(1, node.rpc("getblockcount") + 1):  # the genesis block is never connected (C++ too)
        model.add_block(height, raw_block(node, node.rpc("getblockhash", height)))
    return model


def _error(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failure:
        node.rpc(method, *params)
    return failure.value.code, failure.value.message


def _output(model: InsightModel, txid: str, n: int) -> tuple[str, int, int, bytes]:
    out = model.outputs[OutPoint(bytes.fromhex(txid)[::-1], n)]
    return txid, n, out.value, out.script


def _miner_coin(model: InsightModel, height: int) -> tuple[str, int, int, bytes]:
    block = model.blocks[height - 1][1]
    return _output(model, block.transactions[0].txid_hum, 0)


# ----- checks -----------------------------------------------------------------------------------
def index_answers(node, model: InsightModel) -> dict:
    """Every address and spent answer the node gives for what the model knows about (compared between nodes too)."""
    addresses = sorted(model.deltas)
    tip = node.rpc("getblockcount")
    answers = {
        "deltas": {a: node.rpc("getaddressdeltas", {"addresses": [a]}) for a in addresses},
        "ranged": {a: node.rpc("getaddressdeltas", {"addresses": [a], "start": 101, "end": tip}) for a in addresses},
        "balance": {a: node.rpc("getaddressbalance", a) for a in addresses},
        "txids": {a: node.rpc("getaddresstxids", {"addresses": [a]}) for a in addresses},
        "utxos": node.rpc("getaddressutxos", {"addresses": addresses}),
        "spent": {},
    }
    for outpoint in model.outputs:
        query = {"txid": outpoint.txid_rev[::-1].hex(), "index": outpoint.n}
        try:
            answers["spent"][(query["txid"], outpoint.n)] = node.rpc("getspentinfo", query)
        except RPCFailure as failure:
            answers["spent"][(query["txid"], outpoint.n)] = (failure.code, failure.message)
    return answers


def check_against_model(node, model: InsightModel) -> None:
    """The chain indexes, and for outputs a pool transaction spends, the pool's answer (C++ GetSpentIndex: mempool first)."""
    answers = index_answers(node, model)
    spends, _ = pool_spends(node, model)
    tip = node.rpc("getblockcount")
    for address in model.deltas:
        assert answers["deltas"][address] == model.expected_deltas(address), address
        assert answers["ranged"][address] == model.expected_deltas(address, 101, tip), address
        assert answers["balance"][address] == model.expected_balance(address), address
        assert answers["txids"][address] == model.expected_txids(address), address
    assert answers["utxos"] == model.expected_utxos(sorted(model.deltas))
    for outpoint in model.outputs:
        key = (outpoint.txid_rev[::-1].hex(), outpoint.n)
        spent = spends["spent"].get(outpoint) or model.spent.get(outpoint)
        expected = {"txid": spent[0], "index": spent[1], "height": spent[2]} if spent else (-5, "Unable to get spent info")
        assert answers["spent"][key] == expected, key
    for height, block in model.blocks[-12:]:
        answer = node.rpc("getblockdeltas", block.hash_hum)
        assert (answer["height"], answer["confirmations"]) == (height, tip - height + 1)
        assert answer["deltas"] == model.expected_block_deltas(block)
        check_tx_fields(node, model, block.transactions, spends)


def check_tx_fields(node, model: InsightModel, transactions, pool_spends: dict) -> None:
    """getrawtransaction 1: the -spentindex fields (values as 8-decimal amounts) where C++ TxToJSON puts them."""
    for tx in transactions:
        answer = node.rpc("getrawtransaction", tx.txid_hum, 1)
        vin, vout = model.expected_spent_fields(tx, pool_spends)
        if not tx.is_coinbase():
            assert [{k: item[k] for k in ("value", "valueSat", "address") if k in item} for item in answer["vin"]] == vin
            assert all(list(item)[-1] == "sequence" and list(item)[3] == "value" for item in answer["vin"])
        fields = ("spentTxId", "spentIndex", "spentHeight")
        assert [{k: item[k] for k in fields if k in item} for item in answer["vout"]] == vout
        assert all(list(item)[5:] == list(fields) for item, expected in zip(answer["vout"], vout) if expected)


def pool_spends(node, model: InsightModel) -> tuple[dict, list[dict]]:
    """The mempool as the test sees it (raw transactions): its outputs, its spends, and getaddressmempool's answer."""
    verbose = node.rpc("getrawmempool", True)
    txs = {txid: Transaction.from_bytes(bytes.fromhex(node.rpc("getrawtransaction", txid))) for txid in verbose}
    outputs = {OutPoint(tx.txid_rev, n): Output(out.value, out.script_pubkey, -1) for tx in txs.values() for n, out in enumerate(tx.vout)}
    spent, deltas = {}, []
    for txid, tx in txs.items():
        for index, txin in enumerate(tx.vin):
            coin = model.outputs.get(txin.prevout) or outputs[txin.prevout]
            spent[txin.prevout] = (txid, index, -1)
            deltas.append((model.address(coin.script), tx.txid_rev, index, True, verbose[txid]["time"], -coin.value, txin.prevout))
        for index, out in enumerate(tx.vout):
            deltas.append((model.address(out.script_pubkey), tx.txid_rev, index, False, verbose[txid]["time"], out.value, None))
    return {"outputs": outputs, "spent": spent, "txs": txs}, deltas


def expected_mempool(deltas: list, addresses: list[str]) -> list[dict]:
    chosen = [d for a in addresses for d in sorted((d for d in deltas if d[0] == a), key=lambda d: (d[1], d[2], d[3]))]
    chosen.sort(key=lambda d: d[4])
    result = []
    for address, txid_rev, index, spending, time, satoshis, prevout in chosen:
        item = {"address": address, "txid": txid_rev[::-1].hex(), "index": index, "satoshis": satoshis, "timestamp": time}
        if satoshis < 0:
            item.update(prevtxid=prevout.txid_hum, prevout=prevout.n)
        result.append(item)
    return result


def check_mempool(node, model: InsightModel) -> None:
    spends, deltas = pool_spends(node, model)
    addresses = [ADDR["a"], ADDR["b"], ADDR["p2sh"], ADDR["m"]]
    assert node.rpc("getaddressmempool", {"addresses": addresses}) == expected_mempool(deltas, addresses)
    for prevout, (txid, index, height) in spends["spent"].items():
        assert node.rpc("getspentinfo", {"txid": prevout.txid_hum, "index": prevout.n}) == {"txid": txid, "index": index, "height": -1}
    check_tx_fields(node, model, spends["txs"].values(), spends)


def same_chain_indexes(node, reference, model: InsightModel) -> bool:
    """Every index answer equal to ``reference``'s, but for outputs ``node``'s own mempool spends (those answer from the pool)."""
    ours, theirs = index_answers(node, model), index_answers(reference, model)
    for outpoint in pool_spends(node, model)[0]["spent"]:
        key = (outpoint.txid_hum, outpoint.n)
        assert ours["spent"].pop(key, None)["height"] == -1 and theirs["spent"].pop(key, None) == (-5, "Unable to get spent info")
    assert ours == theirs
    return True


# ----- the test ---------------------------------------------------------------------------------
def _pay(model: InsightModel, txid: str, name: str) -> tuple[str, int, int, bytes]:
    """The (first) output of ``txid`` paying ``name``, as an input for ``send``."""
    script = address_to_script(ADDR[name], REGTEST.base58)
    txid_rev = bytes.fromhex(txid)[::-1]
    n = min(p.n for p, out in model.outputs.items() if p.txid_rev == txid_rev and out.script == script)
    return _output(model, txid, n)


def _pool_output(node, txid: str, name: str) -> tuple[str, int, int, bytes]:
    tx = Transaction.from_bytes(bytes.fromhex(node.rpc("getrawtransaction", txid)))
    script = address_to_script(ADDR[name], REGTEST.base58)
    n = next(index for index, out in enumerate(tx.vout) if out.script_pubkey == script)
    return txid, n, tx.vout[n].value, script


def build_history(node, clock: Clock) -> tuple[InsightModel, dict]:
    """Coinbases to a; spends between a, b, m and the P2SH address, one block at a time; some with two inputs."""
    clock.mine(node, 101)
    model = model_of(node)
    coin1 = _miner_coin(model, 1)
    txids = {"first": send(node, [coin1], {ADDR["b"]: 3 * 10**8, ADDR["p2sh"]: 2 * 10**8, ADDR["a"]: coin1[2] - 5 * 10**8 - FEE})}
    clock.mine(node)
    model = model_of(node)
    coin2 = _miner_coin(model, 2)
    txids["second"] = send(node, [_pay(model, txids["first"], "p2sh"), coin2], {ADDR["b"]: 10**8, ADDR["p2sh"]: coin2[2] + 10**8 - FEE})  # p2sh + a
    txids["chained"] = send(node, [_pay(model, txids["first"], "b")], {ADDR["p2sh"]: 3 * 10**8 - 2 * FEE})  # b -> p2sh
    clock.mine(node)
    model = model_of(node)
    merged = [_pay(model, txids["chained"], "p2sh"), _pay(model, txids["second"], "b")]
    txids["merged"] = send(node, merged, {ADDR["a"]: 4 * 10**8 - 4 * FEE})  # p2sh + b -> a
    change = _pay(model, txids["first"], "a")
    txids["split"] = send(node, [change], {ADDR["m"]: 10**8, ADDR["b"]: change[2] - 10**8 - FEE})
    clock.mine(node)
    return model_of(node), txids


def check_pool_round_trip(node, clock: Clock, model: InsightModel, txids: dict) -> InsightModel:
    """Mempool deltas appear with the pool (a chain of two pool spends) and leave it with the next block."""
    source = _pay(model, txids["split"], "b")
    pending = send(node, [source], {ADDR["p2sh"]: 10**8, ADDR["b"]: source[2] - 10**8 - FEE})
    child = send(node, [_pool_output(node, pending, "p2sh")], {ADDR["a"]: 10**8 - FEE})
    assert {d["txid"] for d in node.rpc("getaddressmempool", {"addresses": [ADDR["p2sh"]]})} == {pending, child}
    check_mempool(node, model)
    clock.mine(node)
    assert node.rpc("getaddressmempool", {"addresses": [ADDR["a"], ADDR["p2sh"], ADDR["b"]]}) == []
    model = model_of(node)
    check_against_model(node, model)
    return model


def test_insight_indexes_through_mempool_reorg_and_kill(tmp_path):
    clock = Clock()
    node_a = _node(tmp_path / "a", "a").start()
    node_b = None
    try:
        model, txids = build_history(node_a, clock)
        assert node_a.rpc("getaddressbalance", ADDR["p2sh"])["received"] > 0
        check_against_model(node_a, model)
        model = check_pool_round_trip(node_a, clock, model, txids)

        # a second node syncs, then the two chains diverge; b's longer chain wins
        node_b = _node(tmp_path / "b", "m").start()
        node_b.rpc("setmocktime", clock.now)
        connect_nodes(node_a, node_b)
        sync_blocks([node_a, node_b])
        node_b.stop()
        fork_coin, contested = _miner_coin(model, 5), _miner_coin(model, 6)
        lost = send(node_a, [fork_coin], {ADDR["b"]: fork_coin[2] - FEE})  # only in a's losing chain: back to its pool
        conflicted = send(node_a, [contested], {ADDR["p2sh"]: contested[2] - FEE})
        fork_time = clock.now
        clock.mine(node_a, 2)
        check_against_model(node_a, model_of(node_a))
        node_b.start()
        clock.now = fork_time
        node_b.rpc("setmocktime", clock.now)
        winner = send(node_b, [contested], {ADDR["a"]: contested[2] - 2 * FEE})  # conflicts with a's spend
        clock.mine(node_b, 3)
        node_a.rpc("setmocktime", clock.now)
        connect_nodes(node_a, node_b)
        sync_blocks([node_a, node_b])
        winning = model_of(node_b)
        wait_until(lambda: lost in node_a.rpc("getrawmempool"), 30, 0.2, "the losing chain's spend back in the pool")
        assert conflicted not in node_a.rpc("getrawmempool") and winner not in node_a.rpc("getrawmempool")
        assert same_chain_indexes(node_a, node_b, winning)
        check_against_model(node_a, winning)
        check_mempool(node_a, winning)
        assert [d["txid"] for d in node_a.rpc("getaddressmempool", ADDR["b"])] == [lost]

        # kill -9 right after the reorg: the restarted node's indexes still equal b's
        node_a.kill()
        node_a.start()
        assert node_a.rpc("getbestblockhash") == node_b.rpc("getbestblockhash")
        assert same_chain_indexes(node_a, node_b, winning)
        check_against_model(node_a, winning)
        check_mempool(node_a, winning)
    finally:
        node_a.stop()
        if node_b is not None:
            node_b.stop()


def test_disabled_without_insightexplorer(tmp_path):
    node = NodeProcess(tmp_path / "plain", ["-nuparams=pon:1000", f"-mineraddress={ADDR['a']}"]).start()
    try:
        for method, params in (("getaddressbalance", [ADDR["a"]]), ("getspentinfo", [{"txid": "00" * 32, "index": 0}]),
                               ("getblockdeltas", ["00" * 32]), ("getaddressmempool", [ADDR["a"]])):  # fmt: skip
            message = f"Error: {method} is disabled. Run './flux-cli help {method}' for instructions on how to enable this feature."
            assert _error(node, method, *params) == (-1, message)
        code, message = _error(node, "getaddresstxids")
        assert code == -1 and "WARNING: getaddresstxids is disabled." in message
        genesis = node.rpc("getblockhash", 0)
        tx = node.rpc("getblock", genesis, 2)["tx"][0]
        assert all("spentTxId" not in out for out in tx["vout"])
    finally:
        node.stop()
