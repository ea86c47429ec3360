"""Block headers (PoW with an Equihash solution, PoN from version 100) and blocks.

CONSENSUS_HEADERS.md §1: a PoW hash covers the whole header with its
solution; a PoN hash covers only the first 144 bytes (the block signature and
its length prefix are not committed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fluxd.core.hashes import sha256d
from fluxd.core.merkle import block_merkle_root
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.serialize import DecodeError, Reader, Writer, compact_size_bytes

PON_VERSION = 100
CURRENT_VERSION = 4
HEADER_PREFIX_SIZE = 108  # CEquihashInput: version .. bits
POW_HEADER_SIZE = 140  # prefix + nonce, without the solution
PON_HASHED_SIZE = 144  # prefix + collateral outpoint
MIN_TX_SIZE = 5  # smallest encodable transaction (fluxnode header + nType)
ZERO_32 = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class BlockHeader:
    version: int
    prev_block_rev: bytes
    merkle_root_rev: bytes
    final_sapling_root_rev: bytes
    time: int
    bits: int
    nonce_rev: bytes = ZERO_32
    solution: bytes = b""
    collateral: OutPoint = field(default_factory=OutPoint.null)
    block_sig: bytes = b""
    _hash_cache: list = field(default_factory=list, init=False, compare=False, repr=False)

    @property
    def is_pon(self) -> bool:
        return self.version >= PON_VERSION

    @property
    def is_pow(self) -> bool:
        return not self.is_pon

    def prefix_bytes(self) -> bytes:
        """The 108-byte CEquihashInput (also the shared start of both layouts)."""
        writer = Writer()
        self._write_prefix(writer)
        return writer.getvalue()

    def _write_prefix(self, writer: Writer) -> None:
        writer.i32(self.version)
        writer.write(self.prev_block_rev)
        writer.write(self.merkle_root_rev)
        writer.write(self.final_sapling_root_rev)
        writer.u32(self.time)
        writer.u32(self.bits)

    def write(self, writer: Writer, for_hash: bool = False) -> None:
        self._write_prefix(writer)
        if self.is_pon:
            self.collateral.write(writer)
            if not for_hash:
                writer.var_bytes(self.block_sig)
        else:
            writer.write(self.nonce_rev)
            writer.var_bytes(self.solution)

    def serialize(self, for_hash: bool = False) -> bytes:
        writer = Writer()
        self.write(writer, for_hash)
        return writer.getvalue()

    def to_bytes(self) -> bytes:
        return self.serialize(for_hash=False)

    @property
    def hash_rev(self) -> bytes:
        if not self._hash_cache:
            self._hash_cache.append(sha256d(self.serialize(for_hash=True)))
        return self._hash_cache[0]

    @property
    def hash_hum(self) -> str:
        return rev_to_hum(self.hash_rev)

    def copy_with(self, **changes) -> "BlockHeader":
        return replace(self, **changes)

    @classmethod
    def read(cls, reader: Reader) -> "BlockHeader":
        version = reader.i32()
        prev_block_rev = reader.read(32)
        merkle_root_rev = reader.read(32)
        final_sapling_root_rev = reader.read(32)
        time = reader.u32()
        bits = reader.u32()
        if version >= PON_VERSION:
            collateral = OutPoint.read(reader)
            block_sig = reader.var_bytes()
            return cls(
                version, prev_block_rev, merkle_root_rev, final_sapling_root_rev, time, bits,
                collateral=collateral, block_sig=block_sig,
            )
        nonce_rev = reader.read(32)
        solution = reader.var_bytes()
        return cls(version, prev_block_rev, merkle_root_rev, final_sapling_root_rev, time, bits, nonce_rev, solution)

    @classmethod
    def from_bytes(cls, data: bytes) -> "BlockHeader":
        reader = Reader(data)
        header = cls.read(reader)
        reader.expect_end("block header")
        return header

    @classmethod
    def from_hex(cls, text: str) -> "BlockHeader":
        return cls.from_bytes(_hex_bytes(text, "block header"))


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    transactions: tuple[Transaction, ...] = ()

    @property
    def hash_rev(self) -> bytes:
        return self.header.hash_rev

    @property
    def hash_hum(self) -> str:
        return self.header.hash_hum

    def compute_merkle_root(self) -> tuple[bytes, bool]:
        """(root, mutated) as C++ BuildMerkleTree, from the transaction ids."""
        return block_merkle_root([tx.txid_rev for tx in self.transactions])

    def write(self, writer: Writer) -> None:
        self.header.write(writer)
        writer.compact_size(len(self.transactions))
        for tx in self.transactions:
            tx.write(writer)

    def to_bytes(self) -> bytes:
        """The wire encoding; transactions reuse the bytes they were parsed from."""
        head = self.header.to_bytes() + compact_size_bytes(len(self.transactions))
        return head + b"".join([tx.to_bytes() for tx in self.transactions])

    @classmethod
    def read(cls, reader: Reader) -> "Block":
        header = BlockHeader.read(reader)
        count = reader.count(MIN_TX_SIZE)
        read_tx = Transaction.read
        return cls(header, tuple([read_tx(reader) for _ in range(count)]))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Block":
        reader = Reader(data)
        block = cls.read(reader)
        reader.expect_end("block")
        return block

    @classmethod
    def from_hex(cls, text: str) -> "Block":
        return cls.from_bytes(_hex_bytes(text, "block"))


def _hex_bytes(text: str, what: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise DecodeError(f"{what} hex is not valid hex") from exc
