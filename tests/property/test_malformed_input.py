"""Truncated input and oversized length prefixes raise DecodeError, never anything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from fluxd.core.block import Block, BlockHeader
from fluxd.core.transaction import Transaction
from fluxd.util.serialize import DecodeError
from tests.vectors import load_json

TX_HEXES = [entry["hex"] for entry in load_json("flux_mainnet/transactions.json")["transactions"]]
BLOCK_HEXES = [e["block_hex"] for e in load_json("flux_mainnet/blocks.json")["blocks"] if e.get("block_hex")]


def _decode_errors_only(parse, data: bytes) -> None:
    try:
        parse(data)
    except DecodeError:
        pass


@pytest.mark.parametrize("tx_hex", TX_HEXES, ids=range(len(TX_HEXES)))
def test_every_truncation_of_real_transactions(tx_hex):
    data = bytes.fromhex(tx_hex)
    for cut in range(len(data)):
        with pytest.raises(DecodeError):
            Transaction.from_bytes(data[:cut])
    with pytest.raises(DecodeError):
        Transaction.from_bytes(data + b"\x00")


@pytest.mark.parametrize("block_hex", BLOCK_HEXES, ids=range(len(BLOCK_HEXES)))
def test_truncations_of_real_blocks(block_hex):
    data = bytes.fromhex(block_hex)
    step = max(1, len(data) // 400)
    for cut in list(range(0, len(data), step)) + [len(data) - 1]:
        with pytest.raises(DecodeError):
            Block.from_bytes(data[:cut])



@pytest.mark.parametrize("tx_hex", TX_HEXES[:12], ids=range(12))
def test_oversized_length_prefix_at_every_offset(tx_hex):
    data = bytes.fromhex(tx_hex)
    for offset in range(len(data)):
        for prefix in (b"\xfd\xff\xff", b"\xfe\xff\xff\xff\x01", b"\xff" + b"\xff" * 8):
            mutated = data[:offset] + prefix + data[offset + 1 :]
            _decode_errors_only(Transaction.from_bytes, mutated)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data):
    _decode_errors_only(Transaction.from_bytes, data)
    _decode_errors_only(BlockHeader.from_bytes, data)
    _decode_errors_only(Block.from_bytes, data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TX_HEXES), st.data())
def test_random_byte_flips_never_crash(tx_hex, data):
    raw = bytearray(bytes.fromhex(tx_hex))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[index] = data.draw(st.integers(min_value=0, max_value=255))
    _decode_errors_only(Transaction.from_bytes, bytes(raw))


def test_huge_vector_count_fails_before_allocation():
    # v1 tx claiming 2^25 inputs with almost no bytes behind it.
    data = bytes.fromhex("01000000") + b"\xfe\x00\x00\x00\x02" + b"\x00" * 10
    with pytest.raises(DecodeError, match="exceeds"):
        Transaction.from_bytes(data)
    with pytest.raises(DecodeError, match="size too large"):
        Transaction.from_bytes(bytes.fromhex("01000000") + b"\xfe\x01\x00\x00\x02")
