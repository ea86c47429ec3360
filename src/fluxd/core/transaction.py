"""Flux transactions: v1/v2 (Sprout), v3 (Overwinter), v4 (Sapling), v5/v6 (fluxnode).

Layouts: CONSENSUS_TRANSACTIONS.md §1.  ``Transaction.from_bytes`` parses the
wire encoding; ``to_bytes`` writes it back byte-identically; ``txid_rev`` is
sha256d of the SER_GETHASH serialization (fluxnode txs leave out signatures).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fluxd.core.fluxnode_tx import (
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FLUXNODE_TX_VERSION,
    FluxnodePayload,
    read_fluxnode_payload,
    write_fluxnode_payload,
)
from fluxd.core.hashes import sha256d
from fluxd.core.shielded_parts import (
    JOINSPLIT_SIZE_GROTH,
    JOINSPLIT_SIZE_PHGR,
    OUTPUT_DESCRIPTION_SIZE,
    SPEND_DESCRIPTION_SIZE,
    JSDescription,
    OutputDescription,
    SpendDescription,
)
from fluxd.core.tx_parts import MIN_TXIN_SIZE, MIN_TXOUT_SIZE, NULL_HASH, NULL_INDEX, TxIn, TxOut
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.serialize import DecodeError, Reader, Writer

OVERWINTER_VERSION_GROUP_ID = 0x03C48270
SAPLING_VERSION_GROUP_ID = 0x892F2085
OVERWINTER_TX_VERSION = 3
SAPLING_TX_VERSION = 4

ZERO_32 = b"\x00" * 32
ZERO_64 = b"\x00" * 64
NULL_OUTPOINT = (NULL_HASH, NULL_INDEX)


@dataclass(frozen=True, slots=True)
class Transaction:
    version: int = 1
    overwintered: bool = False
    version_group_id: int = 0
    vin: tuple[TxIn, ...] = ()
    vout: tuple[TxOut, ...] = ()
    lock_time: int = 0
    expiry_height: int = 0
    value_balance: int = 0
    shielded_spends: tuple[SpendDescription, ...] = ()
    shielded_outputs: tuple[OutputDescription, ...] = ()
    joinsplits: tuple[JSDescription, ...] = ()
    joinsplit_pubkey: bytes = ZERO_32
    joinsplit_sig: bytes = ZERO_64
    binding_sig: bytes = ZERO_64
    fluxnode: FluxnodePayload | None = None
    _txid_cache: list = field(default_factory=list, init=False, compare=False, repr=False)
    _raw_cache: list = field(default_factory=list, init=False, compare=False, repr=False)  # bytes as parsed (v1-v4)
    _written_cache: list = field(default_factory=list, init=False, compare=False, repr=False)  # to_bytes() once made

    # ----- classification -------------------------------------------------
    @property
    def header(self) -> int:
        return (self.version & 0x7FFFFFFF) | (0x80000000 if self.overwintered else 0)

    @property
    def is_overwinter_v3(self) -> bool:
        return (
            self.overwintered
            and self.version_group_id == OVERWINTER_VERSION_GROUP_ID
            and self.version == OVERWINTER_TX_VERSION
        )

    @property
    def is_sapling_v4(self) -> bool:
        return self.overwintered and self.version_group_id == SAPLING_VERSION_GROUP_ID and self.version == SAPLING_TX_VERSION

    @property
    def uses_groth(self) -> bool:
        return self.overwintered and self.version >= SAPLING_TX_VERSION

    def is_fluxnode_tx(self) -> bool:
        return self.version in (FLUXNODE_TX_VERSION, FLUXNODE_TX_UPGRADEABLE_VERSION) and not self.overwintered

    def is_coinbase(self) -> bool:
        return len(self.vin) == 1 and self.vin[0].prevout == NULL_OUTPOINT  # OutPoint.is_null as one tuple compare

    def has_shielded(self) -> bool:
        return bool(self.joinsplits or self.shielded_spends or self.shielded_outputs)

    # ----- hashing ------------------------------------------------------------
    @property
    def txid_rev(self) -> bytes:
        if not self._txid_cache:
            self._txid_cache.append(sha256d(self.serialize(for_hash=True)))
        return self._txid_cache[0]

    @property
    def txid_hum(self) -> str:
        return rev_to_hum(self.txid_rev)

    def copy_with(self, **changes) -> "Transaction":
        """A modified copy (its txid is computed afresh)."""
        return replace(self, **changes)

    # ----- serialisation ------------------------------------------------------
    def serialize(self, for_hash: bool = False) -> bytes:
        writer = Writer()
        self.write(writer, for_hash)
        return writer.getvalue()

    def to_bytes(self) -> bytes:
        if self._raw_cache:
            return self._raw_cache[0]
        if not self._written_cache:  # fields are frozen: the bytes never change (copy_with makes a new object)
            self._written_cache.append(self.serialize(for_hash=False))
        return self._written_cache[0]

    @property
    def size(self) -> int:
        """The serialized size (GetSerializeSize)."""
        return len(self.to_bytes())

    def write(self, writer: Writer, for_hash: bool = False) -> None:
        if self._raw_cache:  # a parsed v1-v4 transaction writes back exactly the bytes it was read from
            writer.write(self._raw_cache[0])
            return
        if not for_hash and self._written_cache:
            writer.write(self._written_cache[0])
            return
        writer.u32(self.header)
        if self.overwintered:
            writer.u32(self.version_group_id)
        if self.is_fluxnode_tx():
            if self.fluxnode is None:
                raise ValueError("fluxnode transaction without a payload")
            write_fluxnode_payload(writer, self.version, self.fluxnode, for_hash)
            return
        writer.compact_size(len(self.vin))
        for txin in self.vin:
            txin.write(writer)
        writer.compact_size(len(self.vout))
        for txout in self.vout:
            txout.write(writer)
        writer.u32(self.lock_time)
        sapling = self.is_sapling_v4
        if self.is_overwinter_v3 or sapling:
            writer.u32(self.expiry_height)
        if sapling:
            writer.i64(self.value_balance)
            writer.compact_size(len(self.shielded_spends))
            for spend in self.shielded_spends:
                spend.write(writer)
            writer.compact_size(len(self.shielded_outputs))
            for output in self.shielded_outputs:
                output.write(writer)
        if self.version >= 2:
            writer.compact_size(len(self.joinsplits))
            for joinsplit in self.joinsplits:
                joinsplit.write(writer)
            if self.joinsplits:
                writer.write(self.joinsplit_pubkey)
                writer.write(self.joinsplit_sig)
        if sapling and (self.shielded_spends or self.shielded_outputs):
            writer.write(self.binding_sig)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Transaction":
        reader = Reader(data)
        tx = cls.read(reader)
        reader.expect_end("transaction")
        return tx

    @classmethod
    def from_hex(cls, text: str) -> "Transaction":
        try:
            data = bytes.fromhex(text)
        except ValueError as exc:
            raise DecodeError("transaction hex is not valid hex") from exc
        return cls.from_bytes(data)

    @classmethod
    def read(cls, reader: Reader) -> "Transaction":
        start = reader.pos
        header = reader.u32()
        overwintered = bool(header >> 31)
        version = header & 0x7FFFFFFF
        version_group_id = reader.u32() if overwintered else 0
        is_v3 = overwintered and version_group_id == OVERWINTER_VERSION_GROUP_ID and version == OVERWINTER_TX_VERSION
        is_v4 = overwintered and version_group_id == SAPLING_VERSION_GROUP_ID and version == SAPLING_TX_VERSION
        if overwintered and not (is_v3 or is_v4):
            raise DecodeError("Unknown transaction format")
        if not overwintered and version in (FLUXNODE_TX_VERSION, FLUXNODE_TX_UPGRADEABLE_VERSION):
            payload = read_fluxnode_payload(reader, version)
            return cls(version=version, fluxnode=payload)
        fields = _read_regular_body(reader, version, is_v3, is_v4)
        tx = cls(version=version, overwintered=overwintered, version_group_id=version_group_id, **fields)
        raw = reader.slice_bytes(start, reader.pos)
        tx._raw_cache.append(raw)
        tx._txid_cache.append(sha256d(raw))
        return tx


def _read_regular_body(reader: Reader, version: int, is_v3: bool, is_v4: bool) -> dict:
    read_txin, read_txout = TxIn.read, TxOut.read
    vin = tuple([read_txin(reader) for _ in range(reader.count(MIN_TXIN_SIZE))])  # a list is built faster than a generator
    vout = tuple([read_txout(reader) for _ in range(reader.count(MIN_TXOUT_SIZE))])
    fields: dict = {"vin": vin, "vout": vout, "lock_time": reader.u32()}
    if is_v3 or is_v4:
        fields["expiry_height"] = reader.u32()
    if is_v4:
        fields["value_balance"] = reader.i64()
        spend_count = reader.count(SPEND_DESCRIPTION_SIZE)
        fields["shielded_spends"] = tuple(SpendDescription.read(reader) for _ in range(spend_count))
        output_count = reader.count(OUTPUT_DESCRIPTION_SIZE)
        fields["shielded_outputs"] = tuple(OutputDescription.read(reader) for _ in range(output_count))
    if version >= 2:
        use_groth = is_v4  # C++: fOverwintered && nVersion >= 4
        joinsplit_count = reader.count(JOINSPLIT_SIZE_GROTH if use_groth else JOINSPLIT_SIZE_PHGR)
        joinsplits = tuple(JSDescription.read(reader, use_groth) for _ in range(joinsplit_count))
        fields["joinsplits"] = joinsplits
        if joinsplits:
            fields["joinsplit_pubkey"] = reader.read(32)
            fields["joinsplit_sig"] = reader.read(64)
    if is_v4 and (fields["shielded_spends"] or fields["shielded_outputs"]):
        fields["binding_sig"] = reader.read(64)
    return fields
