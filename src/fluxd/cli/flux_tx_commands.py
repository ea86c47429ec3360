"""The mutations of ``flux-tx`` (C++ flux-tx.cpp MutateTx*); each raises ToolError with the C++ text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fluxd.core.address import AddressError, address_to_script
from fluxd.core.amount import parse_amount, parse_money, AmountError
from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.core.script import is_p2sh
from fluxd.core.script_asm import ScriptParseError, parse_script
from fluxd.core.signature_encoding import SIGHASH_NAMES
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import current_epoch_branch_id
from fluxd.util.args import atoi
from fluxd.util.hexutil import HexError, hum_to_rev, is_hex
from fluxd.wallet.signing import KeyStore, sign_inputs

MAX_BLOCK_SIZE = 2_000_000
MIN_TXOUT_SIZE = 9
TX_EXPIRY_HEIGHT_THRESHOLD = 500_000_000
SPROUT_MIN_CURRENT_VERSION = 1
SPROUT_MAX_CURRENT_VERSION = 2
SIGHASH_BY_NAME = {name: value for value, name in SIGHASH_NAMES.items()}


class ToolError(Exception):
    pass


@dataclass
class TxEditor:
    params: ChainParams
    tx: Transaction
    registers: dict = field(default_factory=dict)

    def apply(self, command: str, value: str) -> None:
        handler = getattr(self, f"_cmd_{command}", None)
        if handler is None:
            raise ToolError("unknown command")
        handler(value)

    def _cmd_nversion(self, value: str) -> None:
        version = atoi(value)
        if not SPROUT_MIN_CURRENT_VERSION <= version <= SPROUT_MAX_CURRENT_VERSION:
            raise ToolError("Invalid TX version requested")
        self.tx = self.tx.copy_with(version=version)

    def _cmd_locktime(self, value: str) -> None:
        lock_time = atoi(value)
        if not 0 <= lock_time <= 0xFFFFFFFF:
            raise ToolError("Invalid TX locktime requested")
        self.tx = self.tx.copy_with(lock_time=lock_time)

    def _cmd_expiry(self, value: str) -> None:
        expiry = atoi(value)
        if expiry >= TX_EXPIRY_HEIGHT_THRESHOLD:
            raise ToolError("Invalid TX expiry requested")
        self.tx = self.tx.copy_with(expiry_height=expiry & 0xFFFFFFFF)

    def _cmd_in(self, value: str) -> None:
        parts = value.split(":")
        if len(parts) < 2:
            raise ToolError("TX input missing separator")
        txid_hum = parts[0]
        if len(txid_hum) != 64 or not is_hex(txid_hum):
            raise ToolError("invalid TX input txid")
        vout = atoi(parts[1])
        if vout < 0 or vout > MAX_BLOCK_SIZE // MIN_TXOUT_SIZE:
            raise ToolError("invalid TX input vout")
        sequence = atoi(parts[2]) & 0xFFFFFFFF if len(parts) > 2 else 0xFFFFFFFF
        txin = TxIn(OutPoint(hum_to_rev(txid_hum), vout), b"", sequence)
        self.tx = self.tx.copy_with(vin=self.tx.vin + (txin,))

    def _value_and_rest(self, value: str, allow_empty_rest: bool) -> tuple[int, str]:
        pos = value.find(":")
        if pos <= 0 or (not allow_empty_rest and pos == len(value) - 1):
            raise ToolError("TX output missing separator")
        amount = parse_money(value[:pos])
        if amount is None:
            raise ToolError("invalid TX output value")
        return amount, value[pos + 1 :]

    def _cmd_outaddr(self, value: str) -> None:
        amount, address = self._value_and_rest(value, False)
        try:
            script = address_to_script(address, self.params.base58)
        except AddressError as exc:
            raise ToolError("invalid TX output address") from exc
        self.tx = self.tx.copy_with(vout=self.tx.vout + (TxOut(amount, script),))

    def _cmd_outscript(self, value: str) -> None:
        amount, text = self._value_and_rest(value, True)
        try:
            script = parse_script(text)
        except ScriptParseError as exc:
            raise ToolError(str(exc)) from exc
        self.tx = self.tx.copy_with(vout=self.tx.vout + (TxOut(amount, script),))

    def _cmd_delin(self, value: str) -> None:
        index = atoi(value)
        if not 0 <= index < len(self.tx.vin):
            raise ToolError(f"Invalid TX input index '{value}'")
        self.tx = self.tx.copy_with(vin=self.tx.vin[:index] + self.tx.vin[index + 1 :])

    def _cmd_delout(self, value: str) -> None:
        index = atoi(value)
        if not 0 <= index < len(self.tx.vout):
            raise ToolError(f"Invalid TX output index '{value}'")
        self.tx = self.tx.copy_with(vout=self.tx.vout[:index] + self.tx.vout[index + 1 :])

    def _cmd_set(self, value: str) -> None:
        name, text = _split_register(value, "Register input requires NAME:VALUE")
        self._set_register(name, text)

    def _cmd_load(self, value: str) -> None:
        name, filename = _split_register(value, "Register load requires NAME:FILENAME")
        try:
            with open(filename, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise ToolError(f"Cannot open file {filename}") from exc
        self._set_register(name, text)

    def _set_register(self, name: str, text: str) -> None:
        try:
            self.registers[name] = json.loads(text)
        except ValueError as exc:
            raise ToolError(f"Cannot parse JSON for key {name}") from exc

    def _cmd_sign(self, value: str) -> None:
        height, hash_type = _parse_sign_spec(value)
        store = self._keystore()
        prevouts = self._prevouts(store)
        branch_id = current_epoch_branch_id(self.params, height)
        self.tx, _errors = sign_inputs(self.tx, store, prevouts.get, hash_type, branch_id)

    def _keystore(self) -> KeyStore:
        if "privatekeys" not in self.registers:
            raise ToolError("privatekeys register variable must be set.")
        store = KeyStore()
        for text in _as_list(self.registers["privatekeys"]):
            if not isinstance(text, str):
                raise ToolError("privatekey not a std::string")
            try:
                store.add_key(decode_wif(text, self.params.base58))
            except InvalidKeyError as exc:
                raise ToolError("privatekey not valid") from exc
        return store

    def _prevouts(self, store: KeyStore) -> dict[OutPoint, tuple[bytes, int]]:
        if "prevtxs" not in self.registers:
            raise ToolError("prevtxs register variable must be set.")
        known: dict[OutPoint, tuple[bytes, int]] = {}
        for entry in _as_list(self.registers["prevtxs"]):
            outpoint, script, amount = _parse_prevtx(entry)
            known[outpoint] = (script, amount)
            if is_p2sh(script) and "redeemScript" in entry:
                store.add_script(_hex_field(entry["redeemScript"], "redeemScript"))
        return known


def _as_list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return []


def _split_register(value: str, message: str) -> tuple[str, str]:
    pos = value.find(":")
    if pos <= 0 or pos == len(value) - 1:
        raise ToolError(message)
    return value[:pos], value[pos + 1 :]


def _parse_sign_spec(value: str) -> tuple[int, int]:
    pos = value.find(":")
    if pos == 0 or (pos != -1 and pos == len(value) - 1):
        raise ToolError("Invalid sighash flag separator")
    height = atoi(value if pos == -1 else value[:pos])
    if height <= 0:
        raise ToolError("invalid height")
    flags = "" if pos == -1 else value[pos + 1 :]
    if flags and flags not in SIGHASH_BY_NAME:
        raise ToolError("unknown sighash flag/sign option")
    return height, SIGHASH_BY_NAME.get(flags, 1)


def _hex_field(value, name: str) -> bytes:
    if not isinstance(value, str) or not is_hex(value):
        raise ToolError(f"{name} must be hexadecimal string (not '{value}')")
    return bytes.fromhex(value)


def _parse_prevtx(entry) -> tuple[OutPoint, bytes, int]:
    if not isinstance(entry, dict):
        raise ToolError("expected prevtxs internal object")
    types_ok = (
        isinstance(entry.get("txid"), str)
        and isinstance(entry.get("vout"), (int, float))
        and not isinstance(entry.get("vout"), bool)
        and isinstance(entry.get("scriptPubKey"), str)
    )
    if not types_ok:
        raise ToolError("prevtxs internal object typecheck fail")
    txid = entry["txid"]
    if len(txid) != 64 or not is_hex(txid):
        raise ToolError(f"txid must be hexadecimal string (not '{txid}')")
    vout = int(entry["vout"])
    if vout < 0:
        raise ToolError("vout must be positive")
    script = _hex_field(entry["scriptPubKey"], "scriptPubKey")
    amount = 0
    if "amount" in entry:
        try:
            amount = parse_amount(entry["amount"])
        except AmountError as exc:
            raise ToolError(str(exc)) from exc
    return OutPoint(hum_to_rev(txid), vout), script, amount


def decode_hex_tx(text: str) -> Transaction:
    try:
        if not is_hex(text):
            raise HexError("not hex")
        return Transaction.from_hex(text)
    except (HexError, ValueError) as exc:
        raise ToolError("invalid transaction encoding") from exc
