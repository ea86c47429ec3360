"""Real blocks: header hashes (PoW and PoN), full-block round trips, merkle roots."""

from __future__ import annotations

import pytest

from fluxd.core.block import PON_HASHED_SIZE, Block, BlockHeader
from fluxd.core.hashes import sha256d
from fluxd.util.hexutil import rev_to_hum
from tests.vectors import load_json

BLOCKS = load_json("flux_mainnet/blocks.json")["blocks"]
ELECTRUMX = load_json("flux_mainnet/electrumx_zelcash_mainnet_100000.json")


@pytest.mark.parametrize("entry", BLOCKS, ids=lambda e: f"{e['network']}-{e['height']}")
def test_header_hash(entry):
    header = BlockHeader.from_hex(entry["header_hex"])
    assert header.hash_hum == entry["hash"]
    assert header.to_bytes().hex() == entry["header_hex"]


@pytest.mark.parametrize("entry", [e for e in BLOCKS if e.get("block_hex")], ids=lambda e: f"{e['network']}-{e['height']}")
def test_full_block_round_trip_and_merkle(entry):
    block = Block.from_hex(entry["block_hex"])
    assert block.to_bytes().hex() == entry["block_hex"]
    assert block.hash_hum == entry["hash"]
    root, mutated = block.compute_merkle_root()
    assert root == block.header.merkle_root_rev
    assert not mutated


def test_pon_hash_excludes_signature():
    entry = next(e for e in BLOCKS if str(e["height"]) == "2020000")
    header = BlockHeader.from_hex(entry["header_hex"])
    assert header.is_pon and header.version == 100
    raw = bytes.fromhex(entry["header_hex"])
    assert rev_to_hum(sha256d(raw[:PON_HASHED_SIZE])) == entry["hash"]
    assert header.copy_with(block_sig=b"\x30" * 70).hash_rev == header.hash_rev
    assert header.copy_with(time=header.time + 1).hash_rev != header.hash_rev


def test_pow_hash_covers_solution():
    entry = next(e for e in BLOCKS if str(e["height"]) == "100000")
    header = BlockHeader.from_hex(entry["header_hex"])
    assert header.is_pow and len(header.solution) == 1344
    flipped = bytes([header.solution[0] ^ 1]) + header.solution[1:]
    assert header.copy_with(solution=flipped).hash_rev != header.hash_rev


def test_electrumx_block_100000():
    block = Block.from_hex(ELECTRUMX["block"])
    assert block.hash_hum == ELECTRUMX["hash"]
    assert [tx.txid_hum for tx in block.transactions] == ELECTRUMX["tx"]
    assert rev_to_hum(block.compute_merkle_root()[0]) == ELECTRUMX["merkleroot"]
    assert len(block.to_bytes()) == int(ELECTRUMX["size"])
    assert block.header.time == int(ELECTRUMX["time"])
    assert f"{block.header.bits:08x}" == ELECTRUMX["bits"]
    assert rev_to_hum(block.header.nonce_rev) == ELECTRUMX["nonce"]
    assert rev_to_hum(block.header.prev_block_rev) == ELECTRUMX["previousblockhash"]
