"""One fluxnode list entry and its byte form (C++ FluxnodeCacheData, in a layout of our own).

The list keeps one record per collateral outpoint: a node is started, in the
DoS list, or confirmed (C++ keeps three maps; an outpoint is in at most one).
Values are little-endian; outpoints are ``txid_rev ‖ n (u32 LE)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fluxd.core.tx_parts import OutPoint
from fluxd.util.serialize import Reader, Writer

STARTED = 1  # C++ FLUXNODE_TX_STARTED
DOS = 2  # C++ FLUXNODE_TX_DOS_PROTECTION
CONFIRMED = 3  # C++ FLUXNODE_TX_CONFIRMED

TIER_NAMES = {1: "CUMULUS", 2: "NIMBUS", 3: "STRATUS"}
RECORD_FORMAT = 1


@dataclass(frozen=True, slots=True)
class FluxnodeRecord:
    collateral: OutPoint
    status: int  # STARTED | DOS | CONFIRMED
    tier: int  # 1 CUMULUS, 2 NIMBUS, 3 STRATUS (from the collateral value at the START's height)
    collateral_amount: int  # zatoshi of the collateral coin (C++ nCollateral)
    collateral_pubkey: bytes  # START collateralPubkey (empty for a v6 P2SH node)
    operator_pubkey: bytes  # START pubKey: signs the CONFIRMs and PoN blocks
    redeem_script: bytes  # v6 P2SH START redeem script, else empty
    flux_tx_version: int  # v6 START nFluxTxVersion, 0 for a v5 START
    payee_script: bytes  # the coinbase script this node is paid to (CONSENSUS_TRANSACTIONS.md §5.2)
    added_height: int
    confirmed_height: int = 0
    last_confirmed_height: int = 0
    last_paid_height: int = 0
    ip: str = ""

    def with_(self, **changes) -> "FluxnodeRecord":
        return replace(self, **changes)

    def payment_key(self) -> tuple[int, int, bytes, int]:
        """C++ FluxnodeListData::operator<: (height compared, paid?, txid internal bytes, n); the minimum is paid next."""
        paid = self.last_paid_height > 0
        return (self.last_paid_height if paid else self.confirmed_height, int(paid), self.collateral.txid_rev, self.collateral.n)

    def to_bytes(self) -> bytes:
        writer = Writer()
        writer.u8(RECORD_FORMAT)
        writer.u8(self.status)
        writer.u8(self.tier)
        writer.i64(self.collateral_amount)
        writer.var_bytes(self.collateral_pubkey)
        writer.var_bytes(self.operator_pubkey)
        writer.var_bytes(self.redeem_script)
        writer.i32(self.flux_tx_version)
        writer.var_bytes(self.payee_script)
        for height in (self.added_height, self.confirmed_height, self.last_confirmed_height, self.last_paid_height):
            writer.i32(height)
        writer.var_bytes(self.ip.encode("utf-8", "surrogateescape"))
        return writer.getvalue()

    @classmethod
    def from_bytes(cls, collateral: OutPoint, data: bytes) -> "FluxnodeRecord":
        reader = Reader(data)
        if reader.u8() != RECORD_FORMAT:
            raise ValueError("unknown fluxnode record format")
        status, tier, amount = reader.u8(), reader.u8(), reader.i64()
        collateral_pubkey, operator_pubkey, redeem_script = reader.var_bytes(), reader.var_bytes(), reader.var_bytes()
        flux_tx_version, payee_script = reader.i32(), reader.var_bytes()
        added, confirmed, last_confirmed, last_paid = (reader.i32() for _ in range(4))
        ip = reader.var_bytes().decode("utf-8", "surrogateescape")
        reader.expect_end("fluxnode record")
        return cls(collateral, status, tier, amount, collateral_pubkey, operator_pubkey, redeem_script, flux_tx_version,
                   payee_script, added, confirmed, last_confirmed, last_paid, ip)  # fmt: skip
