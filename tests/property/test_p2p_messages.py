"""Every P2P message type survives payload() -> decode_payload() unchanged, and frames round-trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxd.p2p.framing import decode_header, encode_frame, checksum
from fluxd.p2p.messages import (
    Addr, BlockMessage, CmpHeaders, CompactHeader, FeeFilter, GetAddr, GetBlocks, GetData, GetHeaders, Headers, Inv,
    InvItem, MempoolRequest, NotFound, Ping, Pong, RawMessage, Reject, SendCmpct, SendHeaders, TxMessage, Verack,
    Version, command_of, decode_payload,
)
from fluxd.p2p.netaddress import NetAddress
from fluxd.util.serialize import DecodeError
from tests.property.strategies import blocks, hash32, headers, i32, i64, transactions, u32

u64 = st.integers(min_value=0, max_value=2**64 - 1)
u16 = st.integers(min_value=0, max_value=0xFFFF)
addresses = st.builds(NetAddress, st.binary(min_size=16, max_size=16), u16, u64, u32)
bare_addresses = st.builds(NetAddress, st.binary(min_size=16, max_size=16), u16, u64)
inv_items = st.lists(st.builds(InvItem, u32, hash32), max_size=20)
text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def versions(draw) -> Version:
    relay = draw(st.booleans())
    return Version(draw(i32), draw(u64), draw(i64), draw(bare_addresses), draw(bare_addresses), draw(u64), draw(text),
                   draw(i32), relay if draw(st.booleans()) else True, has_relay=draw(st.booleans()))


@st.composite
def compact_headers(draw) -> CompactHeader:
    header = draw(headers())
    if header.is_pon:
        return CompactHeader(header, header.hash_rev)
    return CompactHeader(header.copy_with(solution=b""), draw(hash32))


@st.composite
def rejects(draw) -> Reject:
    message = draw(st.sampled_from(["block", "tx", "version", "inv"]))
    return Reject(message, draw(st.integers(0, 255)), draw(text), draw(hash32) if message in ("block", "tx") else None)


messages = st.one_of(
    versions(),
    st.just(Verack()), st.just(GetAddr()), st.just(MempoolRequest()), st.just(SendHeaders()),
    st.builds(Ping, u64), st.builds(Pong, u64), st.builds(SendCmpct, st.booleans(), u64), st.builds(FeeFilter, i64),
    st.builds(Addr, st.lists(addresses, max_size=10)),
    st.builds(Inv, inv_items), st.builds(GetData, inv_items), st.builds(NotFound, inv_items),
    st.builds(GetHeaders, st.lists(hash32, max_size=12), hash32, i32),
    st.builds(GetBlocks, st.lists(hash32, max_size=12), hash32, i32),
    st.builds(Headers, st.lists(headers(), max_size=3)),
    st.builds(CmpHeaders, st.lists(compact_headers(), max_size=3)),
    st.builds(BlockMessage, blocks), st.builds(TxMessage, transactions), rejects(),
)


def _comparable(message):
    if isinstance(message, Version) and not message.has_relay:
        message.relay = True
    return message


@settings(max_examples=300, deadline=None)
@given(messages)
def test_message_round_trip(message):
    payload = message.payload()
    decoded = decode_payload(command_of(message), payload)
    assert decoded.payload() == payload
    if not isinstance(message, (BlockMessage, TxMessage, Headers, CmpHeaders)):
        assert decoded == _comparable(message)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["ping", "block", "inv", "x" * 12]), st.binary(max_size=200))
def test_frame_round_trip(command, payload):
    frame = encode_frame(b"\xaa\xe8\x3f\x5f", command, payload)
    header = decode_header(frame[:24], b"\xaa\xe8\x3f\x5f")
    assert (header.command, header.length, header.checksum) == (command, len(payload), checksum(payload))
    assert header.command_is_valid() and frame[24:] == payload


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted({"version", "addr", "inv", "getheaders", "headers", "cmpheaders", "block", "tx", "reject", "sendcmpct"})),
       st.binary(max_size=120))
def test_garbage_payloads_only_raise_decode_error(command, payload):
    try:
        decode_payload(command, payload)
    except DecodeError:
        pass


def test_unknown_command_is_kept_raw():
    message = decode_payload("alert", b"\x01\x02")
    assert isinstance(message, RawMessage) and message.name == "alert" and message.data == b"\x01\x02"
