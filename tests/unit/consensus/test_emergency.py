"""Emergency blocks: C++ multisig decoding quirks, quorum counting, regtest count-only check, header-stage reason."""

from __future__ import annotations

import dataclasses

import pytest

from fluxd.consensus.block_check import contextual_check_block_header
from fluxd.consensus.emergency import decode_multisig, encode_multisig, is_emergency_block, validate_emergency_signatures
from fluxd.consensus.pon import PonCheckFailed, contextual_check_pon_header
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import BlockHeader
from fluxd.core.ecdsa import sign_der
from fluxd.core.keys import PrivateKey
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from tests.vectors import load_json

KEYS = [PrivateKey(bytes([index + 1]) * 32) for index in range(4)]
OUTSIDER = PrivateKey(bytes([9]) * 32)
MAIN = dataclasses.replace(networks.main_params(), emergency_pubkeys=tuple(key.pubkey for key in KEYS))
REGTEST = networks.regtest_params()
BLOCKS = {(entry["network"], entry["height"]): entry for entry in load_json("flux_mainnet/blocks.json")["blocks"]}
EMERGENCY = OutPoint(b"\x11" * 32, 0)
BASE = BlockHeader.from_bytes(bytes.fromhex(BLOCKS[("main", 2020000)]["header_hex"])).copy_with(collateral=EMERGENCY)


def with_signatures(header: BlockHeader, signers: list[PrivateKey]) -> BlockHeader:
    return header.copy_with(block_sig=encode_multisig([sign_der(key.secret, header.hash_rev) for key in signers]))


def test_real_mainnet_keys_and_collateral():
    real = networks.main_params()
    assert real.emergency_pubkeys[0].hex() == "025ee73f72d6996f94fe6ec9fac3f9ba6dcb947ed46dfbda530fc73ff99c667a4e"
    assert len(real.emergency_pubkeys) == 4 and real.emergency_min_signatures == 2 and REGTEST.emergency_min_signatures == 1
    assert is_emergency_block(real, BASE)
    assert not is_emergency_block(real, BASE.copy_with(collateral=OutPoint(b"\x11" * 32, 1)))
    assert not is_emergency_block(real, BASE.copy_with(version=4))


def test_decode_round_trip_and_trailing_bytes():
    signatures = [b"\x30\x01", b"", b"\x02" * 70]
    assert decode_multisig(encode_multisig(signatures)) == signatures
    assert decode_multisig(encode_multisig(signatures) + b"\xff\xff") == signatures
    assert decode_multisig(b"") == []


def test_decode_keeps_what_cpp_leaves_after_an_exception():
    assert decode_multisig(b"\x03\x02\xaa\xbb") == [b"\xaa\xbb", b"", b""]  # count 3, one element, then end of data
    assert decode_multisig(b"\x02\x05\xaa") == [bytes(5), b""]  # element resized to its length, never filled
    assert decode_multisig(b"\x01\xfd\x10\x00") == [b""]  # non-canonical length: element cleared
    assert decode_multisig(b"\xfd\x01\x00") == []  # non-canonical count: vector cleared
    assert len(decode_multisig(b"\x02\xfd\x00\x01")[0]) == 74  # longer than a signature (capped, contents unused)


def test_two_of_four_quorum():
    assert validate_emergency_signatures(MAIN, with_signatures(BASE, KEYS[:2]))
    assert validate_emergency_signatures(MAIN, with_signatures(BASE, [KEYS[3], KEYS[1]]))
    assert validate_emergency_signatures(MAIN, with_signatures(BASE, [OUTSIDER, KEYS[2], KEYS[0]]))


def test_too_few_too_many_and_repeated_keys_fail():
    assert not validate_emergency_signatures(MAIN, with_signatures(BASE, KEYS[:1]))
    assert not validate_emergency_signatures(MAIN, with_signatures(BASE, KEYS + [KEYS[0]]))  # 5 > 4 keys
    assert not validate_emergency_signatures(MAIN, with_signatures(BASE, [KEYS[0], KEYS[0]]))  # a key counts once
    assert not validate_emergency_signatures(MAIN, with_signatures(BASE, [OUTSIDER, KEYS[0]]))
    assert not validate_emergency_signatures(MAIN, with_signatures(BASE.copy_with(collateral=OutPoint(b"\x12" * 32, 0)), KEYS[:2]))


def test_signature_over_another_hash_fails():
    signed = with_signatures(BASE, KEYS[:2])
    assert not validate_emergency_signatures(MAIN, signed.copy_with(time=signed.time + 1))


def test_oversized_signature_fails_only_before_the_quorum():
    good = [sign_der(key.secret, BASE.hash_rev) for key in KEYS[:2]]
    oversized = b"\x30" * 74
    assert not validate_emergency_signatures(MAIN, BASE.copy_with(block_sig=encode_multisig([good[0], oversized, good[1]])))
    assert validate_emergency_signatures(MAIN, BASE.copy_with(block_sig=encode_multisig([good[0], good[1], oversized])))


def test_truncated_encoding_still_counts_the_parsed_signatures():
    encoded = encode_multisig([sign_der(key.secret, BASE.hash_rev) for key in KEYS[:2]])
    truncated = b"\x03" + encoded[1:] + b"\x40"  # declares 3, the third never arrives
    assert validate_emergency_signatures(MAIN, BASE.copy_with(block_sig=truncated))


def test_regtest_checks_the_count_only():
    regtest_base = BASE.copy_with(collateral=OutPoint(REGTEST.emergency_collateral_hash_rev, 0))
    assert validate_emergency_signatures(REGTEST, regtest_base.copy_with(block_sig=encode_multisig([b"junk"])))
    assert not validate_emergency_signatures(REGTEST, regtest_base.copy_with(block_sig=b""))
    assert not validate_emergency_signatures(REGTEST, regtest_base.copy_with(block_sig=encode_multisig([b"x"] * 5)))


def test_emergency_skips_the_stake_target_and_needs_pon_active():
    signed = with_signatures(BASE.copy_with(bits=0x1D00FFFF), KEYS[:2])  # the stake hash would miss this target
    contextual_check_pon_header(MAIN, signed, 2_020_000)
    with pytest.raises(PonCheckFailed, match="not allowed"):
        contextual_check_pon_header(MAIN, signed, 2_019_999)
    with pytest.raises(PonCheckFailed) as failure:
        contextual_check_pon_header(MAIN, with_signatures(signed, KEYS[:1]), 2_020_000)
    assert failure.value.signature_failure


class Parent:
    """The ChainEntry view of a PoN-era parent for the header-stage test."""

    def __init__(self, height: int, time: int, bits: int) -> None:
        self.height, self.time, self.bits, self.prev = height, time, bits, None

    def ancestor(self, height: int):
        return self if height == self.height else None


def test_bad_emergency_signature_at_header_stage_is_bad_pon_header():
    parent = Parent(2_019_999, BASE.time - 100, 0x1F0BFFFF)
    with pytest.raises(ValidationError) as failure:
        contextual_check_block_header(MAIN, with_signatures(BASE, KEYS[:1]), parent)
    assert (failure.value.reason, failure.value.dos) == ("bad-pon-header", 100)
