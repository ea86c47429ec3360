"""The context-free shielded checks of one transaction, in the C++ node's order and with its reject reasons.

- CheckTransaction (main.cpp ~L1683): every Sprout JoinSplit proof (``JSDescription::Verify``: Groth16
  checked, PHGR13 accepted) — ``bad-txns-joinsplit-verification-failed``, DoS 100.
- ContextualCheckTransaction (~L1411), with m = SignatureHash(empty script, tx, NOT_AN_INPUT,
  SIGHASH_ALL, 0, the height's branch id): joinSplitSig (Ed25519, libsodium 1.0.15) —
  ``bad-txns-invalid-joinsplit-signature`` (DoS 100, 0 during initial block download); then each Sapling
  spend, each output and the binding signature — ``bad-txns-sapling-spend-description-invalid``,
  ``…-output-description-invalid``, ``…-binding-signature-invalid``, DoS 100.

Anchors and nullifiers need chain state and are checked at connect (not here).
"""

from __future__ import annotations

from fluxd.consensus.shielded import ed25519
from fluxd.consensus.shielded.groth16 import Batch
from fluxd.consensus.shielded.sapling import SaplingCheck
from fluxd.consensus.shielded.sprout import verify_joinsplit
from fluxd.consensus.sighash import NOT_AN_INPUT, SighashError, signature_hash
from fluxd.consensus.validation import REJECT_MALFORMED, ValidationError, reject
from fluxd.core.transaction import Transaction
from fluxd.util.serialize import DecodeError

SIGHASH_ALL = 1


def check_joinsplit_proofs(tx: Transaction, batch: Batch | None = None) -> None:
    """CheckTransaction's proof part (with a ``batch``, the proofs hold once it verifies)."""
    for joinsplit in tx.joinsplits:
        if not verify_joinsplit(joinsplit, tx.joinsplit_pubkey, batch):
            reject("bad-txns-joinsplit-verification-failed")


def shielded_sighash(tx: Transaction, branch_id: int) -> bytes:
    """dataToBeSigned: what joinSplitSig, every spendAuthSig and bindingSig sign."""
    try:
        return signature_hash(b"", tx, NOT_AN_INPUT, SIGHASH_ALL, 0, branch_id)
    except SighashError:
        raise ValidationError("error-computing-signature-hash") from None


def check_shielded_signatures(tx: Transaction, branch_id: int, joinsplit_sig_dos: int = 100, batch: Batch | None = None) -> None:
    """ContextualCheckTransaction's shielded part (nothing to do for a transaction without shielded parts; with
    a ``batch``, the Sapling proofs hold once it verifies)."""
    if not tx.has_shielded():
        return
    sighash = shielded_sighash(tx, branch_id)
    if tx.joinsplits and not ed25519.verify(tx.joinsplit_sig, sighash, tx.joinsplit_pubkey):
        reject("bad-txns-invalid-joinsplit-signature", joinsplit_sig_dos)
    if not (tx.shielded_spends or tx.shielded_outputs):
        return
    check = SaplingCheck(sighash, batch)
    if not all(check.spend(spend) for spend in tx.shielded_spends):
        reject("bad-txns-sapling-spend-description-invalid")
    if not all(check.output(output) for output in tx.shielded_outputs):
        reject("bad-txns-sapling-output-description-invalid")
    if not check.final(tx.value_balance, tx.binding_sig):
        reject("bad-txns-sapling-binding-signature-invalid")


def verify_transaction(raw_tx: bytes, consensus_branch_id: int) -> None:
    """Every context-free shielded check of one serialized transaction (docs/API.md).

    Raises ValidationError with the C++ reject reason; ``TX decode failed`` (REJECT_MALFORMED) when the
    bytes are not one transaction.
    """
    try:
        tx = Transaction.from_bytes(raw_tx)
    except (DecodeError, ValueError) as exc:
        raise ValidationError("TX decode failed", 0, REJECT_MALFORMED, str(exc)) from None
    checks_in_order(tx, consensus_branch_id)


def checks_in_order(tx: Transaction, branch_id: int, joinsplit_sig_dos: int = 100) -> None:
    """CheckTransaction's then ContextualCheckTransaction's shielded checks, proofs batched: when the batch
    fails, everything is checked again one by one, so the reason is the one C++ meets first."""
    batch = Batch()
    try:
        check_joinsplit_proofs(tx, batch)
        check_shielded_signatures(tx, branch_id, joinsplit_sig_dos, batch)
        if not len(batch) or batch.verify():
            return
    except ValidationError:
        pass
    check_joinsplit_proofs(tx)
    check_shielded_signatures(tx, branch_id, joinsplit_sig_dos)
