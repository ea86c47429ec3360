"""Every wire type round-trips through its serialisation."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fluxd.core.block import Block, BlockHeader
from fluxd.core.fluxnode_tx import FluxnodeDelegates
from fluxd.core.shielded_parts import JSDescription, OutputDescription, SpendDescription
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.util.serialize import Reader, Writer
from tests.property import strategies as S

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _round_trip(value, read):
    writer = Writer()
    value.write(writer)
    reader = Reader(writer.getvalue())
    again = read(reader)
    assert reader.at_end()
    return again, writer.getvalue()


@SETTINGS
@given(S.outpoints)
def test_outpoint(value):
    assert _round_trip(value, OutPoint.read)[0] == value


@SETTINGS
@given(S.txins)
def test_txin(value):
    assert _round_trip(value, TxIn.read)[0] == value


@SETTINGS
@given(S.txouts)
def test_txout(value):
    assert _round_trip(value, TxOut.read)[0] == value


@SETTINGS
@given(S.joinsplits(False))
def test_joinsplit_phgr(value):
    assert _round_trip(value, lambda r: JSDescription.read(r, False))[0] == value


@SETTINGS
@given(S.joinsplits(True))
def test_joinsplit_groth(value):
    assert _round_trip(value, lambda r: JSDescription.read(r, True))[0] == value


@SETTINGS
@given(S.spends)
def test_spend(value):
    assert _round_trip(value, SpendDescription.read)[0] == value


@SETTINGS
@given(S.outputs)
def test_output(value):
    assert _round_trip(value, OutputDescription.read)[0] == value


@SETTINGS
@given(S.delegates)
def test_delegates(value):
    assert _round_trip(value, FluxnodeDelegates.read)[0] == value


@SETTINGS
@given(S.transactions)
def test_transaction(tx):
    data = tx.to_bytes()
    again = Transaction.from_bytes(data)
    assert again == tx
    assert again.to_bytes() == data
    assert again.txid_rev == tx.txid_rev


@SETTINGS
@given(S.headers())
def test_header(header):
    data = header.to_bytes()
    again = BlockHeader.from_bytes(data)
    assert again == header and again.hash_rev == header.hash_rev


@SETTINGS
@given(S.blocks)
def test_block(block):
    data = block.to_bytes()
    again = Block.from_bytes(data)
    assert again == block and again.to_bytes() == data
