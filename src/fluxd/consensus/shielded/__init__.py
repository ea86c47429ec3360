"""Shielded consensus checks: Groth16 proofs, Ed25519 and RedJubjub signatures, note commitment trees
(docs/API.md).

- ``verify_transaction(raw_tx, consensus_branch_id)`` runs every context-free shielded check of one
  transaction and raises ``fluxd.consensus.validation.ValidationError`` with the C++ reject reason.
- ``SaplingTree`` / ``SproutTree``: ``append(commitment)``, ``root()`` (internal byte order), C++'s
  IncrementalMerkleTree serialization.

The names load on first use (PEP 562), so the trees may import this package's group hash without a cycle.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "verify_transaction": "fluxd.consensus.shielded.verify",
    "SaplingTree": "fluxd.consensus.trees.sapling_tree",
    "SproutTree": "fluxd.consensus.trees.sprout_tree",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
