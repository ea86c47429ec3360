"""BIP37 bloom filters against the C++ unit-test vectors (src/test/hash_tests.cpp, bloom_tests.cpp of RunOnFlux/fluxd)."""

from __future__ import annotations

import pytest

from fluxd.core.transaction import Transaction
from fluxd.p2p.bloom import BLOOM_UPDATE_ALL, BloomFilter, murmur3_32, outpoint_bytes

MURMUR = [(0x00000000, 0x00000000, ""), (0x6A396F08, 0xFBA4C795, ""), (0x81F16F39, 0xFFFFFFFF, ""),
          (0x514E28B7, 0x00000000, "00"), (0xEA3F0B17, 0xFBA4C795, "00"), (0xFD6CF10D, 0x00000000, "ff"),
          (0x16C6B7AB, 0x00000000, "0011"), (0x8EB51C3D, 0x00000000, "001122"), (0xB4471BF8, 0x00000000, "00112233"),
          (0xE2301FA8, 0x00000000, "0011223344"), (0xFC2E4A15, 0x00000000, "001122334455"),
          (0xB074502C, 0x00000000, "00112233445566"), (0x8034D2A0, 0x00000000, "0011223344556677"),
          (0xB4698DEF, 0x00000000, "001122334455667788")]  # fmt: skip
TX = Transaction.from_bytes(bytes.fromhex(
    "01000000010b26e9b7735eb6aabdf358bab62f9816a21ba9ebdb719d5299e88607d722c190000000008b4830450220070aca44506c5cef3a16ed"
    "519d7c3c39f8aab192c4e1c90d065f37b8a4af6141022100a8e160b856c2d43d27d8fba71e5aef6405b8643ac4cb7cb3c462aced7f14711a0141"
    "046d11fee51b0e60666d5049a9101a72741df480b96ee26488a4d3466b95c9a40ac5eeef87e10a5cd336c19a84565f80fa6c547957b7700ff4df"
    "bdefe76036c339ffffffff021bff3d11000000001976a91404943fdd508053c75000106d3bc6e2754dbcff1988ac2f15de00000000001976a914"
    "a266436d2965547608b9e15d9032a7b9d64fa43188ac00000000"))
PREV_TXID_REV = bytes.fromhex("90c122d70786e899529d71dbeba91ba216982fb6ba58f3bdaab65e73b7e9260b")[::-1]


@pytest.mark.parametrize("expected, seed, data", MURMUR)
def test_murmur3(expected, seed, data):
    assert murmur3_32(seed, bytes.fromhex(data)) == expected


@pytest.mark.parametrize("tweak, payload", [(0, "03614e9b050000000000000001"), (2147483649, "03ce4299050000000100008001")])
def test_create_insert_serialize(tweak, payload):
    bloom = BloomFilter.create(3, 0.01, tweak, BLOOM_UPDATE_ALL)
    bloom.insert(bytes.fromhex("99108ad8ed9bb6274d3980bab5a85c048f0950c8"))
    assert bloom.contains(bytes.fromhex("99108ad8ed9bb6274d3980bab5a85c048f0950c8"))
    assert not bloom.contains(bytes.fromhex("19108ad8ed9bb6274d3980bab5a85c048f0950c8"))
    bloom.insert(bytes.fromhex("b5a2c786d9ef4658287ced5914b37a1b4aa32eee"))
    bloom.insert(bytes.fromhex("b9300670b4c5366e95b2699e8b18bc75e5f729c5"))
    assert bloom.to_payload().hex() == payload
    loaded = BloomFilter.from_payload(bytes.fromhex(payload))
    assert loaded.contains(bytes.fromhex("b9300670b4c5366e95b2699e8b18bc75e5f729c5")) and loaded.within_size_constraints()


@pytest.mark.parametrize("item, matches", [
    (bytes.fromhex("b4749f017444b051c44dfd2720e88f314ff94f3dd6d56d40ef65854fcd7fff6b")[::-1], True),  # the txid
    (bytes.fromhex("30450220070aca44506c5cef3a16ed519d7c3c39f8aab192c4e1c90d065f37b8a4af6141022100a8e160b856c2d43d27d8"
                   "fba71e5aef6405b8643ac4cb7cb3c462aced7f14711a01"), True),  # the input signature
    (bytes.fromhex("04943fdd508053c75000106d3bc6e2754dbcff19"), True),  # an output address
    (bytes.fromhex("a266436d2965547608b9e15d9032a7b9d64fa431"), True),
    (outpoint_bytes(PREV_TXID_REV, 0), True),  # the spent outpoint
    (bytes.fromhex("00000009e784f32f62ef849763d4f45b98e07ba658647343b915ff832b110436")[::-1], False),
    (bytes.fromhex("0000006d2965547608b9e15d9032a7b9d64fa431"), False),
    (outpoint_bytes(PREV_TXID_REV, 1), False),
])  # fmt: skip
def test_match(item, matches):
    assert TX.txid_rev.hex() == "6bff7fcd4f8565ef406dd5d63d4ff94f318fe82027fd4dc451b04474019f74b4"
    bloom = BloomFilter.create(10, 0.000001, 0, BLOOM_UPDATE_ALL)
    bloom.insert(item)
    assert bloom.is_relevant_and_update(TX) is matches


def test_update_all_adds_the_matched_output():
    bloom = BloomFilter.create(10, 0.000001, 0, BLOOM_UPDATE_ALL)
    bloom.insert(bytes.fromhex("04943fdd508053c75000106d3bc6e2754dbcff19"))
    assert bloom.is_relevant_and_update(TX)
    assert bloom.contains(outpoint_bytes(TX.txid_rev, 0))  # so a spend of it matches next (C++ "didn't add output")


def test_limits_and_empty_full():
    assert not BloomFilter(bytes(36_001), 1).within_size_constraints()
    assert not BloomFilter(bytes(10), 51).within_size_constraints()
    full = BloomFilter.from_payload(bytes.fromhex("02ffff" "01000000" "00000000" "00"))
    assert full.is_full and full.is_relevant_and_update(TX)
    empty = BloomFilter.from_payload(bytes.fromhex("020000" "01000000" "00000000" "00"))
    assert empty.is_empty and not empty.is_relevant_and_update(TX)
