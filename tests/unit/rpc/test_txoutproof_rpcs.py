"""gettxoutproof / verifytxoutproof / decoderawblock / getdeprecationinfo / getdifficulty against C++ behaviour."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.consensus.tx_contextual import COINBASE_MATURITY
from fluxd.core.block import Block
from fluxd.core.keys import PrivateKey
from fluxd.core.merkle_block import MerkleBlock
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.context import NodeContext
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import register_all
from fluxd.rpc.methods.blockchain import difficulty_from_bits
from fluxd.rpc.methods.txoutproof import DECODERAWBLOCK_HELP, GETTXOUTPROOF_HELP
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.util.args import parse_parameters
from fluxd.util.serialize import Reader
from fluxd.util.univalue import RawNumber
from fluxd.wallet.signing import KeyStore, SigningInput, produce_signature
from tests.block_building import build_block
from tests.vectors import load_json

PON_HEIGHT = 105
PARAMS = networks.regtest_params({Upgrade.PON: PON_HEIGHT})
KEY = PrivateKey(bytes([7]) * 32)
SCRIPT = p2pkh_script(KEY.key_id)


def _spend(store, prevouts, outputs) -> Transaction:
    tx = Transaction(version=1, vin=tuple(TxIn(outpoint, b"") for outpoint, _ in prevouts), vout=tuple(outputs))
    sigs = [produce_signature(store, SCRIPT, SigningInput(tx, i, value, 1, 0))[0] for i, (_, value) in enumerate(prevouts)]
    return tx.copy_with(vin=tuple(TxIn(outpoint, sig) for (outpoint, _), sig in zip(prevouts, sigs)))


class Chain:
    """A regtest chain on an in-memory store: blocks 1..101, a split of block 1's coinbase at 102 (five of its
    eight outputs spent at 103), a six-transaction block at 103 and an empty block at 104 (PoN starts at 105)."""

    def __init__(self, block_dir, txindex: bool) -> None:
        self.time = 1_600_000_000
        self.chainstate = Chainstate(PARAMS, MemoryStore(COLUMNS), BlockFiles(block_dir, PARAMS.message_start), lambda: self.time,
                                     txindex=txindex)  # fmt: skip
        self.chainstate.load()

    def mine(self, txs=()) -> Block:
        self.time += 600
        block = build_block(PARAMS, self.chainstate.tip, SCRIPT, self.time, tuple(txs))
        self.chainstate.process_block(block)
        return block

    def build(self) -> "Chain":
        store = KeyStore()
        store.add_key(KEY)
        coinbase = self.mine().transactions[0]
        for _ in range(COINBASE_MATURITY):
            self.mine()
        value = coinbase.vout[0].value
        piece = (value - 10_000) // 8
        self.split = _spend(store, [(OutPoint(coinbase.txid_rev, 0), value)], [TxOut(piece, SCRIPT)] * 8)
        self.split_block = self.mine((self.split,))
        spends = [_spend(store, [(OutPoint(self.split.txid_rev, n), piece)], [TxOut(piece - 1_000, SCRIPT)]) for n in range(4)]
        spends.append(_spend(store, [(OutPoint(self.split.txid_rev, 4), piece)], [TxOut(piece - 1_000, SCRIPT)]))
        self.big = self.mine(spends)
        self.mine()
        return self


def _context(chainstate, params=PARAMS, tmp_path=None) -> NodeContext:
    context = NodeContext(args=parse_parameters([]), params=params, net_dir=tmp_path)
    register_all(context.rpc_table)
    context.rpc_table.set_warmup(None)
    context.chainstate = chainstate
    return context


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    chain = Chain(tmp_path_factory.mktemp("indexed") / "blocks", txindex=True).build()
    return SimpleNamespace(chain=chain, node=_context(chain.chainstate, tmp_path=tmp_path_factory.mktemp("net")))


@pytest.fixture(scope="module")
def unindexed(tmp_path_factory):
    chain = Chain(tmp_path_factory.mktemp("plain") / "blocks", txindex=False).build()
    return SimpleNamespace(chain=chain, node=_context(chain.chainstate, tmp_path=tmp_path_factory.mktemp("net2")))


def call(node, method, *params):
    return node.rpc_table.execute(node, method, list(params))


def failure(node, method, *params) -> tuple[int, str]:
    with pytest.raises(RPCError) as caught:
        call(node, method, *params)
    return caught.value.code, caught.value.message


# --- gettxoutproof / verifytxoutproof ------------------------------------------------------------


def test_proof_round_trip_with_blockhash(indexed):
    big = indexed.chain.big
    wanted = [big.transactions[3].txid_hum, big.transactions[1].txid_hum]
    proof = call(indexed.node, "gettxoutproof", wanted, big.hash_hum)
    merkle_block = MerkleBlock.read(Reader(bytes.fromhex(proof)))
    assert merkle_block.header == big.header and merkle_block.tree.total_transactions == 6
    assert call(indexed.node, "verifytxoutproof", proof) == [big.transactions[1].txid_hum, big.transactions[3].txid_hum]


def test_an_empty_list_with_a_block_proves_nothing(indexed):
    proof = call(indexed.node, "gettxoutproof", [], indexed.chain.big.hash_hum)
    assert call(indexed.node, "verifytxoutproof", proof) == []


def test_without_blockhash_the_utxo_set_finds_the_block(unindexed):
    chain, node = unindexed.chain, unindexed.node
    split = chain.split.txid_hum  # three outputs still unspent
    proof = call(node, "gettxoutproof", [split])
    assert MerkleBlock.read(Reader(bytes.fromhex(proof))).header == chain.split_block.header
    assert call(node, "verifytxoutproof", proof) == [split]


def test_without_txindex_a_spent_transaction_is_not_found(unindexed):
    spent_coinbase = unindexed.chain.chainstate.entry_at(1)
    block = unindexed.chain.chainstate.read_block(spent_coinbase)
    assert failure(unindexed.node, "gettxoutproof", [block.transactions[0].txid_hum]) == (-5, "Transaction not yet in block")


def test_with_txindex_a_spent_transaction_is_found(indexed):
    block = indexed.chain.chainstate.read_block(indexed.chain.chainstate.entry_at(1))
    txid = block.transactions[0].txid_hum
    assert call(indexed.node, "verifytxoutproof", call(indexed.node, "gettxoutproof", [txid])) == [txid]


def test_the_last_txid_picks_the_block(unindexed):
    chain, node = unindexed.chain, unindexed.node
    other = chain.big.transactions[2].txid_hum
    assert failure(node, "gettxoutproof", [other, chain.split.txid_hum]) == (-5, "(Not all) transactions not found in specified block")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], (-1, GETTXOUTPROOF_HELP)),
        ([[], "00", 1], (-1, GETTXOUTPROOF_HELP)),
        (["ab"], (-1, "JSON value is not an array as expected")),
        ([[5]], (-1, "JSON value is not a string as expected")),
        ([["zz"]], (-8, "Invalid txid zz")),
        ([["g" * 64]], (-8, "Invalid txid " + "g" * 64)),
        ([["ab" * 32, "AB" * 32]], (-8, "Invalid parameter, duplicated txid: " + "AB" * 32)),
        ([["ab" * 32], "11" * 32], (-5, "Block not found")),
        ([["ab" * 32], 7], (-1, "JSON value is not a string as expected")),
        ([["ab" * 32]], (-5, "Transaction not yet in block")),
        ([[]], (-5, "Transaction not yet in block")),
    ],
)
def test_gettxoutproof_errors(indexed, params, expected):
    assert failure(indexed.node, "gettxoutproof", *params) == expected


def test_a_tx_of_another_block(indexed):
    chain = indexed.chain
    assert failure(indexed.node, "gettxoutproof", [chain.split.txid_hum], chain.big.hash_hum) == (
        -5, "(Not all) transactions not found in specified block")  # fmt: skip


def test_blockhash_is_read_leniently_like_uint256S(indexed):
    big = indexed.chain.big
    proof = call(indexed.node, "gettxoutproof", [big.transactions[0].txid_hum], "0x" + big.hash_hum + "zz")
    assert call(indexed.node, "verifytxoutproof", proof) == [big.transactions[0].txid_hum]


def test_verifytxoutproof_errors(indexed):
    node, big = indexed.node, indexed.chain.big
    proof = bytes.fromhex(call(indexed.node, "gettxoutproof", [big.transactions[0].txid_hum], big.hash_hum))
    assert failure(node, "verifytxoutproof", "zz") == (-8, "proof must be hexadecimal string (not 'zz')")
    assert failure(node, "verifytxoutproof", 12) == (-8, "proof must be hexadecimal string (not '')")
    assert failure(node, "verifytxoutproof", proof[:-1].hex()) == (-1, "CDataStream::read(): end of data: iostream error")
    huge = proof[: len(big.header.to_bytes()) + 4] + b"\xfe\x00\x00\x00\x03"
    assert failure(node, "verifytxoutproof", huge.hex()) == (-1, "ReadCompactSize(): size too large: iostream error")
    assert call(node, "verifytxoutproof", (proof + b"trailing").hex()) == [big.transactions[0].txid_hum]
    tampered = proof[:-3] + bytes([proof[-3] ^ 1]) + proof[-2:]  # a byte of the last hash
    assert call(node, "verifytxoutproof", tampered.hex()) == []


def test_a_proof_of_a_block_off_the_chain(indexed):
    mainnet = Block.from_hex(next(e["block_hex"] for e in load_json("flux_mainnet/blocks.json")["blocks"] if e.get("block_hex")))
    proof = MerkleBlock.from_block(mainnet, {mainnet.transactions[0].txid_rev}).to_bytes().hex()
    assert failure(indexed.node, "verifytxoutproof", proof) == (-5, "Block not found in chain")


# --- decoderawblock ------------------------------------------------------------------------------

PON_BLOCK_TEXT = """CBlock(hash=d09e1b336b3c5988ec984e39b81036f00d5468946cfa3f0bb1af8afe6d2defbb, ver=100, hashPrevBlock=00000017b26f219941bd3d7aa2ea9425f3a6492295cd1d5387bdf2aa3ebf6dc7, hashMerkleRoot=a5dfb90711a53db25be2879aa73ba2b6d63bdaaee972da2461f473b0972ccd36, hashFinalSaplingRoot=22758d2483e36192e2ca6beef539801f3d6218eb6e24125da16d9cdc7a8e98d9, nTime=1761415235, nBits=1f0bffff, nNonce=0000000000000000000000000000000000000000000000000000000000000000, nSolution=, vtx=8)
  CTransaction(hash=71b7828fb8, ver=4, fOverwintered=1, nVersionGroupId=892f2085, vin.size=1, vout.size=4, nLockTime=0, nExpiryHeight=0, valueBalance=0, vShieldedSpend.size=0, vShieldedOutput.size=0)
    CTxIn(COutPoint(0000000000, 4294967295), coinbase 03a0d21e00)
    CTxOut(nValue=0.50001135, scriptPubKey=a914fa742817c4a665fccc70ce4cb4)
    CTxOut(nValue=1.00000000, scriptPubKey=76a914c218b25a9a434cfee9798dbd)
    CTxOut(nValue=3.50000000, scriptPubKey=a914fac5f92a2bd73272f31394e61a)
    CTxOut(nValue=9.00000000, scriptPubKey=76a914fbb2162302cf59547fcf79ac)

  CTransaction(hash=c84639dadf, ver=4, fOverwintered=1, nVersionGroupId=892f2085, vin.size=1, vout.size=2, nLockTime=0, nExpiryHeight=2020574, valueBalance=0, vShieldedSpend.size=0, vShieldedOutput.size=0)
    CTxIn(COutPoint(aebf1bdc68, 0), scriptSig=47304402201a48948563cbf0)
    CTxOut(nValue=1000.00000000, scriptPubKey=76a9140069adf1b2b8bd6c154a5e65)
    CTxOut(nValue=5.45998865, scriptPubKey=76a9140069adf1b2b8bd6c154a5e65)

  CTransaction(hash=aa7a8ce2dc, ver=5, type=4)

  CTransaction(hash=2e7a8d2be4, ver=5, type=4)

  CTransaction(hash=e450c3c4ff, ver=5, type=4)

  CTransaction(hash=2ce278f82b, ver=5, type=4)

  CTransaction(hash=c8887fa4bd, ver=5, type=4)

  CTransaction(hash=85e0ace126, ver=5, type=4)

  vMerkleTree: 
"""


def _mainnet_block_hex(height: int) -> str:
    return next(e["block_hex"] for e in load_json("flux_mainnet/blocks.json")["blocks"] if e.get("height") == height and e.get("block_hex"))


def test_decoderawblock_pon_block_text(indexed):
    assert call(indexed.node, "decoderawblock", _mainnet_block_hex(2_020_000)) == PON_BLOCK_TEXT
    assert call(indexed.node, "decoderawblock", _mainnet_block_hex(2_020_000) + "00ff") == PON_BLOCK_TEXT  # trailing bytes


def test_decoderawblock_pow_block_from_getblock(indexed):
    big = indexed.chain.big
    text = call(indexed.node, "decoderawblock", call(indexed.node, "getblock", big.hash_hum, 0))
    lines = text.split("\n")
    assert lines[0].startswith(f"CBlock(hash={big.hash_hum}, ver=4, hashPrevBlock={indexed.chain.split_block.hash_hum}, ")
    assert lines[0].endswith(f", nSolution={big.header.solution.hex()}, vtx=6)")
    assert lines[1] == f"  CTransaction(hash={big.transactions[0].txid_hum[:10]}, ver=1, vin.size=1, vout.size=1, nLockTime=0)"
    assert lines[2].startswith("    CTxIn(COutPoint(0000000000, 4294967295), coinbase 0167")
    assert text.endswith("\n\n  vMerkleTree: \n")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], (-1, DECODERAWBLOCK_HELP)),
        ([5], (-3, "Expected type string, got number")),
        ([RawNumber("1.5")], (-3, "Expected type string, got number")),
        ([None], (-3, "Expected type string, got null")),
        (["zz"], (-22, "Block decode failed")),
        ([""], (-22, "Block decode failed")),
        (["abc"], (-22, "Block decode failed")),
        (["04000000" + "00" * 40], (-22, "Block decode failed")),
    ],
)
def test_decoderawblock_errors(indexed, params, expected):
    assert failure(indexed.node, "decoderawblock", *params) == expected


# --- getdeprecationinfo / getdifficulty ----------------------------------------------------------


def test_getdeprecationinfo_on_mainnet(indexed, tmp_path):
    node = _context(indexed.chain.chainstate, networks.main_params(), tmp_path)
    assert call(node, "getdeprecationinfo") == {"version": 9_010_050, "subversion": "/MagicBean:9.1.0/", "deprecationheight": 4_223_640}
    assert list(call(node, "getdeprecationinfo")) == ["version", "subversion", "deprecationheight"]
    assert failure(node, "getdeprecationinfo", 1)[1].startswith("getdeprecationinfo\nReturns an object")


def test_getdeprecationinfo_elsewhere_answers_its_help(indexed):
    code, message = failure(indexed.node, "getdeprecationinfo")
    assert code == -1 and message == indexed.node.rpc_table.help("getdeprecationinfo") + "\n"
    assert message.endswith('"method": "getdeprecationinfo", "params": [] }\' -H \'content-type: text/plain;\' http://127.0.0.1:16124/\n')


def test_getdifficulty_is_the_network_difficulty(indexed):
    node = indexed.node
    difficulty = call(node, "getdifficulty")
    assert difficulty == call(node, "getblockchaininfo")["difficulty"] == call(node, "getmininginfo")["difficulty"]
    tip_difficulty = difficulty_from_bits(PARAMS, indexed.chain.chainstate.tip.bits)
    assert indexed.chain.chainstate.height == PON_HEIGHT - 1 and difficulty != tip_difficulty  # the next block is PoN
    assert call(node, "getinfo")["difficulty"] == tip_difficulty  # C++ getinfo keeps GetDifficulty (the tip's bits)
