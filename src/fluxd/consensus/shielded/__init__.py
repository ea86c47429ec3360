"""Shielded consensus checks: Groth16 proofs, Ed25519 and RedJubjub signatures (docs/API.md).

``verify_transaction(raw_tx, consensus_branch_id)`` runs every context-free shielded check of one
transaction and raises ``fluxd.consensus.validation.ValidationError`` with the C++ reject reason.
"""

from fluxd.consensus.shielded.verify import verify_transaction

__all__ = ["verify_transaction"]
