"""The C++ wallet's "tx" record: a serialized CWalletTx (src/wallet/wallet.h).

Layout of the value, in order:

* CMerkleTx: the transaction, hashBlock (32 bytes, internal order), the merkle
  branch (a vector of 32-byte hashes), nIndex (int32);
* vtxPrev, unused for years: a vector of CMerkleTx, normally empty;
* mapValue: map<string, string> (holds "fromaccount", "n" = order position,
  "timesmart", and user comments such as "comment" / "to");
* mapSproutNoteData: map<JSOutPoint, SproutNoteData>;
* vOrderForm: vector<pair<string, string>>;
* fTimeReceivedIsTxTime (uint32), nTimeReceived (uint32), fFromMe (char),
  fSpent (char, unused);
* for an overwintered transaction of version >= 4 only: mapSaplingNoteData.

Shielded note data is not decoded (this is a transparent wallet): when
mapSproutNoteData is not empty, the fields after it cannot be located and are
left unknown.  A record that cannot be read at all keeps its raw bytes with
the reason, and never stops the import (C++ itself only warns and rescans).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.transaction import Transaction
from fluxd.util.serialize import DecodeError, Reader

SAPLING_TX_VERSION = 4
HASH_SIZE = 32
MIN_MERKLE_TX_SIZE = 4 + 1 + 1 + 4 + HASH_SIZE + 1 + 4
ERASED_MAP_VALUE_KEYS = ("fromaccount", "version", "spent", "n")  # C++ drops these after reading


def read_text(reader: Reader) -> str:
    """A C++ std::string; bytes that are not UTF-8 become U+FFFD."""
    return reader.var_bytes().decode("utf-8", "replace")


def read_string_map(reader: Reader) -> dict[str, str]:
    return {read_text(reader): read_text(reader) for _ in range(reader.count(2))}


@dataclass(frozen=True, slots=True)
class CxxWalletTx:
    """One "tx" record; ``transaction`` is None (with ``error``) when the value could not be read."""

    txid_rev: bytes  # from the record key, internal byte order
    raw: bytes  # the whole CWalletTx value as stored
    transaction: Transaction | None = None
    block_hash_rev: bytes | None = None  # hashBlock; None when all zero (not in a block)
    block_index: int = -1  # nIndex: position in the block, -1 when unknown
    map_value: dict[str, str] = field(default_factory=dict)
    order_form: tuple[tuple[str, str], ...] = ()
    time_received_is_tx_time: int | None = None
    time_received: int | None = None
    time_smart: int = 0
    from_me: bool | None = None
    from_account: str = ""
    order_pos: int = -1
    has_note_data: bool = False  # Sprout or Sapling note data present (not decoded)
    error: str | None = None


def _skip_merkle_part(reader: Reader) -> tuple[bytes, int]:
    """hashBlock, the merkle branch and nIndex of a CMerkleTx (after its transaction)."""
    block_hash = reader.hash32()
    for _ in range(reader.count(HASH_SIZE)):
        reader.hash32()
    return block_hash, reader.i32()


def atoi64(text: str | None) -> int:
    """C++ atoi64 as ReadOrderPos uses it: the integer prefix of ``text`` (0 if none), -1 when absent."""
    if text is None:
        return -1
    digits = text.strip()
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    number = ""
    for char in digits:
        if not char.isdigit():
            break
        number += char
    return sign * int(number) if number else 0


def _finish_map_value(raw_map: dict[str, str]) -> tuple[dict[str, str], dict]:
    derived = {
        "from_account": raw_map.get("fromaccount", ""),
        "order_pos": atoi64(raw_map.get("n")),
        "time_smart": max(0, atoi64(raw_map.get("timesmart"))),
    }
    kept = {name: value for name, value in raw_map.items() if name not in ERASED_MAP_VALUE_KEYS}
    return kept, derived


def _read_fields(reader: Reader) -> dict:
    tx = Transaction.read(reader)
    block_hash, block_index = _skip_merkle_part(reader)
    for _ in range(reader.count(MIN_MERKLE_TX_SIZE)):  # vtxPrev
        Transaction.read(reader)
        _skip_merkle_part(reader)
    map_value, derived = _finish_map_value(read_string_map(reader))
    fields = {
        "transaction": tx, "block_hash_rev": None if block_hash == bytes(HASH_SIZE) else block_hash,
        "block_index": block_index, "map_value": map_value, **derived,
    }
    if reader.count(1):  # mapSproutNoteData: what follows cannot be located without decoding it
        return {**fields, "has_note_data": True}
    order_form = tuple((read_text(reader), read_text(reader)) for _ in range(reader.count(2)))
    fields.update(order_form=order_form, time_received_is_tx_time=reader.u32(), time_received=reader.u32(),
                  from_me=reader.u8() != 0)
    reader.u8()  # fSpent
    if tx.overwintered and tx.version >= SAPLING_TX_VERSION and not reader.at_end():
        fields["has_note_data"] = reader.count(1) > 0
    return fields


def decode_wallet_tx(txid_rev: bytes, value: bytes) -> CxxWalletTx:
    """Decode one "tx" value; never raises (an unreadable record comes back with ``error`` set)."""
    try:
        fields = _read_fields(Reader(value))
    except (DecodeError, ValueError) as exc:
        return CxxWalletTx(txid_rev, value, error=f"unreadable CWalletTx: {exc}")
    if fields["transaction"].txid_rev != txid_rev:
        return CxxWalletTx(txid_rev, value, error="the transaction's txid differs from the record's key")
    return CxxWalletTx(txid_rev, value, **fields)
