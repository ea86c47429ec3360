"""equihash_vectors.json: expand/compress, minimal encodings, solver and validator cases, real headers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.consensus.equihash import (
    check_equihash_solution,
    compress_array,
    expand_array,
    indices_from_minimal,
    is_valid_solution,
    minimal_from_indices,
    params_for_solution_size,
)
from fluxd.consensus.equihash_epochs import solution_size_allowed, valid_eh_parameter_list
from fluxd.consensus.equihash_solver import solve, solve_header
from fluxd.params import networks
from fluxd.params.chainparams import EH48_5, EH96_5, EH144_5, EH200_9, ZELHASH, EquihashParams
from fluxd.params.upgrades import Upgrade
from tests.vectors import load_json

VECTORS = load_json("equihash_vectors.json")


@pytest.mark.parametrize("case", VECTORS["expand_compress_vectors"], ids=lambda case: case["scope"][:30])
def test_expand_compress(case):
    compact, expanded = bytes.fromhex(case["compact_hex"]), bytes.fromhex(case["expanded_hex"])
    assert expand_array(compact, case["bit_len"], case["byte_pad"]) == expanded
    assert compress_array(expanded, case["bit_len"], case["byte_pad"]) == compact


@pytest.mark.parametrize("case", VECTORS["minimal_solution_representation_vectors"], ids=lambda case: case["scope"])
def test_minimal_representation(case):
    minimal = bytes.fromhex(case["minimal_hex"])
    assert minimal_from_indices(case["indices"], case["collision_bit_len"]) == minimal
    assert indices_from_minimal(minimal, case["collision_bit_len"]) == case["indices"]


@pytest.mark.parametrize("case", VECTORS["solver_vectors_96_5_ZcashPoW"], ids=lambda case: f"{case['input_I_ascii'][:12]}-{case['nonce_int']}")
def test_solver_96_5(case):
    header_input = case["input_I_ascii"].encode() + case["nonce_int"].to_bytes(32, "little")
    solutions = solve(EquihashParams(case["n"], case["k"]), header_input)
    assert {tuple(indices_from_minimal(solution, 16)) for solution in solutions} == {tuple(s) for s in case["solutions_indices"]}
    assert all(is_valid_solution(EH96_5, header_input, solution) for solution in solutions)


@pytest.mark.parametrize("case", VECTORS["validator_vectors_96_5_ZcashPoW"], ids=lambda case: case["comment"][:30])
def test_validator_96_5(case):
    header_input = case["input_I_ascii"].encode() + bytes.fromhex(case["nonce_hex_le32"])
    minimal = bytes.fromhex(case["solution_minimal_hex"])
    assert minimal_from_indices(case["solution_indices"], 16) == minimal
    assert is_valid_solution(EH96_5, header_input, minimal) is case["expected_valid"]


@pytest.mark.parametrize("case", VECTORS["real_headers"], ids=lambda case: f"{case['network']}-{case['height']}")
def test_real_headers_and_one_flipped_bit(case):
    params = EquihashParams(case["n"], case["k"])
    header_input, solution = bytes.fromhex(case["input_140_hex"]), bytes.fromhex(case["solution_hex"])
    assert params.personalization.decode() == case["personalization_ascii8"]
    assert is_valid_solution(params, header_input, solution)
    assert check_equihash_solution(header_input, solution)
    for position in (0, len(solution) // 2, len(solution) - 1):
        flipped = bytearray(solution)
        flipped[position] ^= 0x01
        assert not is_valid_solution(params, header_input, bytes(flipped))
    for position in (0, 4, 100, 139):
        flipped = bytearray(header_input)
        flipped[position] ^= 0x80
        assert not is_valid_solution(params, bytes(flipped), solution)


def test_sizes():
    assert [params_for_solution_size(size) for size in (1344, 100, 68, 52, 36)] == [EH200_9, EH144_5, EH96_5, ZELHASH, EH48_5]
    assert params_for_solution_size(35) is None
    assert not check_equihash_solution(bytes(140), b"")


@pytest.mark.parametrize(
    "height,expected",
    [(0, [EH200_9]), (125_099, [EH200_9]), (125_100, [EH144_5, EH200_9]), (125_110, [EH144_5, EH200_9]),
     (125_111, [EH144_5]), (372_499, [EH144_5]), (372_500, [ZELHASH, EH144_5]), (372_510, [ZELHASH, EH144_5]),
     (372_511, [ZELHASH]), (2_019_999, [ZELHASH])],
)  # fmt: skip
def test_mainnet_epochs(height, expected):
    assert valid_eh_parameter_list(networks.main_params(), height) == expected


def test_testnet_and_regtest_epochs():
    test = networks.testnet_params()
    assert valid_eh_parameter_list(test, 500) == [EH48_5]
    assert solution_size_allowed(test, 320, 1344) and not solution_size_allowed(test, 321, 1344)
    regtest = networks.regtest_params()
    assert valid_eh_parameter_list(regtest, 10_000) == [EH48_5]
    assert solution_size_allowed(regtest, 5, 36) and not solution_size_allowed(regtest, 5, 52)
    assert solution_size_allowed(regtest, 5, 0)
    moved = networks.regtest_params({Upgrade.KAMIOOKA: 20, Upgrade.EQUI144_5: 10})
    assert valid_eh_parameter_list(moved, 25) == [ZELHASH, EH48_5]


@settings(max_examples=15, deadline=None)
@given(st.binary(min_size=108, max_size=108), st.integers(min_value=0, max_value=2**32))
def test_solver_solutions_always_verify(prefix, nonce):
    header_input = prefix + nonce.to_bytes(32, "little")
    for solution in solve(EH48_5, header_input):
        assert is_valid_solution(EH48_5, header_input, solution)


def test_solve_header_honours_accept():
    calls = []

    def accept(nonce_rev, solution):
        calls.append(nonce_rev)
        return len(calls) >= 3

    nonce_rev, solution = solve_header(EH48_5, bytes(108), 0, accept)
    assert is_valid_solution(EH48_5, bytes(108) + nonce_rev, solution)
    assert len(calls) == 3
