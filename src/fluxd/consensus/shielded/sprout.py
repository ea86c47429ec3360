"""Sprout JoinSplit proofs as the C++ node checks them (``JSDescription::Verify``, librustzcash 06da3b9a
``librustzcash_sprout_verify``).

- A PHGR13 proof (v2 transactions, before ACADIA) is not verified: C++'s verifier for it returns true.
- A Groth16 proof (v4) is checked against the Sprout verifying key with nine public inputs: the bytes
  rt ‖ h_sig ‖ nf₁ ‖ mac₁ ‖ nf₂ ‖ mac₂ ‖ cm₁ ‖ cm₂ ‖ vpub_old (LE64) ‖ vpub_new (LE64), each byte most
  significant bit first, packed 254 bits to a field element.
- h_sig = BLAKE2b-256 with personalization "ZcashComputehSig" of randomSeed ‖ nf₁ ‖ nf₂ ‖ joinSplitPubKey.
"""

from __future__ import annotations

import hashlib

from fluxd.consensus.shielded import groth16
from fluxd.consensus.shielded.verifying_keys import verifying_key


def h_sig(random_seed: bytes, nullifiers: tuple[bytes, bytes], joinsplit_pubkey: bytes) -> bytes:
    data = random_seed + nullifiers[0] + nullifiers[1] + joinsplit_pubkey
    return hashlib.blake2b(data, digest_size=32, person=b"ZcashComputehSig").digest()


def public_inputs(joinsplit, joinsplit_pubkey: bytes) -> list[int]:
    data = b"".join((
        joinsplit.anchor, h_sig(joinsplit.random_seed, joinsplit.nullifiers, joinsplit_pubkey),
        joinsplit.nullifiers[0], joinsplit.macs[0], joinsplit.nullifiers[1], joinsplit.macs[1],
        joinsplit.commitments[0], joinsplit.commitments[1],
        (joinsplit.vpub_old & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"),
        (joinsplit.vpub_new & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"),
    ))  # fmt: skip
    return groth16.multipack(groth16.bytes_to_bits_be(data))


def verify_joinsplit(joinsplit, joinsplit_pubkey: bytes, batch: groth16.Batch | None = None) -> bool:
    """C++ ``JSDescription::Verify``: true for a PHGR13 proof, the Groth16 check otherwise (with a ``batch``,
    the proof is added to it)."""
    if not joinsplit.uses_groth:
        return True
    inputs = public_inputs(joinsplit, joinsplit_pubkey)
    if batch is not None:
        return batch.add(verifying_key("sprout"), joinsplit.proof, inputs)
    return groth16.verify(verifying_key("sprout"), joinsplit.proof, inputs)
