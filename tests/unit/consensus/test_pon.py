"""Proof of Node: slot and PoN hash of real mainnet block 2,020,000, stake-target bounds, minter signature and deferral rules."""

from __future__ import annotations

import pytest

from fluxd.consensus.block_check import check_block_header, contextual_check_pon_block
from fluxd.consensus.pon import (
    TEST_BYPASS_COLLATERAL,
    NoFluxnodes,
    PonCheckFailed,
    check_proof_of_node,
    contextual_check_pon_header,
    header_pon_hash,
    pon_slot,
)
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import BlockHeader
from fluxd.core.ecdsa import sign_der
from fluxd.core.keys import PrivateKey
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.vectors import load_json

MAIN = networks.main_params()
TEST = networks.testnet_params()
REGTEST = networks.regtest_params()
FAR_FUTURE = 4_000_000_000
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
OPERATOR = PrivateKey(bytes([7]) * 32)
STRANGER = PrivateKey(bytes([8]) * 32)
BLOCKS = {(entry["network"], entry["height"]): entry for entry in load_json("flux_mainnet/blocks.json")["blocks"]}
FIRST_PON = BlockHeader.from_bytes(bytes.fromhex(BLOCKS[("main", 2020000)]["header_hex"]))
HEIGHT = 2020000


class Fluxnodes:
    def __init__(self, keys: dict[OutPoint, bytes]) -> None:
        self.keys = keys

    def operator_pubkey(self, collateral: OutPoint) -> bytes | None:
        return self.keys.get(collateral)


def signed(header: BlockHeader, key: PrivateKey) -> BlockHeader:
    return header.copy_with(block_sig=sign_der(key.secret, header.hash_rev))


def operator_view(header: BlockHeader = FIRST_PON) -> Fluxnodes:
    return Fluxnodes({header.collateral: OPERATOR.pubkey})


def high_s(der: bytes) -> bytes:
    """The same signature with S replaced by n - S (C++ normalises before verifying, so it stays valid)."""
    r_length = der[3]
    r = der[4 : 4 + r_length]
    s = int.from_bytes(der[6 + r_length :], "big")
    s_bytes = (SECP256K1_ORDER - s).to_bytes(33, "big").lstrip(b"\x00")
    if s_bytes[0] & 0x80:
        s_bytes = b"\x00" + s_bytes
    body = bytes([0x02, len(r)]) + r + bytes([0x02, len(s_bytes)]) + s_bytes
    return bytes([0x30, len(body)]) + body


def test_slot_and_pon_hash_of_the_first_pon_block():
    assert pon_slot(MAIN, FIRST_PON.time) == 8_147_841
    stake = header_pon_hash(MAIN, FIRST_PON)
    assert stake[::-1].hex().startswith("00038558") and stake[::-1].hex().endswith("ca10")
    assert check_proof_of_node(MAIN, stake, FIRST_PON.bits, HEIGHT)


def test_slot_truncates_toward_zero_before_genesis():
    assert pon_slot(MAIN, MAIN.genesis.time - 29) == 0
    assert pon_slot(MAIN, MAIN.genesis.time - 31) == (1 << 32) - 1


def test_stake_target_bounds():
    """Mainnet ponStartLimit 0x1f0bffff for the first W=30 PoN heights, then ponLimit 0x200fffff; context-free: the larger."""
    stake = header_pon_hash(MAIN, FIRST_PON)  # 00038558e60c...ca10
    window_end = HEIGHT + MAIN.pon_difficulty_window
    assert not check_proof_of_node(MAIN, stake, 0x1F038558, HEIGHT)  # target 0003855800... < hash
    assert check_proof_of_node(MAIN, stake, 0x1F038559, HEIGHT)  # target 0003855900... > hash
    assert check_proof_of_node(MAIN, stake, 0x1F0BFFFF, HEIGHT)
    assert not check_proof_of_node(MAIN, stake, 0x200FFFFF, HEIGHT)  # above ponStartLimit inside the window
    assert not check_proof_of_node(MAIN, stake, 0x200FFFFF, window_end - 1)
    assert check_proof_of_node(MAIN, stake, 0x200FFFFF, window_end)
    assert not check_proof_of_node(MAIN, stake, 0x2010FFFF, window_end)
    assert check_proof_of_node(MAIN, stake, 0x200FFFFF, 0)  # context-free bound
    assert not check_proof_of_node(MAIN, stake, 0x2010FFFF, 0)
    assert not check_proof_of_node(MAIN, stake, 0, HEIGHT)
    assert not check_proof_of_node(MAIN, stake, 0x1F8BFFFF, HEIGHT)  # negative
    assert not check_proof_of_node(MAIN, stake, 0x2300FFFF, 0)  # overflow
    assert check_proof_of_node(REGTEST, stake, 0, 1)  # regtest: always true, as C++


def test_context_free_header_check_applies_the_stake_target():
    check_block_header(MAIN, FIRST_PON, FAR_FUTURE, 3_000_000)
    with pytest.raises(ValidationError) as failure:
        check_block_header(MAIN, FIRST_PON.copy_with(bits=0x1D00FFFF), FAR_FUTURE, 3_000_000)
    assert (failure.value.reason, failure.value.dos) == ("high-hash", 50)
    check_block_header(MAIN, FIRST_PON.copy_with(bits=0x1D00FFFF), FAR_FUTURE, 3_000_000, check_pow=False)


def test_operator_signature_verifies_and_a_stranger_fails():
    header = signed(FIRST_PON, OPERATOR)
    contextual_check_pon_header(MAIN, header, HEIGHT, True, HEIGHT - 1, operator_view())
    with pytest.raises(PonCheckFailed) as failure:
        contextual_check_pon_header(MAIN, signed(FIRST_PON, STRANGER), HEIGHT, True, HEIGHT - 1, operator_view())
    assert failure.value.signature_failure
    with pytest.raises(ValidationError) as block_failure:
        contextual_check_pon_block(MAIN, signed(FIRST_PON, STRANGER), HEIGHT, HEIGHT - 1, operator_view())
    assert block_failure.value.reason == "bad-pon-block" and block_failure.value.corruption_possible


def test_high_s_signature_is_accepted():
    header = signed(FIRST_PON, OPERATOR)
    flipped = header.copy_with(block_sig=high_s(header.block_sig))
    assert flipped.block_sig != header.block_sig
    contextual_check_pon_header(MAIN, flipped, HEIGHT, True, HEIGHT - 1, operator_view())


def test_signature_is_over_the_block_hash():
    header = signed(FIRST_PON, OPERATOR)
    moved = header.copy_with(merkle_root_rev=bytes(32))  # a different hash, same signature
    view = Fluxnodes({moved.collateral: OPERATOR.pubkey})
    with pytest.raises(PonCheckFailed):
        contextual_check_pon_header(MAIN, moved, HEIGHT, True, HEIGHT - 1, view)


def test_missing_fluxnode_at_tip_plus_one_is_invalid_but_deferred_at_tip():
    with pytest.raises(PonCheckFailed) as failure:
        contextual_check_pon_header(MAIN, FIRST_PON, HEIGHT, True, HEIGHT - 1, NoFluxnodes())
    assert not failure.value.signature_failure
    with pytest.raises(ValidationError) as block_failure:
        contextual_check_pon_block(MAIN, FIRST_PON, HEIGHT, HEIGHT - 1, NoFluxnodes())
    assert not block_failure.value.corruption_possible
    contextual_check_pon_header(MAIN, FIRST_PON, HEIGHT, True, HEIGHT, NoFluxnodes())  # competing block at the tip height


@pytest.mark.parametrize("tip_height", [HEIGHT - 2, HEIGHT + 1, HEIGHT + 500])
def test_signature_deferred_away_from_the_tip(tip_height):
    garbage = FIRST_PON.copy_with(block_sig=b"\x30\x00")
    contextual_check_pon_header(MAIN, garbage, HEIGHT, True, tip_height, operator_view())


def test_header_stage_does_not_check_the_signature():
    contextual_check_pon_header(MAIN, FIRST_PON.copy_with(block_sig=b""), HEIGHT, False)


def test_bypass_collateral_only_on_test_networks():
    bypass = FIRST_PON.copy_with(collateral=TEST_BYPASS_COLLATERAL, block_sig=b"")
    contextual_check_pon_header(REGTEST, bypass, 5, True, 4, NoFluxnodes())
    other = bypass.copy_with(collateral=FIRST_PON.collateral)
    with pytest.raises(PonCheckFailed):
        contextual_check_pon_header(REGTEST, other, 5, True, 4, NoFluxnodes())
    testnet_bypass = _meeting_target(TEST, bypass, 801)
    contextual_check_pon_header(TEST, testnet_bypass, 801, True, 800, NoFluxnodes())
    mainnet_bypass = _meeting_target(MAIN, bypass, HEIGHT)
    with pytest.raises(PonCheckFailed, match="not found"):
        contextual_check_pon_header(MAIN, mainnet_bypass, HEIGHT, True, HEIGHT - 1, NoFluxnodes())


def test_not_pon_block_and_stake_failure_reasons():
    with pytest.raises(PonCheckFailed, match="not PON"):
        contextual_check_pon_header(MAIN, FIRST_PON.copy_with(version=4), HEIGHT, False)
    with pytest.raises(PonCheckFailed, match="stake hash"):
        contextual_check_pon_header(MAIN, FIRST_PON.copy_with(bits=0x1D00FFFF), HEIGHT, False)
    with pytest.raises(ValidationError, match="not-pon-block"):
        contextual_check_pon_block(MAIN, FIRST_PON.copy_with(version=4), HEIGHT, HEIGHT - 1, NoFluxnodes())
    contextual_check_pon_block(MAIN, FIRST_PON.copy_with(version=4), HEIGHT - 1, HEIGHT - 2, NoFluxnodes())  # PoW era


def _meeting_target(params, header: BlockHeader, height: int) -> BlockHeader:
    """Move the header's time slot by slot until its PoN hash meets its bits (a few thousand tries at most)."""
    for step in range(200_000):
        moved = header.copy_with(time=header.time + 30 * step)
        if check_proof_of_node(params, header_pon_hash(params, moved), moved.bits, height):
            return moved
    raise AssertionError("no slot met the target")
