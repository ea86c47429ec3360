"""The address index (C++ insightexplorer address index: txdb.cpp DB_ADDRESSINDEX 'd' and DB_ADDRESSUNSPENTINDEX 'u').

An index module.  For every transparent output and every input spending one,
whose script is P2PKH or P2SH (C++ CScript::GetType; other scripts are not
indexed), two kinds of record:

- a *delta*: (type, hash160, height, position of the transaction in its block,
  txid, input or output index, spending) -> signed amount (an output's value,
  or minus the spent coin's value); keys are big-endian so a scan returns an
  address's history in chain order, as C++ GetAddressIndex does;
- an *unspent output*: (type, hash160, txid, output index) -> value, height and
  script, erased when the output is spent.

Disconnecting a block erases its deltas and unspent outputs and restores the
outputs its inputs spent from the block's undo (the spent coins), so no undo
record of its own is kept.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import takewhile

from fluxd.chainstate.coins import Coin
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import BYTES, Column, StateReader, StateWriter, layer_writes
from fluxd.core.transaction import Transaction

FAMILY = "addressindex"
P2PKH = 1  # C++ CScript::P2PKH
P2SH = 2  # C++ CScript::P2SH
ADDRESS_KEY_SIZE = 21  # type ‖ hash160
DELTA_COLUMN = Column("addressindex.delta", family=FAMILY, prefix=b"d", key=BYTES, value=BYTES)
UNSPENT_COLUMN = Column("addressindex.unspent", family=FAMILY, prefix=b"u", key=BYTES, value=BYTES)
_DELTA_TAIL = struct.Struct(">II32sI?")  # height, position in block, txid_rev, index, spending
_AMOUNT = struct.Struct("<q")
_UNSPENT_VALUE = struct.Struct("<qI")  # value, height; the script follows
_DELTA_KEY_SIZE = 1 + ADDRESS_KEY_SIZE + _DELTA_TAIL.size  # a stored key: column prefix, address, tail
_DELTA_ROW = struct.Struct(f">{1 + ADDRESS_KEY_SIZE}xII32sI?")  # a stored key's tail, decoded in bulk
_UNSPENT_KEY_SIZE = 1 + ADDRESS_KEY_SIZE + 36
_UNSPENT_ROW = struct.Struct(f">{1 + ADDRESS_KEY_SIZE}x32sI")  # a stored unspent key: txid_rev, index
DeltaRow = tuple[tuple[int, int, bytes, int, bool], tuple[int]]  # ((height, position, txid_rev, index, spending), (satoshis,))
UnspentRow = tuple[bytes, int, int, int, bytes]  # txid_rev, index, satoshis, height, script


_P2PKH_HEAD, _P2PKH_TAIL = b"\x76\xa9\x14", b"\x88\xac"  # OP_DUP OP_HASH160 <20>, OP_EQUALVERIFY OP_CHECKSIG
_P2SH_HEAD, _P2SH_TAIL = b"\xa9\x14", b"\x87"  # OP_HASH160 <20>, OP_EQUAL
_P2PKH_TYPE, _P2SH_TYPE = bytes((P2PKH,)), bytes((P2SH,))


def script_address_key(script_pubkey: bytes) -> bytes | None:
    """type ‖ hash160 of a P2PKH or P2SH script (C++ GetType and AddressHash), None for any other script."""
    size = len(script_pubkey)  # is_p2pkh / is_p2sh inline (this runs for every output and spent coin)
    if size == 25:
        if script_pubkey.startswith(_P2PKH_HEAD) and script_pubkey.endswith(_P2PKH_TAIL):
            return _P2PKH_TYPE + script_pubkey[3:23]
    elif size == 23 and script_pubkey.startswith(_P2SH_HEAD) and script_pubkey.endswith(_P2SH_TAIL):
        return _P2SH_TYPE + script_pubkey[2:22]
    return None


def spent_address_keys(context: BlockContext) -> list[list[bytes | None]]:
    """script_address_key of every spent coin, per spending transaction (as spending_transactions), computed once
    per block for the address and the spent index (the context of the block last asked about is remembered)."""
    last = _SPENT_KEYS[0]  # one read and one write of the slot: safe if two threads ever connect blocks
    if last is not None and last[0] is context:
        return last[1]
    keys = [[script_address_key(coin.script_pubkey) for coin in coins] for _, _, coins in spending_transactions(context)]
    _SPENT_KEYS[0] = (context, keys)
    return keys


_SPENT_KEYS: list = [None]  # (context, keys) of the last block asked about; the context is held, so `is` is sound


@dataclass(frozen=True, slots=True)
class AddressDelta:
    address_key: bytes  # type ‖ hash160
    height: int
    block_position: int  # C++ "blockindex": the transaction's position in its block
    txid_rev: bytes
    index: int  # input index when spending, else output index
    spending: bool
    satoshis: int


@dataclass(frozen=True, slots=True)
class AddressUnspent:
    address_key: bytes
    txid_rev: bytes
    index: int
    satoshis: int
    script_pubkey: bytes
    height: int


def delta_key(address_key: bytes, height: int, position: int, txid_rev: bytes, index: int, spending: bool) -> bytes:
    return address_key + _DELTA_TAIL.pack(height, position, txid_rev, index, spending)


def unspent_key(address_key: bytes, txid_rev: bytes, index: int) -> bytes:
    return address_key + txid_rev + index.to_bytes(4, "big")


def spending_transactions(context: BlockContext) -> Iterator[tuple[int, Transaction, tuple[Coin, ...]]]:
    """(position, tx, the coins its inputs spent) for every transaction that spends transparent coins."""
    spent = iter(context.undo.spent_coins if context.undo is not None else ())
    for position, tx in enumerate(context.block.transactions):
        if position == 0 or tx.is_fluxnode_tx():
            continue  # the undo holds coins for the other transactions only (chainstate/connect.py)
        yield position, tx, next(spent)


def block_records(context: BlockContext) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes | None]]]:
    """The deltas and unspent-output changes of one connected block, in C++ order (inputs then outputs per tx)."""
    height = context.height
    deltas: list[tuple[bytes, bytes]] = []
    unspent: list[tuple[bytes, bytes | None]] = []
    spending = {position: (tx, coins) for position, tx, coins in spending_transactions(context)}
    for position, tx in enumerate(context.block.transactions):
        txid_rev = tx.txid_rev
        if position in spending:
            for index, (txin, coin) in enumerate(zip(tx.vin, spending[position][1])):
                key = script_address_key(coin.script_pubkey)
                if key is not None:
                    deltas.append((delta_key(key, height, position, txid_rev, index, True), _AMOUNT.pack(-coin.value)))
                    unspent.append((unspent_key(key, txin.prevout.txid_rev, txin.prevout.n), None))
        for index, output in enumerate(tx.vout):
            key = script_address_key(output.script_pubkey)
            if key is not None:
                deltas.append((delta_key(key, height, position, txid_rev, index, False), _AMOUNT.pack(output.value)))
                value = _UNSPENT_VALUE.pack(output.value, height) + output.script_pubkey
                unspent.append((unspent_key(key, txid_rev, index), value))
    return deltas, unspent


class AddressIndex:
    """An index module: C++ ConnectBlock / DisconnectBlock with fAddressIndex."""

    name = "addressindex"
    kind = "index"
    columns = (DELTA_COLUMN, UNSPENT_COLUMN)

    def connect_block(self, context: BlockContext, state: StateWriter) -> None:
        """The records of ``block_records``, written straight into the top layer (the columns' codecs are BYTES)."""
        deltas = layer_writes(state.top, DELTA_COLUMN)
        unspent = layer_writes(state.top, UNSPENT_COLUMN)
        delta_prefix, unspent_prefix = DELTA_COLUMN.prefix, UNSPENT_COLUMN.prefix
        pack_tail, pack_amount, pack_unspent = _DELTA_TAIL.pack, _AMOUNT.pack, _UNSPENT_VALUE.pack
        height = context.height
        spending = iter(zip(spending_transactions(context), spent_address_keys(context)))
        upcoming = next(spending, None)
        for position, tx in enumerate(context.block.transactions):
            txid_rev = tx.txid_rev
            if upcoming is not None and upcoming[0][0] == position:
                (_, _, coins), keys = upcoming
                for index, (txin, coin, key) in enumerate(zip(tx.vin, coins, keys)):
                    if key is not None:
                        deltas[delta_prefix + key + pack_tail(height, position, txid_rev, index, True)] = pack_amount(-coin.value)
                        prevout = txin.prevout
                        unspent[unspent_prefix + key + prevout.txid_rev + prevout.n.to_bytes(4, "big")] = None
                upcoming = next(spending, None)
            for index, output in enumerate(tx.vout):
                script = output.script_pubkey
                key = script_address_key(script)
                if key is not None:
                    value = output.value
                    deltas[delta_prefix + key + pack_tail(height, position, txid_rev, index, False)] = pack_amount(value)
                    unspent[unspent_prefix + key + txid_rev + index.to_bytes(4, "big")] = pack_unspent(value, height) + script
        return None

    def disconnect_block(self, context: BlockContext, undo: bytes | None, state: StateWriter) -> None:
        deltas, unspent = block_records(context)
        for key, _ in deltas:
            state.delete(DELTA_COLUMN, key)
        for key, value in unspent:
            if value is not None:
                state.delete(UNSPENT_COLUMN, key)
        for position, tx, coins in spending_transactions(context):
            for txin, coin in zip(tx.vin, coins):
                key = script_address_key(coin.script_pubkey)
                if key is not None:
                    restored = _UNSPENT_VALUE.pack(coin.value, coin.height) + coin.script_pubkey
                    state.put(UNSPENT_COLUMN, unspent_key(key, txin.prevout.txid_rev, txin.prevout.n), restored)


def address_delta_rows(reader: StateReader, address_key: bytes, start: int = 0, end: int = 0) -> Iterable[DeltaRow]:
    """``address_deltas`` as plain tuples, decoded in bulk (the RPCs read 100,000s of them):
    ((height, position, txid_rev, index, spending), (satoshis,)) in key order."""
    ranged = start > 0 and end > 0
    begin = address_key + (start.to_bytes(4, "big") if ranged else b"")
    pairs = reader.iterate_raw(DELTA_COLUMN, prefix=address_key, start=begin)
    if ranged and end < 0xFFFFFFFF:
        stop = DELTA_COLUMN.prefix + address_key + (end + 1).to_bytes(4, "big")  # keys of heights <= end sort below
        pairs = takewhile(lambda pair: pair[0] < stop, pairs)
    pairs = list(pairs)
    if not pairs:
        return ()
    keys = b"".join([key for key, _ in pairs])
    values = b"".join([value for _, value in pairs])
    if len(keys) != _DELTA_KEY_SIZE * len(pairs) or len(values) != _AMOUNT.size * len(pairs):
        return [(_DELTA_ROW.unpack_from(key), _AMOUNT.unpack(value)) for key, value in pairs]  # raises on a bad record
    return zip(_DELTA_ROW.iter_unpack(keys), _AMOUNT.iter_unpack(values))


def address_deltas(reader: StateReader, address_key: bytes, start: int = 0, end: int = 0) -> list[AddressDelta]:
    """C++ GetAddressIndex: an address's deltas in key order, heights start..end inclusive when both are > 0."""
    return [AddressDelta(address_key, height, position, txid_rev, index, spending, satoshis)
            for (height, position, txid_rev, index, spending), (satoshis,) in address_delta_rows(reader, address_key, start, end)]  # fmt: skip


def address_unspent_rows(reader: StateReader, address_key: bytes) -> list[UnspentRow]:
    """``address_unspent`` as plain tuples (txid_rev, index, satoshis, height, script), in key order."""
    pairs = list(reader.iterate_raw(UNSPENT_COLUMN, prefix=address_key))
    if not pairs:
        return []
    keys = b"".join([key for key, _ in pairs])
    if len(keys) != _UNSPENT_KEY_SIZE * len(pairs):
        outpoints = [_UNSPENT_ROW.unpack_from(key) for key, _ in pairs]  # raises on a bad record
    else:
        outpoints = _UNSPENT_ROW.iter_unpack(keys)
    unpack, size = _UNSPENT_VALUE.unpack_from, _UNSPENT_VALUE.size
    return [(txid_rev, index, *unpack(value), value[size:]) for (txid_rev, index), (_, value) in zip(outpoints, pairs)]


def address_unspent(reader: StateReader, address_key: bytes) -> list[AddressUnspent]:
    """C++ GetAddressUnspent: an address's unspent outputs in key order (txid, index)."""
    return [AddressUnspent(address_key, txid_rev, index, satoshis, script, height)
            for txid_rev, index, satoshis, height, script in address_unspent_rows(reader, address_key)]  # fmt: skip
