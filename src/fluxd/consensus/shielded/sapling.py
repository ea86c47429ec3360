"""Sapling spends, outputs and the binding signature as the C++ node checks them (librustzcash 06da3b9a
``librustzcash_sapling_check_spend`` / ``check_output`` / ``final_check``, called from
ContextualCheckTransaction in that order).

- Spend: cv decodes and is not of small order (it is added to the binding key); the anchor is a
  canonical Fr element; rk decodes and is not of small order; spendAuthSig is a RedJubjub signature
  by rk over rk ‖ sighash with the spending key base; the Groth16 spend proof holds for
  [rk.u, rk.v, cv.u, cv.v, anchor, nf packed (bits least significant first, two elements)].
- Output: cv decodes and is not of small order (subtracted from the binding key); cmu is a canonical
  Fr element; epk decodes and is not of small order; the Groth16 output proof holds for
  [cv.u, cv.v, epk.u, epk.v, cmu].
- Binding: bvk = Σ cv(spends) − Σ cv(outputs) − [valueBalance]·V; bindingSig is a RedJubjub signature
  by bvk over bvk ‖ sighash with the value commitment randomness base.
"""

from __future__ import annotations

from fluxd.consensus.shielded import groth16
from fluxd.consensus.shielded.jubjub import SPENDING_KEY_BASE, Point, decode_point
from fluxd.consensus.shielded.redjubjub import spend_auth_message, value_balance_point, verify, verify_binding
from fluxd.consensus.shielded.verifying_keys import verifying_key


def _point(data: bytes) -> Point | None:
    """A Jubjub point that decodes and is not of small order, else None."""
    point = decode_point(data)
    return None if point is None or point.is_small_order() else point


def _field(data: bytes) -> int | None:
    value = int.from_bytes(data, "little")
    return value if value < groth16.FR_MODULUS else None


class SaplingCheck:
    """One transaction's Sapling checks with its binding key accumulated as they go (C++'s context).

    With a ``batch`` (groth16.Batch) the proofs are only added to it and hold once the batch verifies; a
    proof that does not even parse fails at once."""

    def __init__(self, sighash: bytes, batch: groth16.Batch | None = None) -> None:
        self.sighash = sighash
        self.bvk = Point.identity()
        self.batch = batch

    def _proof(self, key_name: str, proof: bytes, inputs: list[int]) -> bool:
        key = verifying_key(key_name)
        return self.batch.add(key, proof, inputs) if self.batch is not None else groth16.verify(key, proof, inputs)

    def spend(self, spend) -> bool:
        cv = _point(spend.cv)
        if cv is None:
            return False
        self.bvk = self.bvk + cv
        anchor, rk = _field(spend.anchor), _point(spend.rk)
        if anchor is None or rk is None:
            return False
        if not verify(spend.rk, spend_auth_message(spend.rk, self.sighash), spend.spend_auth_sig, SPENDING_KEY_BASE):
            return False
        inputs = [*rk.to_affine(), *cv.to_affine(), anchor,
                  *groth16.multipack(groth16.bytes_to_bits_le(spend.nullifier))]  # fmt: skip
        return self._proof("sapling-spend", spend.zkproof, inputs)

    def output(self, output) -> bool:
        cv = _point(output.cv)
        if cv is None:
            return False
        self.bvk = self.bvk - cv
        cmu, epk = _field(output.cmu), _point(output.ephemeral_key)
        if cmu is None or epk is None:
            return False
        inputs = [*cv.to_affine(), *epk.to_affine(), cmu]
        return self._proof("sapling-output", output.zkproof, inputs)

    def final(self, value_balance: int, binding_sig: bytes) -> bool:
        balance = value_balance_point(value_balance)
        if balance is None:
            return False
        return verify_binding(self.bvk - balance, self.sighash, binding_sig)
