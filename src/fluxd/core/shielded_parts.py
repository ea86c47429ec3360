"""Shielded transaction components: Sprout JoinSplits and Sapling spends/outputs.

Proofs are kept as raw bytes; PHGR13 proofs have their point lead bytes
checked on read exactly as the C++ CompressedG1/CompressedG2 readers do.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.util.serialize import DecodeError, Reader, Writer

PHGR_PROOF_SIZE = 296
GROTH_PROOF_SIZE = 192
SPROUT_CIPHERTEXT_SIZE = 601
SPEND_DESCRIPTION_SIZE = 384
OUTPUT_DESCRIPTION_SIZE = 948
JOINSPLIT_FIXED_SIZE = 8 + 8 + 32 + 64 + 64 + 32 + 32 + 64 + 2 * SPROUT_CIPHERTEXT_SIZE
JOINSPLIT_SIZE_PHGR = JOINSPLIT_FIXED_SIZE + PHGR_PROOF_SIZE
JOINSPLIT_SIZE_GROTH = JOINSPLIT_FIXED_SIZE + GROTH_PROOF_SIZE

_G1_PREFIX = 0x02
_G2_PREFIX = 0x0A
# PHGR13 proof points in wire order: A, A', B (G2), B', C, C', K, H.
_PHGR_POINTS = (_G1_PREFIX, _G1_PREFIX, _G2_PREFIX, _G1_PREFIX, _G1_PREFIX, _G1_PREFIX, _G1_PREFIX, _G1_PREFIX)


def check_phgr_proof(proof: bytes) -> None:
    """Raise DecodeError if a PHGR13 point lead byte is not the prefix or prefix|1."""
    offset = 0
    for prefix in _PHGR_POINTS:
        if proof[offset] & 0xFE != prefix:
            kind = "G2" if prefix == _G2_PREFIX else "G1"
            raise DecodeError(f"lead byte of {kind} point not recognized")
        offset += 65 if prefix == _G2_PREFIX else 33


@dataclass(frozen=True, slots=True)
class JSDescription:
    vpub_old: int
    vpub_new: int
    anchor: bytes
    nullifiers: tuple[bytes, bytes]
    commitments: tuple[bytes, bytes]
    ephemeral_key: bytes
    random_seed: bytes
    macs: tuple[bytes, bytes]
    proof: bytes
    ciphertexts: tuple[bytes, bytes]

    @property
    def uses_groth(self) -> bool:
        return len(self.proof) == GROTH_PROOF_SIZE

    @classmethod
    def read(cls, reader: Reader, use_groth: bool) -> "JSDescription":
        vpub_old = reader.i64()
        vpub_new = reader.i64()
        anchor = reader.read(32)
        nullifiers = (reader.read(32), reader.read(32))
        commitments = (reader.read(32), reader.read(32))
        ephemeral_key = reader.read(32)
        random_seed = reader.read(32)
        macs = (reader.read(32), reader.read(32))
        if use_groth:
            proof = reader.read(GROTH_PROOF_SIZE)
        else:
            proof = reader.read(PHGR_PROOF_SIZE)
            check_phgr_proof(proof)
        ciphertexts = (reader.read(SPROUT_CIPHERTEXT_SIZE), reader.read(SPROUT_CIPHERTEXT_SIZE))
        return cls(vpub_old, vpub_new, anchor, nullifiers, commitments, ephemeral_key, random_seed, macs, proof, ciphertexts)

    def write(self, writer: Writer) -> None:
        writer.i64(self.vpub_old)
        writer.i64(self.vpub_new)
        writer.write(self.anchor)
        writer.write(self.nullifiers[0])
        writer.write(self.nullifiers[1])
        writer.write(self.commitments[0])
        writer.write(self.commitments[1])
        writer.write(self.ephemeral_key)
        writer.write(self.random_seed)
        writer.write(self.macs[0])
        writer.write(self.macs[1])
        writer.write(self.proof)
        writer.write(self.ciphertexts[0])
        writer.write(self.ciphertexts[1])


@dataclass(frozen=True, slots=True)
class SpendDescription:
    cv: bytes
    anchor: bytes
    nullifier: bytes
    rk: bytes
    zkproof: bytes
    spend_auth_sig: bytes

    @classmethod
    def read(cls, reader: Reader) -> "SpendDescription":
        return cls(
            reader.read(32), reader.read(32), reader.read(32), reader.read(32),
            reader.read(GROTH_PROOF_SIZE), reader.read(64),
        )

    def write(self, writer: Writer) -> None:
        writer.write(self.cv)
        writer.write(self.anchor)
        writer.write(self.nullifier)
        writer.write(self.rk)
        writer.write(self.zkproof)
        writer.write(self.spend_auth_sig)

    def sighash_bytes(self) -> bytes:
        """The ZIP-243 hashShieldedSpends preimage part (no spendAuthSig)."""
        return self.cv + self.anchor + self.nullifier + self.rk + self.zkproof


@dataclass(frozen=True, slots=True)
class OutputDescription:
    cv: bytes
    cmu: bytes
    ephemeral_key: bytes
    enc_ciphertext: bytes
    out_ciphertext: bytes
    zkproof: bytes

    @classmethod
    def read(cls, reader: Reader) -> "OutputDescription":
        return cls(
            reader.read(32), reader.read(32), reader.read(32),
            reader.read(580), reader.read(80), reader.read(GROTH_PROOF_SIZE),
        )

    def write(self, writer: Writer) -> None:
        writer.write(self.cv)
        writer.write(self.cmu)
        writer.write(self.ephemeral_key)
        writer.write(self.enc_ciphertext)
        writer.write(self.out_ciphertext)
        writer.write(self.zkproof)
