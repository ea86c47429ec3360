"""Compact bits, block proof, chainwork and CheckProofOfWork (fluxd.consensus.arith).

Compact cases reproduce Bitcoin's ``arith_uint256_tests.cpp`` (bignum_SetCompact),
which fluxd carries unchanged; chainwork is checked against captured mainnet RPC.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluxd.consensus.arith import (
    INT64_MAX,
    PON_BLOCK_PROOF,
    block_proof,
    block_proof_equivalent_time,
    block_work,
    check_proof_of_work,
    get_compact,
    mul_u32,
    set_compact,
    target_from_bits,
)
from fluxd.params import networks
from fluxd.util.hexutil import hum_to_rev
from tests.vectors import load_json

# (bits, value, negative, overflow, GetCompact(negative) of the decoded value)
SET_COMPACT_CASES = [
    (0x00000000, 0, False, False, 0),
    (0x00123456, 0, False, False, 0),
    (0x01003456, 0, False, False, 0),
    (0x02000056, 0, False, False, 0),
    (0x03000000, 0, False, False, 0),
    (0x04000000, 0, False, False, 0),
    (0x00923456, 0, False, False, 0),
    (0x01803456, 0, False, False, 0),
    (0x02800056, 0, False, False, 0),
    (0x03800000, 0, False, False, 0),
    (0x04800000, 0, False, False, 0),
    (0x01123456, 0x12, False, False, 0x01120000),
    (0x01FEDCBA, 0x7E, True, False, 0x01FE0000),
    (0x02123456, 0x1234, False, False, 0x02123400),
    (0x03123456, 0x123456, False, False, 0x03123456),
    (0x04123456, 0x12345600, False, False, 0x04123456),
    (0x04923456, 0x12345600, True, False, 0x04923456),
    (0x05009234, 0x92340000, False, False, 0x05009234),
    (0x20123456, 0x12345600 << 224, False, False, 0x20123456),
]


@pytest.mark.parametrize("bits,value,negative,overflow,encoded", SET_COMPACT_CASES)
def test_set_compact_bitcoin_vectors(bits, value, negative, overflow, encoded):
    decoded = set_compact(bits)
    assert (decoded.target, decoded.negative, decoded.overflow) == (value, negative, overflow)
    assert target_from_bits(bits) == value
    assert get_compact(decoded.target, decoded.negative) == encoded


def test_set_compact_overflow_flags():
    assert set_compact(0xFF123456).overflow and not set_compact(0xFF123456).negative
    # the three overflow thresholds of SetCompact: size > 34, > 33 with 2 bytes, > 32 with 3 bytes
    assert not set_compact(0x220000FF).overflow and set_compact(0x230000FF).overflow
    assert not set_compact(0x2100FFFF).overflow and set_compact(0x2200FFFF).overflow
    assert not set_compact(0x207FFFFF).overflow and set_compact(0x21010000).overflow
    # a zero mantissa is never negative or overflowing, whatever the exponent or sign bit
    assert set_compact(0xFF800000) == set_compact(0x00000000)


def test_get_compact_never_sets_the_sign_bit():
    assert get_compact(0x80) == 0x02008000
    assert get_compact(0x7FFFFF) == 0x037FFFFF
    assert get_compact(0x800000) == 0x04008000
    assert get_compact(1 << 255) == 0x21008000
    assert get_compact((1 << 256) - 1) == 0x2100FFFF
    with pytest.raises(ValueError):
        get_compact(1 << 256)


@given(st.integers(min_value=1, max_value=(1 << 256) - 1))
def test_compact_round_trip_keeps_the_top_three_bytes(value):
    bits = get_compact(value)
    decoded = set_compact(bits)
    assert not decoded.negative and not decoded.overflow
    size = (value.bit_length() + 7) // 8
    assert decoded.target <= value
    assert value - decoded.target < 1 << max(8 * (size - 2), 0)  # at worst only two bytes survive
    assert get_compact(decoded.target) == bits


def test_network_limits_encode_as_chainparams_facts():
    main, test, regtest = networks.main_params(), networks.testnet_params(), networks.regtest_params()
    assert [get_compact(p.pow_limit) for p in (main, test, regtest)] == [0x1F07FFFF, 0x200EFFFF, 0x200F0F0F]
    assert get_compact(main.pon_start_limit) == 0x1F0BFFFF
    assert get_compact(main.pon_limit) == 0x200FFFFF
    assert get_compact(regtest.pon_start_limit) == 0x207FFFFF


def test_block_proof_is_floor_of_two_pow_256_over_target_plus_one():
    for bits in (0x1F07FFFF, 0x1D2EE03B, 0x207FFFFF, 0x200F0F0F, 0x1D00FFFF, 0x03000001, 0x01010000):
        target = target_from_bits(bits)
        assert block_proof(bits) == (1 << 256) // (target + 1)
    # CONSENSUS_HEADERS.md §4: mainnet pow limit is worth 8192, the last PoW block 91 624 209
    assert block_proof(0x1F07FFFF) == 8192
    assert block_proof(0x1D2EE03B) == 91_624_209
    assert block_proof(0x207FFFFF) == 2


@pytest.mark.parametrize("bits", [0x00000000, 0x04923456, 0x01FEDCBA, 0xFF123456, 0x2300FFFF, 0x02000056])
def test_block_proof_is_zero_for_unusable_bits(bits):
    assert block_proof(bits) == 0
    assert block_work(bits, 4) == 0


def test_pon_blocks_add_a_fixed_proof():
    assert PON_BLOCK_PROOF == 1 << 40
    for bits in (0x1F0BFFFF, 0x00000000, 0xFF123456):
        assert block_work(bits, 100) == 1 << 40
        assert block_work(bits, 0x7FFFFFFF) == 1 << 40
    assert block_work(0x1F07FFFF, 99) == 8192


def _chainwork_points() -> list[tuple[int, int, int, int]]:
    """(height, version, bits, chainwork) from every captured mainnet response that has all four."""
    files = [
        "flux/daemon_getblockheader_pow_2019999.json",
        "flux/daemon_getblockheader_pon_first_2020000.json",
        "fluxos_daemon_getblock_2996812_with_start_v5.json",
        "fluxos_daemon_getblock_2996879_with_start_v6.json",
        "fluxos_daemon_getblockheader.json",
        "insight_block_pow_2019999.json",
        "insight_block_first_pon_2020000.json",
    ]
    points = set()
    for name in files:
        data = load_json(f"flux_atlas_fixtures/{name}")
        data = data.get("data", data)
        points.add((data["height"], data["version"], int(data["bits"], 16), int(data["chainwork"], 16)))
    return sorted(points)


def test_chainwork_steps_match_captured_mainnet_responses():
    points = _chainwork_points()
    heights = [point[0] for point in points]
    assert heights == [2_019_999, 2_020_000, 2_996_812, 2_996_879, 2_996_914]
    for (h0, _v0, _b0, work0), (h1, v1, b1, work1) in zip(points, points[1:]):
        # every block above 2 019 999 is PoN, so each step is (blocks) x 2^40
        assert v1 == 100
        assert work1 - work0 == (h1 - h0) * block_work(b1, v1)
    first_pon = points[1]
    assert first_pon[3] - points[0][3] == block_work(first_pon[2], first_pon[1])
    info = load_json("flux_atlas_fixtures/flux/daemon_getblockchaininfo.json")["data"]
    assert int(info["chainwork"], 16) - points[-1][3] == (info["blocks"] - points[-1][0]) * PON_BLOCK_PROOF


def test_pow_chainwork_before_pon_is_plausible():
    """2 020 000 PoW blocks each worth at least the pow-limit proof and at most the hardest plausible."""
    height, _version, bits, work = _chainwork_points()[0]
    assert work >= (height + 1) * block_proof(0x1F07FFFF)
    assert work <= (height + 1) * block_proof(bits) * 64


def _mainnet_headers():
    for entry in load_json("flux_mainnet/blocks.json")["blocks"]:
        header = bytes.fromhex(entry["header_hex"])
        if int.from_bytes(header[:4], "little") < 100:
            yield entry["network"], hum_to_rev(entry["hash"]), int.from_bytes(header[104:108], "little")


def test_real_pow_headers_meet_their_targets():
    limits = {p.network_id: p.pow_limit for p in (networks.main_params(), networks.testnet_params(), networks.regtest_params())}
    checked = 0
    for network, hash_rev, bits in _mainnet_headers():
        if network == "regtest":
            continue
        assert check_proof_of_work(hash_rev, bits, limits[network])
        just_below_hash = get_compact(int.from_bytes(hash_rev, "little") - 1)
        assert not check_proof_of_work(hash_rev, just_below_hash, limits[network])
        checked += 1
    assert checked == 4


def test_check_proof_of_work_range_checks():
    limit = networks.main_params().pow_limit
    easy_hash = (1).to_bytes(32, "little")
    assert check_proof_of_work(easy_hash, 0x1F07FFFF, limit)
    assert not check_proof_of_work(b"\xff" * 32, 0x1F07FFFF, limit)
    assert not check_proof_of_work(easy_hash, 0x1F080000, limit)  # above the pow limit
    assert not check_proof_of_work(easy_hash, 0x00000000, limit)  # zero target
    assert not check_proof_of_work(easy_hash, 0x04923456, limit)  # negative
    assert not check_proof_of_work(easy_hash, 0xFF123456, limit)  # overflow
    exact = target_from_bits(0x1D2EE03B)
    assert check_proof_of_work(exact.to_bytes(32, "little"), 0x1D2EE03B, limit)
    assert not check_proof_of_work((exact + 1).to_bytes(32, "little"), 0x1D2EE03B, limit)


def test_check_proof_of_work_always_passes_on_regtest():
    """C++ returns true right after decoding when the network is regtest, even for garbage bits."""
    for bits in (0x200F0F0F, 0x00000000, 0xFF123456, 0x04923456):
        assert check_proof_of_work(b"\xff" * 32, bits, 0, is_regtest=True)


def test_block_proof_equivalent_time_cpp_case():
    """pow_tests.cpp GetBlockProofEquivalentTime_test: equal-work blocks give back their time difference."""
    spacing = networks.main_params().pow_target_spacing
    count = 10_000
    times = [1_269_211_443 + i * spacing for i in range(count)]
    chainwork = [0] * count
    for i in range(1, count):
        chainwork[i] = chainwork[i - 1] + block_work(0x207FFFFF, 4)
    tip_proof = block_work(0x207FFFFF, 4)
    rng = random.Random(7)
    for _ in range(1000):
        a, b = rng.randrange(count), rng.randrange(count)
        assert block_proof_equivalent_time(chainwork[a], chainwork[b], tip_proof, spacing) == times[a] - times[b]


def test_block_proof_equivalent_time_saturates():
    assert block_proof_equivalent_time(1 << 200, 0, 1, 120) == INT64_MAX
    assert block_proof_equivalent_time(0, 1 << 200, 1, 120) == -INT64_MAX
    with pytest.raises(ZeroDivisionError):
        block_proof_equivalent_time(1, 0, 0, 120)


def test_mul_u32_truncates_the_factor_and_wraps():
    assert mul_u32(5, (1 << 32) + 3) == 15
    assert mul_u32(1 << 255, 2) == 0
    assert mul_u32(3, -1) == 3 * 0xFFFFFFFF


def test_chain_work_wraps_at_2_pow_256_as_arith_uint256_addition():
    from fluxd.consensus.arith import block_proof, chain_work_after

    hardest = 0x03000001  # target 1: the largest proof compact bits give (2^255)
    assert block_proof(hardest) == 2**255
    work = chain_work_after(2**256 - 1, hardest, 4)
    assert work == 2**255 - 1 and work.to_bytes(32, "big")  # stored as 32 bytes, never OverflowError
    assert chain_work_after(5, hardest, 4) == 2**255 + 5
