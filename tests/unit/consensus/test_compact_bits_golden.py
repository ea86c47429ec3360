"""Block proof and the PoW check on real mainnet headers and golden chainwork (compact cases: test_arith.py)."""

from __future__ import annotations


from fluxd.consensus.arith import block_work, check_proof_of_work, get_compact, set_compact


def block_proof(bits: int, version: int = 4) -> int:
    return block_work(bits, version)
from fluxd.util.hexutil import hum_to_rev
from tests.vectors import load_json


def test_get_compact_rounding():
    assert get_compact(0x80) == 0x02008000
    assert get_compact((1 << 255)) == 0x21008000


def test_block_proof():
    assert block_proof(0x1F07FFFF) == (1 << 256) // (0x07FFFF * 2**(8 * 28) + 1)
    assert block_proof(0x00000000) == 0
    assert block_proof(0x04923456) == 0
    assert block_proof(0x1D2EE03B, version=100) == 1 << 40


def test_real_blocks_meet_their_targets():
    pow_limit = int("0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16)
    for entry in load_json("flux_mainnet/blocks.json")["blocks"]:
        if entry["network"] != "main" or entry["height"] >= 2_020_000:
            continue
        header = bytes.fromhex(entry["header_hex"])
        bits = int.from_bytes(header[104:108], "little")
        assert check_proof_of_work(hum_to_rev(entry["hash"]), bits, pow_limit)
        assert not check_proof_of_work(b"\xff" * 32, bits, pow_limit)
    assert check_proof_of_work(b"\xff" * 32, 0x200F0F0F, 0, is_regtest=True)
    assert not check_proof_of_work(b"\x00" * 32, 0x2100FFFF, pow_limit)


def test_chainwork_matches_golden_fixtures():
    """PoN blocks add exactly 2^40 each: mainnet 2019999 -> 2996914 -> 2996915 chainwork from captured RPC."""
    pow_header = load_json("flux_atlas_fixtures/flux/daemon_getblockheader_pow_2019999.json")["data"]
    pon_header = load_json("flux_atlas_fixtures/fluxos_daemon_getblockheader.json")["data"]
    chain_info = load_json("flux_atlas_fixtures/flux/daemon_getblockchaininfo.json")["data"]
    pow_work, pon_work = int(pow_header["chainwork"], 16), int(pon_header["chainwork"], 16)
    assert pon_work - pow_work == (pon_header["height"] - pow_header["height"]) * block_proof(int(pon_header["bits"], 16), 100)
    assert int(chain_info["chainwork"], 16) - pon_work == block_proof(0, version=100) * (chain_info["blocks"] - pon_header["height"])
    assert block_proof(int(pow_header["bits"], 16)) > 0
