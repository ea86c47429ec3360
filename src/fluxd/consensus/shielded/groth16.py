"""Groth16 proofs on BLS12-381 as bellman (librustzcash 06da3b9a, the C++ node's pin) reads and checks them.

The pairing maths is py-arkworks-bls12381's (arkworks, native): points decoded with their curve and
subgroup checks, a multi-exponentiation for the public inputs and one product-of-pairings check.

- Verifying keys: bellman ``VerifyingKey::read``: uncompressed G1 (x ‖ y, 48 bytes each, big-endian) and G2
  (x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0) points: alpha_g1, beta_g1, beta_g2, gamma_g2, delta_g1, delta_g2, then a
  big-endian u32 count and that many IC points.
- Proofs: ``Proof::read``: compressed A (G1, 48), B (G2, 96), C (G1, 48); a point that does not decode,
  is not in the subgroup or is the identity makes the proof invalid.
- Check: e(A, B) = e(alpha, beta) · e(IC₀ + Σ xᵢ·ICᵢ, gamma) · e(C, delta), public inputs xᵢ in Fr; a wrong
  number of inputs is invalid (bellman ``SynthesisError::MalformedVerifyingKey``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from py_arkworks_bls12381 import GT, G1Point, G2Point, Scalar

FR_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FR_CAPACITY = 254  # bits that always fit in an Fr element (bellman PrimeField::CAPACITY)
PROOF_SIZE = 192


class VerifyingKeyError(ValueError):
    """A verifying key that does not parse (never raised for chain data: the keys ship with the package)."""


def _g1_uncompressed(data: bytes) -> G1Point:
    return G1Point.from_xy_bytes_be(data)


def _g2_uncompressed(data: bytes) -> G2Point:
    """bellman writes c1 before c0 in each coordinate; arkworks' x ‖ y form wants c0 first."""
    x1, x0, y1, y0 = data[0:48], data[48:96], data[96:144], data[144:192]
    return G2Point.from_xy_bytes_be(x0 + x1 + y0 + y1)


@dataclass(frozen=True, eq=False)
class VerifyingKey:
    alpha_g1: G1Point
    beta_g2: G2Point
    gamma_g2: G2Point
    delta_g2: G2Point
    ic: tuple[G1Point, ...]

    @classmethod
    def parse(cls, data: bytes) -> "VerifyingKey":
        try:
            alpha = _g1_uncompressed(data[0:96])
            beta_g2 = _g2_uncompressed(data[192:384])
            gamma_g2 = _g2_uncompressed(data[384:576])
            delta_g2 = _g2_uncompressed(data[672:864])  # delta_g1 (576:672) is not used to verify
            count = int.from_bytes(data[864:868], "big")
            if len(data) != 868 + 96 * count:
                raise VerifyingKeyError(f"verifying key of {len(data)} bytes does not hold {count} IC points")
            ic = tuple(_g1_uncompressed(data[868 + 96 * i:964 + 96 * i]) for i in range(count))
        except (ValueError, TypeError) as exc:
            raise VerifyingKeyError(f"verifying key does not parse: {exc}") from exc
        return cls(alpha, beta_g2, gamma_g2, delta_g2, ic)

    @property
    def input_count(self) -> int:
        return len(self.ic) - 1


@dataclass(frozen=True)
class Proof:
    a: G1Point
    b: G2Point
    c: G1Point


def parse_proof(data: bytes) -> Proof | None:
    """bellman ``Proof::read``; None when any point is invalid or the identity."""
    if len(data) != PROOF_SIZE:
        return None
    try:
        a = G1Point.from_compressed_bytes(data[0:48])
        b = G2Point.from_compressed_bytes(data[48:144])
        c = G1Point.from_compressed_bytes(data[144:192])
    except (ValueError, TypeError):
        return None
    if a == G1Point.identity() or b == G2Point.identity() or c == G1Point.identity():
        return None
    return Proof(a, b, c)


def verify(key: VerifyingKey, proof_bytes: bytes, inputs: list[int]) -> bool:
    """One proof against its public inputs (each an integer below the Fr modulus)."""
    proof = parse_proof(proof_bytes)
    if proof is None or len(inputs) != key.input_count or any(not 0 <= x < FR_MODULUS for x in inputs):
        return False
    accumulated = key.ic[0]
    if inputs:
        scalars = [Scalar.from_le_bytes(x.to_bytes(32, "little")) for x in inputs]
        accumulated = accumulated + G1Point.multiexp_unchecked(list(key.ic[1:]), scalars)
    return GT.pairing_check([proof.a, -accumulated, -proof.c, -key.alpha_g1],
                            [proof.b, key.gamma_g2, key.delta_g2, key.beta_g2])  # fmt: skip


def multipack(bits: list[bool]) -> list[int]:
    """bellman ``multipack::compute_multipacking``: 254-bit chunks, each bit i of a chunk worth 2^i."""
    packed = []
    for start in range(0, len(bits), FR_CAPACITY):
        value = 0
        for offset, bit in enumerate(bits[start:start + FR_CAPACITY]):
            if bit:
                value |= 1 << offset
        packed.append(value)
    return packed


def bytes_to_bits_be(data: bytes) -> list[bool]:
    """``multipack::bytes_to_bits``: each byte most significant bit first."""
    return [bool((byte >> shift) & 1) for byte in data for shift in range(7, -1, -1)]


def bytes_to_bits_le(data: bytes) -> list[bool]:
    """``multipack::bytes_to_bits_le``: each byte least significant bit first."""
    return [bool((byte >> shift) & 1) for byte in data for shift in range(8)]


class Batch:
    """Many proofs checked as one random linear combination (one product of pairings: a proof adds one
    pairing, each verifying key three), the way bellman's batch verifier does.  ``add`` refuses a proof
    that does not parse or has the wrong number of inputs; ``verify`` is True only when every proof added
    holds, except with probability about 2^-128 (the random coefficients are 128-bit)."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[VerifyingKey, list[tuple[Proof, list[int]]]]] = {}

    def __len__(self) -> int:
        return sum(len(items) for _, items in self._items.values())

    def add(self, key: VerifyingKey, proof_bytes: bytes, inputs: list[int]) -> bool:
        proof = parse_proof(proof_bytes)
        if proof is None or len(inputs) != key.input_count or any(not 0 <= x < FR_MODULUS for x in inputs):
            return False
        self._items.setdefault(id(key), (key, []))[1].append((proof, inputs))
        return True

    def verify(self) -> bool:
        g1s: list[G1Point] = []
        g2s: list[G2Point] = []
        for key, items in self._items.values():
            coefficients = [int.from_bytes(secrets.token_bytes(16), "little") | 1 for _ in items]
            for (proof, _), r in zip(items, coefficients):
                g1s.append(proof.a * _scalar(r))
                g2s.append(proof.b)
            ic_weights = [sum(coefficients) % FR_MODULUS] + [
                sum(r * inputs[j] for (_, inputs), r in zip(items, coefficients)) % FR_MODULUS
                for j in range(key.input_count)
            ]  # fmt: skip
            accumulated = G1Point.multiexp_unchecked(list(key.ic), [_scalar(w) for w in ic_weights])
            c_sum = G1Point.multiexp_unchecked([proof.c for proof, _ in items], [_scalar(r) for r in coefficients])
            g1s += [-(key.alpha_g1 * _scalar(ic_weights[0])), -accumulated, -c_sum]
            g2s += [key.beta_g2, key.gamma_g2, key.delta_g2]
        return GT.pairing_check(g1s, g2s)


def _scalar(value: int) -> Scalar:
    return Scalar.from_le_bytes(value.to_bytes(32, "little"))
