"""Validation outcomes shared by transaction and block checks (C++ CValidationState)."""

from __future__ import annotations

REJECT_MALFORMED = 0x01
REJECT_INVALID = 0x10
REJECT_OBSOLETE = 0x11
REJECT_DUPLICATE = 0x12
REJECT_NONSTANDARD = 0x40
REJECT_INSUFFICIENTFEE = 0x42
REJECT_CHECKPOINT = 0x43


class ValidationError(Exception):
    """A consensus or policy rule failed: ``reason`` is the C++ reject reason string."""

    def __init__(self, reason: str, dos: int = 100, code: int = REJECT_INVALID, detail: str = "", corruption_possible: bool = False):
        super().__init__(reason if not detail else f"{reason} ({detail})")
        self.reason = reason
        self.dos = dos
        self.code = code
        self.detail = detail
        self.corruption_possible = corruption_possible
        self.invalid_txid: bytes | None = None  # C++ state.GetInvalidTx(): the transaction to blame (DoSTx / SetInvalidTx)

    def blaming(self, txid_rev: bytes) -> "ValidationError":
        """This failure with the transaction that caused it (C++ DoSTx / SetInvalidTx)."""
        self.invalid_txid = txid_rev
        return self


def reject(reason: str, dos: int = 100, code: int = REJECT_INVALID, detail: str = "") -> None:
    raise ValidationError(reason, dos, code, detail)
