"""RedJubjub verification, spendAuthSig and binding signature (librustzcash 06da3b9)."""

from __future__ import annotations

import json

import pytest

from fluxd.consensus.shielded import redjubjub as RJ
from fluxd.consensus.shielded.jubjub import (
    Q,
    R_J,
    SPENDING_KEY_BASE,
    VALUE_COMMITMENT_RANDOMNESS_BASE as VCRB,
    VALUE_COMMITMENT_VALUE_BASE as VCVB,
    Point,
)
from tests.unit.consensus.shielded.helpers import order_eight, order_two, sign, with_sign
from tests.vectors import PROJECT_ROOT, load_json

G = SPENDING_KEY_BASE
OLD_VECTORS = PROJECT_ROOT / "tests/data/vectors/librustzcash/redjubjub_signatures_06da3b9.json"


def _current_vectors() -> list[dict[str, bytes]]:
    rows = load_json("zcash_test_vectors/sapling_signatures.json")
    names = [name.strip() for name in rows[1][0].split(",")]
    return [{k: bytes.fromhex(v) for k, v in zip(names, row)} for row in rows[2:]]


def _old_vectors() -> list[dict[str, bytes]]:
    data = json.loads(OLD_VECTORS.read_text())
    return [{k: bytes.fromhex(v) for k, v in row.items()} for row in data["vectors"]]


CURRENT = _current_vectors()
OLD = _old_vectors()


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("tv", CURRENT, ids=range(len(CURRENT)))
def test_current_vectors_verify_with_key_prefixed_message(tv):
    # zcash-test-vectors now hash Rbar || vk || m; this code's message is vk || m.
    assert RJ.verify(tv["vk"], tv["vk"] + tv["m"], tv["sig"], G)
    assert RJ.verify(tv["rvk"], tv["rvk"] + tv["m"], tv["rsig"], G)
    assert not RJ.verify(tv["vk"], tv["vk"] + tv["m"], tv["rsig"], G)
    assert not RJ.verify(tv["rvk"], tv["rvk"] + tv["m"], tv["sig"], G)
    assert not RJ.verify(tv["vk"], tv["m"], tv["sig"], G)


@pytest.mark.parametrize("tv", CURRENT, ids=range(len(CURRENT)))
def test_current_vectors_as_spend_auth(tv):
    assert RJ.verify_spend_auth(tv["vk"], tv["m"], tv["sig"])
    assert RJ.verify_spend_auth(tv["rvk"], tv["m"], tv["rsig"])
    assert RJ.spend_auth_message(tv["rvk"], tv["m"]) == tv["rvk"] + tv["m"]


@pytest.mark.parametrize("tv", OLD, ids=range(len(OLD)))
def test_librustzcash_vectors_verify_with_plain_message(tv):
    assert RJ.verify(tv["vk"], tv["m"], tv["sig"], G)
    assert RJ.verify(tv["rvk"], tv["m"], tv["rsig"], G)
    assert not RJ.verify(tv["vk"], tv["m"], tv["rsig"], G)
    assert not RJ.verify(tv["rvk"], tv["m"], tv["sig"], G)


def test_old_and_current_vectors_share_keys():
    for old, new in zip(OLD, CURRENT):
        assert (G * int.from_bytes(old["sk"], "little")).encode() == old["vk"] == new["vk"]
        assert old["rvk"] == new["rvk"]


@pytest.mark.parametrize("bit", [0, 77, 254, 255, 256, 300, 511])
def test_flipped_signature_bit_fails(bit):
    tv = CURRENT[0]
    assert not RJ.verify(tv["vk"], tv["vk"] + tv["m"], _flip(tv["sig"], bit), G)


@pytest.mark.parametrize("bit", [0, 255, 256, 511])
def test_flipped_message_bit_fails(bit):
    tv = CURRENT[1]
    assert not RJ.verify(tv["vk"], _flip(tv["vk"] + tv["m"], bit), tv["sig"], G)


@pytest.mark.parametrize("bit", [0, 100, 255])
def test_flipped_vk_bit_fails(bit):
    tv = OLD[2]  # plain message, so only the key changes
    assert not RJ.verify(_flip(tv["vk"], bit), tv["m"], tv["sig"], G)


def test_s_not_below_order_fails():
    tv = OLD[3]
    s = int.from_bytes(tv["sig"][32:], "little")
    high = tv["sig"][:32] + (s + R_J).to_bytes(32, "little")  # same [S]G, non-canonical S
    assert not RJ.verify(tv["vk"], tv["m"], high, G)
    exact = tv["sig"][:32] + R_J.to_bytes(32, "little")
    assert not RJ.verify(tv["vk"], tv["m"], exact, G)


def _key_with_small_v() -> tuple[int, Point]:
    """A key whose v + Q still fits in 255 bits (so v has a non-canonical twin)."""
    sk = 1
    while True:
        vk = G * sk
        if vk.to_affine()[1] + Q < (1 << 255):
            return sk, vk
        sk += 1


def _non_canonical(point: Point) -> bytes:
    u, v = point.to_affine()
    return with_sign(v + Q, u & 1)


def test_non_canonical_vk_fails():
    sk, vk = _key_with_small_v()
    message = b"m" * 32
    sig = sign(sk, message, G, nonce=12345)
    assert RJ.verify(vk.encode(), message, sig, G)
    assert not RJ.verify(_non_canonical(vk), message, sig, G)


def test_non_canonical_r_fails():
    nonce, r_point = _key_with_small_v()
    message = b"x" * 32
    sk = 987654321
    vk = (G * sk).encode()
    assert RJ.verify(vk, message, sign(sk, message, G, nonce), G)
    assert not RJ.verify(vk, message, sign(sk, message, G, nonce, rbar=_non_canonical(r_point)), G)


def test_cofactor_is_multiplied_out():
    # R and vk may carry a small-order component: [8](...) removes it.
    sk, message, nonce = 424242, b"c" * 32, 999
    torsion = order_eight()
    sig = sign(sk, message, G, nonce, r_point=G * nonce + torsion)
    vk = G * sk
    assert RJ.verify(vk.encode(), message, sig, G)
    assert RJ.verify((vk + torsion).encode(), message, sign(sk, message, G, nonce), G)


def test_r_with_u_zero_sign_bit_is_accepted():
    # R = identity sent as v = 1 with the sign bit set (pre-ZIP-216 decode accepts it).
    sk, message = 31337, b"z" * 32
    sig = sign(sk, message, G, 0, r_point=Point.identity(), rbar=with_sign(1, 1))
    assert RJ.verify((G * sk).encode(), message, sig, G)


def test_malformed_lengths():
    tv = OLD[0]
    assert not RJ.verify(tv["vk"], tv["m"], tv["sig"][:63], G)
    assert not RJ.verify(tv["vk"][:31], tv["m"], tv["sig"], G)
    with pytest.raises(ValueError):
        RJ.spend_auth_message(tv["vk"], b"short")
    with pytest.raises(ValueError):
        RJ.binding_message(G, b"short")


def test_spend_auth_rejects_small_order_rk():
    message = bytes(32)
    for rk in [Point.identity(), order_two(), order_eight()]:
        sig = sign(0, rk.encode() + message, G, 5)
        assert RJ.verify(rk.encode(), rk.encode() + message, sig, G)  # plain verify allows it
        assert not RJ.verify_spend_auth(rk.encode(), message, sig)
    assert not RJ.verify_spend_auth(with_sign(Q, 0), message, bytes(64))


def _cv(value: int, rcv: int) -> bytes:
    return (VCVB * value + VCRB * rcv).encode()


SPENDS = [(5_000, 11), (70_000, 2**200 + 3)]
OUTPUTS = [(60_000, 123456789), (1_000, 42)]


@pytest.mark.parametrize("outputs", [OUTPUTS, [(80_000, 7)]])
def test_binding_signature_round_trip(outputs):
    balance = sum(v for v, _ in SPENDS) - sum(v for v, _ in outputs)
    bsk = (sum(r for _, r in SPENDS) - sum(r for _, r in outputs)) % R_J
    spend_cvs, output_cvs = [_cv(*s) for s in SPENDS], [_cv(*o) for o in outputs]
    bvk = RJ.binding_verification_key(spend_cvs, output_cvs, balance)
    assert bvk == VCRB * bsk
    sighash = bytes(range(32))
    sig = sign(bsk, RJ.binding_message(bvk, sighash), VCRB, nonce=777)
    assert RJ.verify_binding(bvk, sighash, sig)
    assert not RJ.verify_binding(bvk, _flip(sighash, 3), sig)
    wrong = RJ.binding_verification_key(spend_cvs, output_cvs, balance + 1)
    assert not RJ.verify_binding(wrong, sighash, sig)
    assert not RJ.verify_point(bvk, RJ.binding_message(bvk, sighash), sig, G)  # base is vcrb


def test_binding_key_value_balance_sign():
    assert RJ.binding_verification_key([], [], 0) == Point.identity()
    assert RJ.binding_verification_key([], [], 5) == -(VCVB * 5)
    assert RJ.binding_verification_key([], [], -5) == VCVB * 5
    assert RJ.binding_verification_key([_cv(9, 0)], [], 9).is_identity()
    assert RJ.value_balance_point(2**63 - 1) == VCVB * (2**63 - 1)
    assert RJ.value_balance_point(-(2**63) + 1) == -(VCVB * (2**63 - 1))


@pytest.mark.parametrize("balance", [-(2**63), 2**63, -(2**63) - 1])
def test_binding_key_value_balance_out_of_range(balance):
    assert RJ.value_balance_point(balance) is None
    assert RJ.binding_verification_key([], [], balance) is None


def test_binding_key_bad_cv():
    good = _cv(1, 2)
    assert RJ.binding_verification_key([good, with_sign(Q, 0)], [], 0) is None
    assert RJ.binding_verification_key([good], [with_sign(Q + 5, 1)], 0) is None
    small = order_two().encode()
    assert RJ.binding_verification_key([good], [small], 0) is None
    relaxed = RJ.binding_verification_key([good], [small], 0, reject_small_order=False)
    assert relaxed == VCVB + VCRB * 2 - order_two()
