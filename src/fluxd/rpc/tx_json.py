"""Transaction and script JSON as C++ core_write.cpp builds it (TxToUniv, ScriptPubKeyToUniv)."""

from __future__ import annotations

from fluxd.core.address import encode_destination
from fluxd.core.base58 import b58check_encode
from fluxd.core.amount import format_money
from fluxd.core.script_asm import script_to_asm
from fluxd.core.standard import extract_destinations
from fluxd.core.transaction import Transaction
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RawNumber


_ADDRESSES: dict[bytes, str] = {}  # version prefix + hash160 -> Base58Check text (a double SHA-256 and a base conversion each)
_ADDRESSES_LIMIT = 1 << 16


def _address(payload: bytes) -> str:
    text = _ADDRESSES.get(payload)
    if text is None:
        text = b58check_encode(payload)
        if len(_ADDRESSES) >= _ADDRESSES_LIMIT:
            _ADDRESSES.clear()
        _ADDRESSES[payload] = text
    return text


def script_pubkey_json(script: bytes, prefixes, include_hex: bool = True) -> dict:
    """ScriptPubKeyToUniv: asm, hex, then reqSigs/type/addresses when destinations exist.

    The exact P2PKH and P2SH forms are written straight from their bytes (what Solver and
    ScriptToAsmStr make of them); every other script takes the general path."""
    size = len(script)
    if size == 25 and script[:3] == b"\x76\xa9\x14" and script[23] == 0x88 and script[24] == 0xAC:
        key_hash = script[3:23]
        entry = {"asm": "OP_DUP OP_HASH160 " + key_hash.hex() + " OP_EQUALVERIFY OP_CHECKSIG"}
        if include_hex:
            entry["hex"] = script.hex()
        entry["reqSigs"] = 1
        entry["type"] = "pubkeyhash"
        entry["addresses"] = [_address(prefixes.pubkey_address + key_hash)]
        return entry
    if size == 23 and script[0] == 0xA9 and script[1] == 0x14 and script[22] == 0x87:
        script_hash = script[2:22]
        entry = {"asm": "OP_HASH160 " + script_hash.hex() + " OP_EQUAL"}
        if include_hex:
            entry["hex"] = script.hex()
        entry["reqSigs"] = 1
        entry["type"] = "scripthash"
        entry["addresses"] = [_address(prefixes.script_address + script_hash)]
        return entry
    entry = {"asm": script_to_asm(script)}
    if include_hex:
        entry["hex"] = script.hex()
    kind, destinations, required = extract_destinations(script)
    if not destinations:
        entry["type"] = kind
        return entry
    entry["reqSigs"] = required
    entry["type"] = kind
    entry["addresses"] = [encode_destination(destination, prefixes) for destination in destinations]
    return entry


def vin_json(tx: Transaction) -> list[dict]:
    """The "vin" array shared by TxToUniv and TxToJSON."""
    vin = []
    coinbase = tx.is_coinbase()
    for txin in tx.vin:
        item: dict = {}
        if coinbase:
            item["coinbase"] = txin.script_sig.hex()
        else:
            item["txid"] = txin.prevout.txid_hum
            item["vout"] = txin.prevout.n
            item["scriptSig"] = {"asm": script_to_asm(txin.script_sig, True), "hex": txin.script_sig.hex()}
        item["sequence"] = txin.sequence
        vin.append(item)
    return vin


def tx_to_univ(tx: Transaction, prefixes, block_hash_rev: bytes | None = None) -> dict:
    """TxToUniv (flux-tx -json)."""
    entry: dict = {"txid": tx.txid_hum, "version": tx.version, "locktime": tx.lock_time}
    entry["vin"] = vin_json(tx)
    entry["vout"] = [
        {"value": RawNumber(format_money(txout.value)), "n": index, "scriptPubKey": script_pubkey_json(txout.script_pubkey, prefixes)}
        for index, txout in enumerate(tx.vout)
    ]
    if block_hash_rev and any(block_hash_rev):
        entry["blockhash"] = rev_to_hum(block_hash_rev)
    entry["hex"] = tx.to_bytes().hex()
    return entry
