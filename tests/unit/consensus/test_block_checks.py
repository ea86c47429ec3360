"""Header checks on the real blocks of flux_mainnet/blocks.json, with C++ reject reasons for broken copies."""

from __future__ import annotations

import pytest

from fluxd.consensus.block_check import check_block, check_block_header
from fluxd.consensus.pon import check_proof_of_node, pon_hash, pon_slot
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block, BlockHeader
from fluxd.params import networks
from tests.vectors import load_json

MAIN = networks.main_params()
BLOCKS = {(entry["network"], entry["height"]): entry for entry in load_json("flux_mainnet/blocks.json")["blocks"]}
FAR_FUTURE = 4_000_000_000


def header(height: int) -> BlockHeader:
    return BlockHeader.from_bytes(bytes.fromhex(BLOCKS[("main", height)]["header_hex"]))


@pytest.mark.parametrize("height", [0, 100000, 2019999])
def test_pow_headers_pass_and_broken_ones_fail(height):
    real = header(height)
    check_block_header(MAIN, real, FAR_FUTURE, 3_000_000)
    with pytest.raises(ValidationError, match="invalid-solution"):
        check_block_header(MAIN, real.copy_with(nonce_rev=bytes([real.nonce_rev[0] ^ 1]) + real.nonce_rev[1:]), FAR_FUTURE, 3_000_000)
    with pytest.raises(ValidationError, match="invalid-solution"):
        check_block_header(MAIN, real.copy_with(bits=real.bits - 1), FAR_FUTURE, 3_000_000)
    with pytest.raises(ValidationError, match="time-too-new"):
        check_block_header(MAIN, real, real.time - 10_000, 3_000_000)
    with pytest.raises(ValidationError, match="version-too-low"):
        check_block_header(MAIN, real.copy_with(version=3), FAR_FUTURE, 3_000_000)


def test_full_block_100000_passes_context_free_checks():
    block = Block.from_bytes(bytes.fromhex(BLOCKS[("main", 100000)]["block_hex"]))
    check_block(MAIN, block, FAR_FUTURE, 3_000_000)
    with pytest.raises(ValidationError, match="bad-txnmrklroot"):
        check_block(MAIN, Block(block.header, block.transactions[:1]), FAR_FUTURE, 3_000_000)


def test_first_pon_block_meets_its_stake_target():
    real = header(2020000)
    stake = pon_hash(real.collateral, real.prev_block_rev, pon_slot(MAIN, real.time))
    assert check_proof_of_node(MAIN, stake, real.bits, 2020000)
    assert not check_proof_of_node(MAIN, stake, 0x1D00FFFF, 2020000)
    moved = real.copy_with(time=real.time + 30)
    other_slot = pon_hash(moved.collateral, moved.prev_block_rev, pon_slot(MAIN, moved.time))
    assert other_slot != stake
    with pytest.raises(ValidationError, match="bad-pon-sig-size"):
        check_block_header(MAIN, real.copy_with(block_sig=b"\x00" * 74), FAR_FUTURE, 3_000_000)
