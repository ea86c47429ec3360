"""Transaction and script JSON as C++ core_write.cpp builds it (TxToUniv, ScriptPubKeyToUniv)."""

from __future__ import annotations

from fluxd.core.address import encode_destination
from fluxd.core.amount import format_money
from fluxd.core.script_asm import script_to_asm
from fluxd.core.standard import extract_destinations
from fluxd.core.transaction import Transaction
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import RawNumber


def script_pubkey_json(script: bytes, prefixes, include_hex: bool = True) -> dict:
    """ScriptPubKeyToUniv: asm, hex, then reqSigs/type/addresses when destinations exist."""
    entry: dict = {"asm": script_to_asm(script)}
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
    for txin in tx.vin:
        item: dict = {}
        if tx.is_coinbase():
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
