"""Shielded consensus checks: Groth16 proofs, Ed25519 and RedJubjub signatures, note commitment trees
(docs/API.md).

- ``verify_transaction(raw_tx, consensus_branch_id)`` runs every context-free shielded check of one
  transaction and raises ``fluxd.consensus.validation.ValidationError`` with the C++ reject reason.
- ``SaplingTree`` / ``SproutTree``: ``append(commitment)``, ``root()`` (internal byte order), C++'s
  IncrementalMerkleTree serialization.
"""

from fluxd.consensus.shielded.verify import verify_transaction
from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.sprout_tree import SproutTree

__all__ = ["SaplingTree", "SproutTree", "verify_transaction"]
