"""Fluxnode transaction payloads (tx versions 5 and 6): START and CONFIRM.

Layouts follow CONSENSUS_TRANSACTIONS.md §1.3-1.5.  Reading follows the C++
CMutableTransaction path, writing (and therefore the txid) the CTransaction
path; for a v6 transaction whose nType has bit 1 set but is not exactly
START the two differ, exactly as in C++ (such transactions are invalid).
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.core.tx_parts import OutPoint
from fluxd.util.serialize import Reader, Writer

FLUXNODE_TX_VERSION = 5
FLUXNODE_TX_UPGRADEABLE_VERSION = 6
FLUXNODE_START_TX_TYPE = 0x02
FLUXNODE_CONFIRM_TX_TYPE = 0x04

FLUXNODE_INTERNAL_NORMAL_TX_VERSION = 1
FLUXNODE_INTERNAL_P2SH_TX_VERSION = 2
FLUXNODE_TX_TYPE_NORMAL_BIT = 0x01
FLUXNODE_TX_TYPE_P2SH_BIT = 0x02
FLUXNODE_TX_FEATURE_DELEGATES_BIT = 0x0100
FLUXNODE_TX_FEATURE_RESERVED1_BIT = 0x0200
FLUXNODE_TX_FEATURE_RESERVED2_BIT = 0x0400

CONFIRM_INITIAL = 0
CONFIRM_UPDATE = 1

DELEGATES_INITIAL_VERSION = 1
DELEGATES_NONE = 0
DELEGATES_UPDATE = 1
DELEGATES_SIGNING = 2
DELEGATES_MAX_KEYS = 4

PUBLIC_KEY_SIZE = 65
COMPRESSED_PUBLIC_KEY_SIZE = 33


def pubkey_length_from_header(header_byte: int) -> int:
    """C++ CPubKey::GetLen: the size implied by the first byte (0 = invalid)."""
    if header_byte in (2, 3):
        return COMPRESSED_PUBLIC_KEY_SIZE
    if header_byte in (4, 6, 7):
        return PUBLIC_KEY_SIZE
    return 0


def read_cpubkey(reader: Reader) -> bytes:
    """Read a CPubKey as C++ does and return the bytes it would serialize back.

    A length above 65 skips the data and leaves an invalid (empty) key.  A
    shorter-than-implied key would make C++ write uninitialised memory; it is
    padded with zeros here (undefined behaviour in C++, never valid on chain).
    """
    raw = reader.var_bytes()
    if len(raw) > PUBLIC_KEY_SIZE or not raw:
        return b""
    implied = pubkey_length_from_header(raw[0])
    if implied <= len(raw):
        return raw[:implied]
    return raw + b"\x00" * (implied - len(raw))


def is_normal_layout(flux_tx_version: int) -> bool:
    is_normal = flux_tx_version == FLUXNODE_INTERNAL_NORMAL_TX_VERSION or bool(
        flux_tx_version & FLUXNODE_TX_TYPE_NORMAL_BIT
    )
    return is_normal and not flux_tx_version & FLUXNODE_TX_TYPE_P2SH_BIT


def is_p2sh_layout(flux_tx_version: int) -> bool:
    if is_normal_layout(flux_tx_version):
        return False
    return flux_tx_version == FLUXNODE_INTERNAL_P2SH_TX_VERSION or bool(flux_tx_version & FLUXNODE_TX_TYPE_P2SH_BIT)


def has_delegates_feature(flux_tx_version: int) -> bool:
    return bool(flux_tx_version & FLUXNODE_TX_FEATURE_DELEGATES_BIT)


@dataclass(frozen=True, slots=True)
class FluxnodeDelegates:
    version: int = DELEGATES_INITIAL_VERSION
    n_type: int = DELEGATES_NONE
    keys: tuple[bytes, ...] = ()

    @classmethod
    def read(cls, reader: Reader) -> "FluxnodeDelegates":
        version = reader.i8()
        n_type = reader.i8()
        keys: tuple[bytes, ...] = ()
        if version == DELEGATES_INITIAL_VERSION and n_type == DELEGATES_UPDATE:
            count = reader.count(1)
            keys = tuple(read_cpubkey(reader) for _ in range(count))
        return cls(version, n_type, keys)

    def write(self, writer: Writer) -> None:
        writer.i8(self.version)
        writer.i8(self.n_type)
        if self.version == DELEGATES_INITIAL_VERSION and self.n_type == DELEGATES_UPDATE:
            writer.compact_size(len(self.keys))
            for key in self.keys:
                writer.var_bytes(key)

    def is_valid(self) -> bool:
        """C++ CFluxnodeDelegates::IsValid."""
        if self.n_type not in (DELEGATES_UPDATE, DELEGATES_SIGNING):
            return False
        if len(self.keys) > DELEGATES_MAX_KEYS:
            return False
        return all(len(key) == COMPRESSED_PUBLIC_KEY_SIZE for key in self.keys)


@dataclass(frozen=True, slots=True)
class FluxnodeStart:
    """A START payload.  ``flux_tx_version`` is None for v5 transactions."""

    n_type: int
    collateral: OutPoint
    collateral_pubkey: bytes
    pubkey: bytes
    sig_time: int
    sig: bytes
    flux_tx_version: int | None = None
    redeem_script: bytes = b""
    using_delegates: bool = False
    delegates: FluxnodeDelegates | None = None

    @property
    def is_p2sh(self) -> bool:
        return self.flux_tx_version is not None and is_p2sh_layout(self.flux_tx_version)


@dataclass(frozen=True, slots=True)
class FluxnodeConfirm:
    n_type: int
    collateral: OutPoint
    sig_time: int
    benchmark_tier: int
    benchmark_sig_time: int
    update_type: int
    ip: bytes
    sig: bytes
    benchmark_sig: bytes


@dataclass(frozen=True, slots=True)
class FluxnodeUnknown:
    """A fluxnode transaction whose nType is neither START nor CONFIRM."""

    n_type: int


FluxnodePayload = FluxnodeStart | FluxnodeConfirm | FluxnodeUnknown


def read_fluxnode_payload(reader: Reader, version: int) -> FluxnodePayload:
    n_type = reader.i8()
    if version == FLUXNODE_TX_VERSION:
        if n_type == FLUXNODE_START_TX_TYPE:
            return _read_v5_start(reader, n_type)
    elif n_type & FLUXNODE_START_TX_TYPE:
        return _read_v6_start(reader, n_type)
    if n_type == FLUXNODE_CONFIRM_TX_TYPE:
        return _read_confirm(reader, n_type)
    return FluxnodeUnknown(n_type)


def _read_v5_start(reader: Reader, n_type: int) -> FluxnodeStart:
    collateral = OutPoint.read(reader)
    collateral_pubkey = read_cpubkey(reader)
    pubkey = read_cpubkey(reader)
    sig_time = reader.u32()
    return FluxnodeStart(n_type, collateral, collateral_pubkey, pubkey, sig_time, reader.var_bytes())


def _read_v6_start(reader: Reader, n_type: int) -> FluxnodeStart:
    flux_tx_version = reader.i32()
    collateral = OutPoint.null()
    collateral_pubkey = pubkey = redeem_script = sig = b""
    sig_time = 0
    if is_normal_layout(flux_tx_version):
        collateral = OutPoint.read(reader)
        collateral_pubkey = read_cpubkey(reader)
        pubkey = read_cpubkey(reader)
        sig_time = reader.u32()
        sig = reader.var_bytes()
    elif is_p2sh_layout(flux_tx_version):
        collateral = OutPoint.read(reader)
        pubkey = read_cpubkey(reader)
        redeem_script = reader.var_bytes()
        sig_time = reader.u32()
        sig = reader.var_bytes()
    using_delegates = False
    delegates = None
    if has_delegates_feature(flux_tx_version):
        using_delegates = reader.boolean()
        if using_delegates:
            delegates = FluxnodeDelegates.read(reader)
    return FluxnodeStart(
        n_type, collateral, collateral_pubkey, pubkey, sig_time, sig,
        flux_tx_version, redeem_script, using_delegates, delegates,
    )


def _read_confirm(reader: Reader, n_type: int) -> FluxnodeConfirm:
    collateral = OutPoint.read(reader)
    sig_time = reader.u32()
    benchmark_tier = reader.i8()
    benchmark_sig_time = reader.u32()
    update_type = reader.i8()
    ip = reader.var_bytes()
    sig = reader.var_bytes()
    return FluxnodeConfirm(
        n_type, collateral, sig_time, benchmark_tier, benchmark_sig_time, update_type, ip, sig, reader.var_bytes()
    )


def write_fluxnode_payload(writer: Writer, version: int, payload: FluxnodePayload, for_hash: bool) -> None:
    """CTransaction's write path; ``for_hash`` leaves out the signatures (SER_GETHASH)."""
    writer.i8(payload.n_type)
    if isinstance(payload, FluxnodeStart) and payload.n_type == FLUXNODE_START_TX_TYPE:
        if version == FLUXNODE_TX_VERSION:
            _write_v5_start(writer, payload, for_hash)
        else:
            _write_v6_start(writer, payload, for_hash)
    elif isinstance(payload, FluxnodeConfirm) and payload.n_type == FLUXNODE_CONFIRM_TX_TYPE:
        _write_confirm(writer, payload, for_hash)


def _write_v5_start(writer: Writer, start: FluxnodeStart, for_hash: bool) -> None:
    start.collateral.write(writer)
    writer.var_bytes(start.collateral_pubkey)
    writer.var_bytes(start.pubkey)
    writer.u32(start.sig_time)
    if not for_hash:
        writer.var_bytes(start.sig)


def _write_v6_start(writer: Writer, start: FluxnodeStart, for_hash: bool) -> None:
    flux_tx_version = start.flux_tx_version or 0
    writer.i32(flux_tx_version)
    if is_normal_layout(flux_tx_version):
        start.collateral.write(writer)
        writer.var_bytes(start.collateral_pubkey)
        writer.var_bytes(start.pubkey)
        writer.u32(start.sig_time)
        if not for_hash:
            writer.var_bytes(start.sig)
    elif is_p2sh_layout(flux_tx_version):
        start.collateral.write(writer)
        writer.var_bytes(start.pubkey)
        writer.var_bytes(start.redeem_script)
        writer.u32(start.sig_time)
        if not for_hash:
            writer.var_bytes(start.sig)
    if has_delegates_feature(flux_tx_version):
        writer.boolean(start.using_delegates)
        if start.using_delegates:
            (start.delegates or FluxnodeDelegates()).write(writer)


def _write_confirm(writer: Writer, confirm: FluxnodeConfirm, for_hash: bool) -> None:
    confirm.collateral.write(writer)
    writer.u32(confirm.sig_time)
    writer.i8(confirm.benchmark_tier)
    writer.u32(confirm.benchmark_sig_time)
    writer.i8(confirm.update_type)
    writer.var_bytes(confirm.ip)
    if not for_hash:
        writer.var_bytes(confirm.sig)
        writer.var_bytes(confirm.benchmark_sig)
