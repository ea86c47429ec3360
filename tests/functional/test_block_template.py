"""getblocktemplate -> solve -> submitblock on two real regtest nodes (PoN as C++ regtest, and PoW), errors, long polling."""

from __future__ import annotations

import threading

import pytest

from fluxd.consensus.equihash_epochs import valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve_header
from fluxd.consensus.pon import TEST_BYPASS_COLLATERAL
from fluxd.core.block import Block, BlockHeader
from fluxd.core.merkle import block_merkle_root
from fluxd.core.transaction import Transaction
from fluxd.params.networks import regtest_params
from fluxd.params.upgrades import Upgrade
from fluxd.util.hexutil import hum_to_rev
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks

MINER = "tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE"
START_TIME = 1_600_000_000
TEMPLATE_KEYS = [
    "capabilities", "version", "previousblockhash", "finalsaplingroothash", "transactions", "coinbasetxn", "longpollid",
    "target", "mintime", "mutable", "noncerange", "sigoplimit", "sizelimit", "curtime", "bits", "height", "miner_reward",
]  # fmt: skip


def _pair(tmp_path, extra: list[str]):
    nodes = [NodeProcess(tmp_path / name, [*extra, f"-mineraddress={MINER}", "-listen=1"]).start() for name in "ab"]
    for node in nodes:
        node.rpc("setmocktime", START_TIME)
    return nodes


@pytest.fixture
def pon_pair(tmp_path):
    nodes = _pair(tmp_path, [])
    yield nodes
    for node in nodes:
        node.stop()


@pytest.fixture
def pow_pair(tmp_path):
    nodes = _pair(tmp_path, ["-nuparams=pon:1000"])
    yield nodes
    for node in nodes:
        node.stop()


def block_from_template(template: dict, coinbase_bonus: int = 0) -> Block:
    coinbase = Transaction.from_hex(template["coinbasetxn"]["data"])
    if coinbase_bonus:
        first = coinbase.vout[0]
        coinbase = coinbase.copy_with(vout=(first.__class__(first.value + coinbase_bonus, first.script_pubkey), *coinbase.vout[1:]))
    txs = (coinbase, *(Transaction.from_hex(entry["data"]) for entry in template["transactions"]))
    header = BlockHeader(
        version=template["version"],
        prev_block_rev=hum_to_rev(template["previousblockhash"]),
        merkle_root_rev=block_merkle_root([tx.txid_rev for tx in txs])[0],
        final_sapling_root_rev=hum_to_rev(template["finalsaplingroothash"]),
        time=template["curtime"],
        bits=int(template["bits"], 16),
    )
    return Block(header, txs)


def pon_block(template: dict) -> Block:
    block = block_from_template(template)
    return Block(block.header.copy_with(collateral=TEST_BYPASS_COLLATERAL, block_sig=bytes(64)), block.transactions)


def pow_block(template: dict, coinbase_bonus: int = 0) -> Block:
    block = block_from_template(template, coinbase_bonus)
    eh_params = valid_eh_parameter_list(regtest_params({Upgrade.PON: 1000}), template["height"])[0]
    nonce, solution = solve_header(eh_params, block.header.prefix_bytes())
    return Block(block.header.copy_with(nonce_rev=nonce, solution=solution), block.transactions)


def _advance(nodes, seconds: int = 600) -> None:
    now = max(node.rpc("getblockheader", node.rpc("getbestblockhash"))["time"] for node in nodes) + seconds
    for node in nodes:
        node.rpc("setmocktime", now)


def _rpc_error(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failure:
        node.rpc(method, *params)
    return failure.value.code, failure.value.message


def test_errors_before_and_after_connecting(tmp_path, pon_pair):
    node_a, node_b = pon_pair
    assert _rpc_error(node_a, "getblocktemplate") == (-9, "Flux is not connected!")  # regtest too, as C++
    connect_nodes(node_a, node_b)
    assert _rpc_error(node_a, "getblocktemplate", {"mode": "bogus"}) == (-8, "Invalid mode")
    assert _rpc_error(node_a, "getblocktemplate", {"mode": 1}) == (-8, "Invalid mode")
    assert _rpc_error(node_a, "getblocktemplate", "template") == (-1, "JSON value is not an object as expected")
    assert _rpc_error(node_a, "getblocktemplate", {"mode": "proposal"}) == (-3, "Missing data String key for proposal")
    assert _rpc_error(node_a, "getblocktemplate", {"mode": "proposal", "data": "zz"}) == (-22, "Block decode failed")
    assert _rpc_error(node_a, "getblocktemplate", {"longpollid": "short"})[0] == -1
    lonely = NodeProcess(tmp_path / "c", extra_args=["-disablewallet"]).start()
    try:
        assert _rpc_error(lonely, "getblocktemplate") == (-32601, "Wallet disabled and -mineraddress not set")
    finally:
        lonely.stop()


def test_pon_template_round_trip(pon_pair):
    node_a, node_b = pon_pair
    connect_nodes(node_a, node_b)
    _advance(pon_pair)
    template = node_a.rpc("getblocktemplate")
    assert list(template) == TEMPLATE_KEYS
    tip = node_a.rpc("getbestblockhash")
    assert template["version"] == 100 and template["previousblockhash"] == tip and template["height"] == 1
    assert template["transactions"] == [] and template["coinbasetxn"]["fee"] == 0 and template["coinbasetxn"]["required"] is True
    assert template["longpollid"] == tip + "0" and template["mutable"] == ["time", "transactions", "prevblock"]
    assert template["bits"] == "207fffff" and template["target"] == "7fffff" + "0" * 58
    assert template["miner_reward"] == 14 * 10**8
    block = pon_block(template)
    assert node_a.rpc("getblocktemplate", {"mode": "proposal", "data": block.to_bytes().hex()}) is None
    assert node_a.rpc("submitblock", block.to_bytes().hex()) is None
    assert node_a.rpc("submitblock", block.to_bytes().hex()) == "duplicate"
    assert node_a.rpc("getblocktemplate", {"mode": "proposal", "data": block.to_bytes().hex()}) == "duplicate"
    sync_blocks(pon_pair)
    assert node_b.rpc("getbestblockhash") == block.hash_hum


def test_pon_funding_height_repeats_creation_fields(pon_pair):
    node_a, node_b = pon_pair
    connect_nodes(node_a, node_b)
    for _ in range(9):
        _advance(pon_pair)
        node_a.rpc("generate", 1)
    _advance(pon_pair)
    status, body, _ = node_a.raw_request(b'{"method":"getblocktemplate","params":[],"id":1}')
    text = body.decode()
    assert status == 200 and text.count('"flux_creation_address"') == 3  # exchange, foundation, swap pool (C++ pushKV appends)
    template = node_a.rpc("getblocktemplate")
    assert template["height"] == 10
    block = pon_block(template)
    assert node_a.rpc("submitblock", block.to_bytes().hex()) is None
    sync_blocks(pon_pair)


def test_pow_template_round_trip_and_results(pow_pair):
    node_a, node_b = pow_pair
    connect_nodes(node_a, node_b)
    _advance(pow_pair)
    template = node_a.rpc("getblocktemplate")
    assert template["version"] == 4 and template["height"] == 1 and template["miner_reward"] == 13_020_000 * 10**8  # the premine
    block = pow_block(template)
    bad_bits = Block(block.header.copy_with(bits=0x207FFFFE), block.transactions)
    assert node_a.rpc("getblocktemplate", {"mode": "proposal", "data": bad_bits.to_bytes().hex()}) == "bad-diffbits"
    assert node_a.rpc("submitblock", block.to_bytes().hex()) is None
    sync_blocks(pow_pair)
    assert node_b.rpc("getbestblockhash") == block.hash_hum

    _advance(pow_pair)
    stale = pow_block(node_a.rpc("getblocktemplate"))
    _advance(pow_pair, 1)
    generated = node_a.rpc("generate", 1)[0]  # the tip moves on; the stale block has as much work and arrives second
    coinbase_in = node_a.rpc("getblock", generated, 2)["tx"][0]["vin"][0]
    assert coinbase_in["coinbase"] == "520101"  # C++ IncrementExtraNonce: <height 2> CScriptNum(1)
    assert node_a.rpc("getblocktemplate", {"mode": "proposal", "data": stale.to_bytes().hex()}) == "inconclusive-not-best-prevblk"
    assert node_a.rpc("submitblock", stale.to_bytes().hex()) == "inconclusive"
    assert node_a.rpc("submitblock", stale.to_bytes().hex()) == "duplicate-inconclusive"  # stored, never connected
    assert node_a.rpc("submitblock", bad_bits.to_bytes().hex()) == "invalid-solution"  # CheckBlock (with PoW) comes first

    greedy = pow_block(node_a.rpc("getblocktemplate"), coinbase_bonus=1)
    proposal = {"mode": "proposal", "data": greedy.to_bytes().hex()}
    assert node_a.rpc("getblocktemplate", proposal) == "bad-cb-amount"
    assert node_a.rpc("submitblock", greedy.to_bytes().hex()) == "bad-cb-amount"  # stored, then fails to connect
    assert node_a.rpc("submitblock", greedy.to_bytes().hex()) == "duplicate-invalid"
    assert node_a.rpc("getblocktemplate", proposal) == "duplicate-invalid"


def test_longpoll_returns_on_a_new_tip(pow_pair):
    node_a, node_b = pow_pair
    connect_nodes(node_a, node_b)
    _advance(pow_pair)
    first = node_a.rpc("getblocktemplate")
    answers: list = []
    waiter = threading.Thread(target=lambda: answers.append(node_a.rpc("getblocktemplate", {"longpollid": first["longpollid"]})))
    waiter.start()
    waiter.join(2)
    assert waiter.is_alive() and not answers  # still waiting: the tip has not changed
    assert node_a.rpc("getblockcount") == 0  # other RPCs are answered meanwhile
    new_tip = node_a.rpc("generate", 1)[0]
    waiter.join(60)
    assert not waiter.is_alive()
    assert answers[0]["previousblockhash"] == new_tip and answers[0]["height"] == 2


def test_template_carries_mempool_transactions_to_the_other_node(tmp_path):
    from fluxd.core.address import script_to_address
    from fluxd.core.keys import PrivateKey
    from fluxd.core.script import p2pkh_script
    from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
    from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature

    key = PrivateKey(bytes([7]) * 32)
    script = p2pkh_script(key.key_id)
    address = script_to_address(script, regtest_params().base58)
    nodes = [NodeProcess(tmp_path / name, ["-nuparams=pon:1000", f"-mineraddress={address}", "-listen=1"]).start() for name in "ab"]
    try:
        node_a, node_b = nodes
        for node in nodes:
            node.rpc("setmocktime", START_TIME)
        connect_nodes(node_a, node_b)
        first = node_a.rpc("generate", 101)[0]
        sync_blocks(nodes)
        coinbase = Block.from_bytes(bytes.fromhex(node_a.rpc("getblock", first, 0))).transactions[0]
        store = KeyStore()
        store.add_key(key)

        def spend(prevout: OutPoint, value: int, fee: int) -> Transaction:
            unsigned = Transaction(version=1, vin=(TxIn(prevout, b""),), vout=(TxOut(value - fee, script),))
            signature, complete = produce_signature(store, script, SigningInput(unsigned, 0, value, 1, 0))
            assert complete
            return unsigned.copy_with(vin=(TxIn(prevout, signature),))

        parent = spend(OutPoint(coinbase.txid_rev, 0), coinbase.vout[0].value, 10_000)
        child = spend(OutPoint(parent.txid_rev, 0), parent.vout[0].value, 30_000)
        for tx in (parent, child):
            assert node_a.rpc("sendrawtransaction", tx.to_bytes().hex()) == tx.txid_hum
        _advance(nodes)
        template = node_a.rpc("getblocktemplate")
        entries = template["transactions"]
        assert [entry["hash"] for entry in entries] == [parent.txid_hum, child.txid_hum]
        assert [entry["depends"] for entry in entries] == [[], [1]] and [entry["fee"] for entry in entries] == [10_000, 30_000]
        assert list(entries[0]) == ["data", "hash", "depends", "fee", "sigops"] and entries[0]["sigops"] == 1
        assert template["coinbasetxn"]["fee"] == -40_000 and template["miner_reward"] == 150 * 10**8 + 40_000
        info = node_a.rpc("getmininginfo")
        assert info["currentblocktx"] == 2 and info["currentblocksize"] == 1000 + parent.size + child.size
        block = pow_block(template)
        assert node_a.rpc("submitblock", block.to_bytes().hex()) is None
        sync_blocks(nodes)
        assert node_b.rpc("getblock", block.hash_hum)["tx"] == [block.transactions[0].txid_hum, parent.txid_hum, child.txid_hum]

        second = Block.from_bytes(bytes.fromhex(node_a.rpc("getblock", node_a.rpc("getblockhash", 2), 0))).transactions[0]
        later = spend(OutPoint(second.txid_rev, 0), second.vout[0].value, 1_000)
        node_a.rpc("sendrawtransaction", later.to_bytes().hex())
        mined = node_a.rpc("generate", 1)[0]  # generate fills its block through the same assembler
        assert node_a.rpc("getblock", mined)["tx"][1:] == [later.txid_hum] and node_a.rpc("getrawmempool") == []
        sync_blocks(nodes)
    finally:
        for node in nodes:
            node.stop()



def test_stop_ends_a_waiting_longpoll(pow_pair):
    node_a, node_b = pow_pair
    connect_nodes(node_a, node_b)
    longpollid = node_a.rpc("getblocktemplate")["longpollid"]
    outcome: list = []

    def poll() -> None:
        try:
            outcome.append(node_a.rpc("getblocktemplate", {"longpollid": longpollid}))
        except RPCFailure as failure:
            outcome.append((failure.code, failure.message))

    waiter = threading.Thread(target=poll)
    waiter.start()
    waiter.join(2)
    assert waiter.is_alive()
    assert node_a.stop() == 0
    waiter.join(60)
    assert outcome == [(-9, "Shutting down")]
