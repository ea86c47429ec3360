"""Every P2P message fluxd sends or understands, as small classes that read and write their payload.

``decode_payload(command, payload)`` turns a framed payload into a message
object (DecodeError for malformed data); ``message.payload()`` is the exact
byte form.  Blocks and transactions are parsed with the core types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from fluxd.core.block import Block, BlockHeader
from fluxd.core.transaction import Transaction
from fluxd.p2p.netaddress import NetAddress
from fluxd.p2p.protocol import MAX_REJECT_MESSAGE_LENGTH, MAX_SUBVERSION_LENGTH, PROTOCOL_VERSION, COMMAND_SIZE
from fluxd.util.serialize import DecodeError, Reader, Writer

ZERO_HASH = b"\x00" * 32


def _read_limited_string(reader: Reader, limit: int) -> str:
    size = reader.compact_size()
    if size > limit:
        raise DecodeError("String length limit exceeded")
    return reader.read(size).decode("utf-8", "replace")


def _write_string(writer: Writer, text: str) -> None:
    writer.var_bytes(text.encode("utf-8"))


class Message:
    command: ClassVar[str] = ""

    def write(self, writer: Writer) -> None:  # payload-less messages write nothing
        return None

    @classmethod
    def read(cls, reader: Reader) -> "Message":
        return cls()

    def payload(self) -> bytes:
        writer = Writer()
        self.write(writer)
        return writer.getvalue()


@dataclass
class Version(Message):
    command: ClassVar[str] = "version"
    version: int = PROTOCOL_VERSION
    services: int = 0
    time: int = 0
    addr_recv: NetAddress = field(default_factory=NetAddress)
    addr_from: NetAddress = field(default_factory=NetAddress)
    nonce: int = 0
    user_agent: str = ""
    start_height: int = 0
    relay: bool = True
    has_relay: bool = True  # old peers omit the relay byte (then it counts as true)

    def write(self, writer: Writer) -> None:
        writer.i32(self.version)
        writer.u64(self.services)
        writer.i64(self.time)
        self.addr_recv.write(writer, with_time=False)
        self.addr_from.write(writer, with_time=False)
        writer.u64(self.nonce)
        _write_string(writer, self.user_agent)
        writer.i32(self.start_height)
        if self.has_relay:
            writer.boolean(self.relay)

    @classmethod
    def read(cls, reader: Reader) -> "Version":
        message = cls(version=reader.i32(), services=reader.u64(), time=reader.i64())
        message.addr_recv = NetAddress.read(reader, with_time=False)
        message.has_relay = False
        if reader.at_end():
            return message
        message.addr_from = NetAddress.read(reader, with_time=False)
        message.nonce = reader.u64()
        if not reader.at_end():
            message.user_agent = _read_limited_string(reader, MAX_SUBVERSION_LENGTH)
        if not reader.at_end():
            message.start_height = reader.i32()
        if not reader.at_end():
            message.relay = reader.boolean()
            message.has_relay = True
        return message


@dataclass
class Verack(Message):
    command: ClassVar[str] = "verack"


@dataclass
class GetAddr(Message):
    command: ClassVar[str] = "getaddr"


@dataclass
class MempoolRequest(Message):
    command: ClassVar[str] = "mempool"


@dataclass
class SendHeaders(Message):
    command: ClassVar[str] = "sendheaders"


@dataclass
class FilterClear(Message):
    command: ClassVar[str] = "filterclear"


@dataclass
class Ping(Message):
    command: ClassVar[str] = "ping"
    nonce: int = 0

    def write(self, writer: Writer) -> None:
        writer.u64(self.nonce)

    @classmethod
    def read(cls, reader: Reader) -> "Ping":
        return cls(reader.u64() if reader.remaining >= 8 else 0)


@dataclass
class Pong(Ping):
    command: ClassVar[str] = "pong"


@dataclass
class SendCmpct(Message):
    command: ClassVar[str] = "sendcmpct"
    announce: bool = False
    cmpct_version: int = 1

    def write(self, writer: Writer) -> None:
        writer.boolean(self.announce)
        writer.u64(self.cmpct_version)

    @classmethod
    def read(cls, reader: Reader) -> "SendCmpct":
        return cls(reader.boolean(), reader.u64())


@dataclass
class FeeFilter(Message):
    command: ClassVar[str] = "feefilter"
    fee_rate: int = 0

    def write(self, writer: Writer) -> None:
        writer.i64(self.fee_rate)

    @classmethod
    def read(cls, reader: Reader) -> "FeeFilter":
        return cls(reader.i64())


@dataclass
class Addr(Message):
    command: ClassVar[str] = "addr"
    addresses: list[NetAddress] = field(default_factory=list)

    def write(self, writer: Writer) -> None:
        writer.compact_size(len(self.addresses))
        for address in self.addresses:
            address.write(writer, with_time=True)

    @classmethod
    def read(cls, reader: Reader) -> "Addr":
        count = reader.count(30)
        return cls([NetAddress.read(reader, with_time=True) for _ in range(count)])


@dataclass(frozen=True, slots=True)
class InvItem:
    type: int
    hash_rev: bytes


@dataclass
class Inv(Message):
    command: ClassVar[str] = "inv"
    items: list[InvItem] = field(default_factory=list)

    def write(self, writer: Writer) -> None:
        writer.compact_size(len(self.items))
        for item in self.items:
            writer.u32(item.type)
            writer.write(item.hash_rev)

    @classmethod
    def read(cls, reader: Reader) -> "Inv":
        count = reader.count(36)
        return cls([InvItem(reader.u32(), reader.hash32()) for _ in range(count)])


@dataclass
class GetData(Inv):
    command: ClassVar[str] = "getdata"


@dataclass
class NotFound(Inv):
    command: ClassVar[str] = "notfound"


@dataclass
class GetHeaders(Message):
    command: ClassVar[str] = "getheaders"
    locator: list[bytes] = field(default_factory=list)
    hash_stop: bytes = ZERO_HASH
    version: int = PROTOCOL_VERSION

    def write(self, writer: Writer) -> None:
        writer.i32(self.version)
        writer.compact_size(len(self.locator))
        for block_hash in self.locator:
            writer.write(block_hash)
        writer.write(self.hash_stop)

    @classmethod
    def read(cls, reader: Reader) -> "GetHeaders":
        version = reader.i32()
        count = reader.count(32)
        locator = [reader.hash32() for _ in range(count)]
        return cls(locator, reader.hash32(), version)


@dataclass
class GetBlocks(GetHeaders):
    command: ClassVar[str] = "getblocks"


@dataclass
class Headers(Message):
    """Headers, each followed by a zero transaction count (they travel as empty CBlocks)."""

    command: ClassVar[str] = "headers"
    headers: list[BlockHeader] = field(default_factory=list)

    def write(self, writer: Writer) -> None:
        writer.compact_size(len(self.headers))
        for header in self.headers:
            header.write(writer)
            writer.compact_size(0)

    @classmethod
    def read(cls, reader: Reader) -> "Headers":
        count = reader.count(141)
        headers = []
        for _ in range(count):
            headers.append(BlockHeader.read(reader))
            reader.compact_size()
        return cls(headers)


@dataclass(frozen=True, slots=True)
class CompactHeader:
    """CCompactBlockHeader: a PoW header without its solution but with its hash, or a full PoN header."""

    header: BlockHeader
    hash_rev: bytes


@dataclass
class CmpHeaders(Message):
    command: ClassVar[str] = "cmpheaders"
    headers: list[CompactHeader] = field(default_factory=list)

    def write(self, writer: Writer) -> None:
        writer.compact_size(len(self.headers))
        for item in self.headers:
            header = item.header
            writer.write(header.prefix_bytes())
            if header.is_pon:
                header.collateral.write(writer)
                writer.var_bytes(header.block_sig)
            else:
                writer.write(header.nonce_rev)
                writer.write(item.hash_rev)

    @classmethod
    def read(cls, reader: Reader) -> "CmpHeaders":
        count = reader.count(140)
        items = []
        for _ in range(count):
            start = reader.pos
            reader.skip(4)
            is_pon = int.from_bytes(reader.slice_bytes(start, start + 4), "little", signed=True) >= 100
            reader.skip(104)
            prefix = reader.slice_bytes(start, start + 108)
            if is_pon:
                header = BlockHeader.read(Reader(prefix + _rest_of_pon(reader)))
                items.append(CompactHeader(header, header.hash_rev))
            else:
                nonce_rev = reader.hash32()
                header = BlockHeader.read(Reader(prefix + nonce_rev + b"\x00"))
                items.append(CompactHeader(header, reader.hash32()))
        return cls(items)


def _rest_of_pon(reader: Reader) -> bytes:
    start = reader.pos
    reader.skip(36)
    reader.var_bytes()
    return reader.slice_bytes(start, reader.pos)


@dataclass
class BlockMessage(Message):
    command: ClassVar[str] = "block"
    block: Block | None = None

    def write(self, writer: Writer) -> None:
        self.block.write(writer)

    @classmethod
    def read(cls, reader: Reader) -> "BlockMessage":
        return cls(Block.read(reader))


@dataclass
class TxMessage(Message):
    command: ClassVar[str] = "tx"
    tx: Transaction | None = None

    def write(self, writer: Writer) -> None:
        writer.write(self.tx.to_bytes())

    @classmethod
    def read(cls, reader: Reader) -> "TxMessage":
        return cls(Transaction.read(reader))


@dataclass
class Reject(Message):
    command: ClassVar[str] = "reject"
    message: str = ""
    code: int = 0
    reason: str = ""
    hash_rev: bytes | None = None

    def write(self, writer: Writer) -> None:
        _write_string(writer, self.message)
        writer.u8(self.code)
        _write_string(writer, self.reason[:MAX_REJECT_MESSAGE_LENGTH])
        if self.hash_rev is not None:
            writer.write(self.hash_rev)

    @classmethod
    def read(cls, reader: Reader) -> "Reject":
        message = _read_limited_string(reader, COMMAND_SIZE)
        code = reader.u8()
        reason = _read_limited_string(reader, MAX_REJECT_MESSAGE_LENGTH)
        hash_rev = reader.hash32() if message in ("block", "tx") and reader.remaining >= 32 else None
        return cls(message, code, reason, hash_rev)


@dataclass
class RawMessage(Message):
    """A message whose payload we keep as bytes (bloom filters, alerts, unknown commands)."""

    command: ClassVar[str] = ""
    name: str = ""
    data: bytes = b""

    def write(self, writer: Writer) -> None:
        writer.write(self.data)


MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.command: cls
    for cls in (
        Version, Verack, GetAddr, MempoolRequest, SendHeaders, FilterClear, Ping, Pong, SendCmpct, FeeFilter,
        Addr, Inv, GetData, NotFound, GetHeaders, GetBlocks, Headers, CmpHeaders, BlockMessage, TxMessage, Reject,
    )
}


def decode_payload(command: str, payload: bytes) -> Message:
    """Parse a payload; unknown commands come back as RawMessage.  DecodeError when malformed."""
    message_type = MESSAGE_TYPES.get(command)
    if message_type is None:
        return RawMessage(command, bytes(payload))
    reader = Reader(payload)
    message = message_type.read(reader)
    return message


def command_of(message: Message) -> str:
    return message.name if isinstance(message, RawMessage) else message.command
