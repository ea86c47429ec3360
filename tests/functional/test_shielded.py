"""Shielded consensus on two real regtest nodes (ACADIA from height 1, FLUX late, PoW blocks): Sapling
transactions proven by a real prover (fluxwallet-sapling) are shielded, spent, double-spent in vain,
reorganised away and back, survive a kill -9, and both nodes agree on roots, anchors, nullifiers and value
pools; the
reproductions of money from nothing (random spends, JoinSplits, outputs, a zero Sapling root, a nullifier
spent twice) are refused with C++'s reasons in the mempool and in blocks, and never reach a template;
after FLUX shielding is refused while spending shielded notes still works."""

from __future__ import annotations

import dataclasses
import os

import pytest

from fluxd.consensus.equihash_epochs import valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve_header
from fluxd.core.block import Block, BlockHeader
from fluxd.core.merkle import block_merkle_root
from fluxd.core.script import p2pkh_script
from fluxd.core.shielded_parts import JSDescription, OutputDescription, SpendDescription
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.util.hexutil import hum_to_rev
from tests.functional.fluxnode_setup import MINER, Clock
from tests.functional.framework import NodeProcess, RPCFailure, connect_nodes, sync_blocks, wait_until
from tests.shielded_building import STANDARD_FEE, SaplingWallet, p2pkh_output
from tests.vectors import load_json

pytestmark = pytest.mark.functional

COIN = 10**8
FLUX_HEIGHT = 140
PARAMS = networks.regtest_params({Upgrade.ACADIA: 1, Upgrade.PON: 1000, Upgrade.FLUX: FLUX_HEIGHT})
ARGS = ["-nuparams=acadia:1", "-nuparams=pon:1000", f"-nuparams=flux:{FLUX_HEIGHT}", f"-mineraddress={MINER.address}",
        "-listen=1", "-txindex=1"]  # fmt: skip
MINER_SCRIPT = p2pkh_script(MINER.key.key_id)
REQUIREMENTS = "bad-txns-joinsplit-requirements-not-met"


def _rejected(node, tx: Transaction) -> tuple[int, str]:
    with pytest.raises(RPCFailure) as failed:
        node.rpc("sendrawtransaction", tx.to_bytes().hex())
    return failed.value.code, failed.value.message


def _block(node, txs: list[Transaction], sapling_root: bytes | None = None) -> Block:
    """A solved PoW block on ``node``'s tip: its template's coinbase, then ``txs``."""
    template = node.rpc("getblocktemplate")
    transactions = (Transaction.from_hex(template["coinbasetxn"]["data"]), *txs)
    header = BlockHeader(
        version=template["version"], prev_block_rev=hum_to_rev(template["previousblockhash"]),
        merkle_root_rev=block_merkle_root([tx.txid_rev for tx in transactions])[0],
        final_sapling_root_rev=hum_to_rev(template["finalsaplingroothash"]) if sapling_root is None else sapling_root,
        time=template["curtime"], bits=int(template["bits"], 16),
    )  # fmt: skip
    eh_params = valid_eh_parameter_list(PARAMS, template["height"])[0]
    nonce, solution = solve_header(eh_params, header.prefix_bytes())
    return Block(header.copy_with(nonce_rev=nonce, solution=solution), transactions)


def _v4(height: int, **fields) -> Transaction:
    return Transaction(overwintered=True, version=4, version_group_id=SAPLING_VERSION_GROUP_ID,
                       expiry_height=height + 20, **fields)  # fmt: skip


def _random_spend() -> SpendDescription:
    return SpendDescription(*(os.urandom(32) for _ in range(4)), os.urandom(192), os.urandom(64))


def _money_from_nothing(height: int) -> dict[str, Transaction]:
    """The issue's reproductions: random bytes wherever a proof or signature should be."""
    spend = _v4(height, vout=(TxOut(1_000 * COIN - STANDARD_FEE, MINER_SCRIPT),), shielded_spends=(_random_spend(),),
                value_balance=1_000 * COIN, binding_sig=os.urandom(64))  # fmt: skip
    joinsplit = JSDescription(0, 500 * COIN, os.urandom(32), (os.urandom(32), os.urandom(32)), (os.urandom(32), os.urandom(32)),
                              os.urandom(32), os.urandom(32), (os.urandom(32), os.urandom(32)), os.urandom(192),
                              (os.urandom(601), os.urandom(601)))  # fmt: skip
    sprout = _v4(height, vout=(TxOut(500 * COIN - STANDARD_FEE, MINER_SCRIPT),), joinsplits=(joinsplit,),
                 joinsplit_pubkey=os.urandom(32), joinsplit_sig=os.urandom(64))  # fmt: skip
    return {"bad-txns-sapling-spend-description-invalid": spend, "bad-txns-joinsplit-verification-failed": sprout}


def _random_output_shield(coin: tuple[str, int, int], height: int) -> Transaction:
    txid, vout, value = coin
    output = OutputDescription(os.urandom(32), os.urandom(32), os.urandom(32), os.urandom(580), os.urandom(80), os.urandom(192))
    return _v4(height, vin=(TxIn(OutPoint(hum_to_rev(txid), vout), b"", 0xFFFFFFFF),),
               vout=(TxOut(value - 10 * COIN - STANDARD_FEE, MINER_SCRIPT),), shielded_outputs=(output,),
               value_balance=-10 * COIN, binding_sig=os.urandom(64))  # fmt: skip


def _shielded_state(node) -> tuple:
    info = node.rpc("getblockchaininfo")
    blocks = [node.rpc("getblock", node.rpc("getblockhash", height)) for height in range(100, info["blocks"] + 1)]
    return info["valuePools"], info["commitments"], [(b["finalsaplingroot"], b["anchor"], b["valuePools"]) for b in blocks]


def _raw(node, block_hash: str) -> Block:
    return Block.from_bytes(bytes.fromhex(node.rpc("getblock", block_hash, 0)))


def _premine(node) -> tuple[str, int, int]:
    txid = node.rpc("getblock", node.rpc("getblockhash", 1))["tx"][0]
    return txid, 0, node.rpc("getrawtransaction", txid, 1)["vout"][0]["valueZat"]


def test_a_v2_joinsplit_signature_is_checked_before_acadia(tmp_path):
    """Flux mainnet block 100,000's v2 JoinSplit transaction (no transparent input) on a regtest node without
    ACADIA: with its own joinSplitSig it passes CheckTransaction and ContextualCheckTransaction and stops at
    its mainnet anchor (HaveShieldedRequirements); with random bytes there it is refused with C++'s reason.
    Its PHGR13 proof is not verified, as C++."""
    blocks = load_json("flux_mainnet/blocks.json")["blocks"]
    tx = Block.from_hex(next(block["block_hex"] for block in blocks if block["height"] == 100_000)).transactions[1]
    node = NodeProcess(tmp_path / "sprout", [f"-mineraddress={MINER.address}", "-connect=0"]).start()
    try:
        genesis = node.rpc("getblock", node.rpc("getblockhash", 0))  # C++ skips its ConnectBlock: a null anchor
        assert genesis["anchor"] == "00" * 32 and [pool["monitored"] for pool in genesis["valuePools"]] == [True, True]
        assert [pool["chainValueZat"] for pool in node.rpc("getblockchaininfo")["valuePools"]] == [0, 0]
        assert not tx.vin and _rejected(node, tx) == (-26, "18: bad-txns-shielded-requirements-not-met")
        forged = dataclasses.replace(tx, joinsplit_sig=os.urandom(64))
        assert _rejected(node, forged) == (-26, "16: bad-txns-invalid-joinsplit-signature")
    finally:
        node.stop()


def test_shielded_transactions_between_two_nodes(tmp_path):
    nodes = [NodeProcess(tmp_path / name, ARGS).start() for name in "ab"]
    try:
        _run(nodes)
    finally:
        for node in nodes:
            node.stop()


def _run(nodes) -> None:
    a, b = nodes
    clock = Clock(nodes)
    clock.tick(0)
    connect_nodes(b, a)
    clock.mine(101)
    wallet = SaplingWallet(b"\x01" * 32, PARAMS)
    txid, vout, value = _premine(a)
    _refuse_money_from_nothing(a, (txid, vout, value))

    shield = wallet.shield((hum_to_rev(txid), vout, value), MINER.key.secret, MINER.key.key_id, 1_000 * COIN, 102)
    a.rpc("sendrawtransaction", shield.to_bytes().hex())
    (shielded_at,) = clock.mine()
    assert _raw(b, shielded_at).transactions[1].txid_rev == shield.txid_rev
    wallet.follow_block(_raw(a, shielded_at))
    assert a.rpc("getblock", shielded_at)["finalsaplingroot"] == wallet.root[::-1].hex()
    assert b.rpc("getblockchaininfo")["valuePools"][1]["chainValueZat"] == 1_000 * COIN
    (note,) = wallet.notes

    spend = wallet.spend(note, 103, to_self=600 * COIN, transparent=[p2pkh_output(MINER.key.key_id, 400 * COIN - STANDARD_FEE)])
    other = wallet.spend(note, 103, to_self=100 * COIN, transparent=[p2pkh_output(MINER.key.key_id, 900 * COIN - STANDARD_FEE)])
    b.rpc("sendrawtransaction", spend.to_bytes().hex())
    wait_until(lambda: spend.txid_hum in a.rpc("getrawmempool"), 30, what="the spend relayed")
    assert _rejected(a, other) == (-25, "")  # its nullifier is the pool's already (C++ ATMP: return false, no reason)
    template = a.rpc("getblocktemplate")
    assert [entry["hash"] for entry in template["transactions"]] == [spend.txid_hum]
    assert a.rpc("submitblock", _block(a, [spend, other]).to_bytes().hex()) == REQUIREMENTS  # twice in one block
    (spent_at,) = clock.mine()
    wallet.follow_block(_raw(a, spent_at))
    assert _rejected(a, other) == (-26, "18: bad-txns-shielded-requirements-not-met")  # spent in the chain
    assert a.rpc("submitblock", _block(a, [other]).to_bytes().hex()) == REQUIREMENTS  # and in a later block
    assert [n.value for n in wallet.notes[1:]] == [600 * COIN]
    pools = b.rpc("getblock", spent_at)["valuePools"][1]
    assert (pools["valueDeltaZat"], pools["chainValueZat"]) == (-400 * COIN, 600 * COIN)
    agreed = _shielded_state(a)
    assert _shielded_state(b) == agreed
    b.kill()  # kill -9: the trees, anchors, nullifiers and pools come back from the last atomic flush
    b.start()
    clock.tick(0)
    connect_nodes(b, a)
    sync_blocks(nodes)
    assert _shielded_state(b) == agreed and _rejected(b, other) == (-26, "18: bad-txns-shielded-requirements-not-met")

    _reorganise(nodes, spend, (shielded_at, spent_at), agreed)
    _after_flux(nodes, clock, wallet)


def _refuse_money_from_nothing(node, coin) -> None:
    height = node.rpc("getblockcount") + 1
    random_txs = _money_from_nothing(height)
    random_txs["bad-txns-sapling-output-description-invalid"] = _random_output_shield(coin, height)
    for reason, tx in random_txs.items():
        assert _rejected(node, tx) == (-26, f"16: {reason}")
        assert node.rpc("submitblock", _block(node, [tx]).to_bytes().hex()) == reason
    assert node.rpc("submitblock", _block(node, [], sapling_root=bytes(32)).to_bytes().hex()) == "bad-sapling-root-in-block"
    assert node.rpc("getrawmempool") == [] and node.rpc("getblocktemplate")["transactions"] == []
    assert node.rpc("getblockcount") == height - 1


def _reorganise(nodes, spend: Transaction, blocks: tuple[str, str], agreed: tuple) -> None:
    """The spend's block taken away on both nodes: the spend is back in the pool, its nullifier unspent; then
    the shield's block too: the spend's anchor is gone, so it leaves the pool (C++ removeWithAnchor) while the
    shield comes back; both blocks put back."""
    a, b = nodes
    shielded_at, spent_at = blocks
    for node in nodes:
        node.rpc("invalidateblock", spent_at)
    assert spend.txid_hum in a.rpc("getrawmempool")
    assert a.rpc("getblockchaininfo")["valuePools"][1]["chainValueZat"] == 1_000 * COIN
    for node in nodes:
        node.rpc("invalidateblock", shielded_at)
    shield_txid = a.rpc("getblock", shielded_at)["tx"][1]
    assert a.rpc("getrawmempool") == [shield_txid] and a.rpc("getblockchaininfo")["valuePools"][1]["chainValueZat"] == 0
    for node in nodes:
        node.rpc("reconsiderblock", shielded_at)
    sync_blocks(nodes)
    assert a.rpc("getrawmempool") == [] and _shielded_state(a) == agreed == _shielded_state(b)


def _after_flux(nodes, clock, wallet: SaplingWallet) -> None:
    a, b = nodes
    clock.mine(FLUX_HEIGHT - a.rpc("getblockcount"))
    height = a.rpc("getblockcount") + 1
    coin_txid = a.rpc("getblock", a.rpc("getblockhash", 2))["tx"][0]
    coin = (hum_to_rev(coin_txid), 0, a.rpc("getrawtransaction", coin_txid, 1)["vout"][0]["valueZat"])
    shield = wallet.shield(coin, MINER.key.secret, MINER.key.key_id, COIN, height)
    assert _rejected(a, shield) == (-26, "16: bad-txns-fluxrebrand-vprivacy-not-empty")
    note = wallet.notes[-1]
    unshield = wallet.spend(note, height, transparent=[p2pkh_output(MINER.key.key_id, note.value - STANDARD_FEE)])
    a.rpc("sendrawtransaction", unshield.to_bytes().hex())
    (mined,) = clock.mine()
    assert unshield.txid_hum in b.rpc("getblock", mined)["tx"]
    assert b.rpc("getblockchaininfo")["valuePools"][1]["chainValueZat"] == 0
    assert _shielded_state(a) == _shielded_state(b)
