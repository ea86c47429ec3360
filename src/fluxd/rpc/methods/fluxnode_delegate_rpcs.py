"""The delegate fluxnode RPCs (C++ rpc/fluxnode.cpp): createdelegatekeypair, startfluxnodewithdelegates (the
owner's v6 START naming up to four delegate keys), startfluxnodeasdelegate (a delegate signs the START of a
collateral it does not own), listfluxnodedelegates, and the hidden createsporkkeys.

Failures the C++ node answers as {"result": "failed", "error": ...} objects are answered the same way.
"""

from __future__ import annotations

import os

from fluxd.core.address import Destination, encode_destination
from fluxd.core.fluxnode_tx import (
    DELEGATES_INITIAL_VERSION,
    DELEGATES_MAX_KEYS,
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_START_TX_TYPE,
    FLUXNODE_TX_FEATURE_DELEGATES_BIT,
    FLUXNODE_TX_TYPE_NORMAL_BIT,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FluxnodeDelegates,
    FluxnodeStart,
)
from fluxd.core.hashes import hash160
from fluxd.core.keys import InvalidKeyError, PrivateKey, decode_wif, encode_wif, is_fully_valid_pubkey, is_pubkey_size_valid
from fluxd.core.transaction import Transaction
from fluxd.consensus.fluxnode_sigs import start_message, verify_signed_message
from fluxd.core.ecdsa import sign_message
from fluxd.core.tx_parts import OutPoint
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods import fluxnode_delegate_help as texts
from fluxd.rpc.methods import fluxnode_operator as op
from fluxd.rpc.methods.fluxnode_p2sh_delegate import (
    Failed,
    _check_collateral_tx,
    commit,
    find_start_for_collateral,
)
from fluxd.rpc.methods.fluxnodes import _fluxnode_list
from fluxd.rpc.params import get_bool, get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.rest_utxos import parse_hex_lenient
from fluxd.rpc.wallet_common import ensure_unlocked, node_wallet
from fluxd.wallet.fluxnode_config import stoi
from fluxd.wallet.fluxnode_start import StartError

NOT_ACTIVE = "deterministic fluxnodes transactions is not active yet"
OWNER_TRACKER_REASONS = {**op.TRACKER_REASONS, op.DOS: "Fluxnode already started then not confirmed, in DoS tracker"}
TYPE_NAMES = {DELEGATES_UPDATE: "UPDATE", DELEGATES_SIGNING: "SIGNING"}


def _failed(error: str) -> dict:
    return {"result": "failed", "error": error}


def _require_active(node) -> None:
    if not op.transactions_active(node):
        raise RPCError(RPC_MISC_ERROR, NOT_ACTIVE)


def _address(node, pubkey: bytes) -> str:
    return encode_destination(Destination("pubkeyhash", hash160(pubkey)), node.params.base58)


# --- keys ------------------------------------------------------------------------------------------


def rpc_createdelegatekeypair(node, params):
    if params:
        raise RPCError(RPC_MISC_ERROR, texts.CREATEDELEGATEKEYPAIR_HELP)
    key = PrivateKey.generate(compressed=True)
    uncompressed = PrivateKey(key.secret, compressed=False)
    return {"private_key": encode_wif(key, node.params.base58), "public_key_compressed": key.pubkey.hex(),
            "public_key_uncompressed": uncompressed.pubkey.hex()}  # fmt: skip


def rpc_createsporkkeys(node, params):
    if params:
        raise RPCError(RPC_MISC_ERROR, texts.CREATESPORKKEYS_HELP)
    key = PrivateKey.generate(compressed=False)
    return {"pubkey": key.pubkey.hex(), "privkey": encode_wif(key, node.params.base58)}


# --- startfluxnodewithdelegates --------------------------------------------------------------------


def _delegate_keys(value: list) -> tuple[bytes, ...]:
    if len(value) > DELEGATES_MAX_KEYS:
        raise Failed(f"Too many delegates. Maximum is {DELEGATES_MAX_KEYS}")
    if not value:
        raise Failed("At least one delegate key must be provided")
    keys: list[bytes] = []
    for index, item in enumerate(value):
        pubkey = parse_hex_lenient(get_str(item))
        if not is_pubkey_size_valid(pubkey):
            raise Failed(f"Invalid public key at index {index}")
        if len(pubkey) != 33:
            raise Failed(f"Public key at index {index} must be compressed")
        if pubkey in keys:
            raise Failed(f"Duplicate public key at index {index}")
        keys.append(pubkey)
    return tuple(keys)


def rpc_startfluxnodewithdelegates(node, params):
    _require_active(node)
    if len(params) != 3:
        raise RPCError(RPC_MISC_ERROR, texts.STARTFLUXNODEWITHDELEGATES_HELP)
    alias = get_str(params[0])
    delegates_value = params[1]
    if not isinstance(delegates_value, list):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an array as expected")
    lock = get_bool(params[2])
    wallet = node_wallet(node)
    ensure_unlocked(wallet)
    try:
        keys = _delegate_keys(delegates_value)
        tx = _owner_start(node, wallet, alias, keys)
    except Failed as failed:
        return _failed(str(failed))
    op.lock_after(wallet, lock)
    return {"result": "success", "txid": tx.txid_hum, "delegates_count": len(keys),
            "delegates": [key.hex() for key in keys]}  # fmt: skip


def _owner_start(node, wallet, alias: str, keys: tuple[bytes, ...]) -> Transaction:
    entry = next((item for item in node.fluxnode.entries if item.alias == alias), None)
    if entry is None:
        raise Failed("Could not find alias in config. Verify with listfluxnodeconf.")
    outpoint = op.entry_outpoint(entry)
    fluxnodes = _fluxnode_list(node)
    if node.mempool is not None and outpoint in node.mempool.by_collateral:
        raise Failed(op.MEMPOOL_REASON)
    record = fluxnodes.get(outpoint)
    if record is not None and record.status in OWNER_TRACKER_REASONS:
        raise Failed(OWNER_TRACKER_REASONS[record.status])
    try:
        tx = op.build_entry_start(node, wallet, entry, delegate_keys=keys)
    except StartError as exc:
        raise Failed(exc.message) from None
    if not commit(node, tx):
        raise Failed("Failed to commit transaction")
    return tx


# --- startfluxnodeasdelegate -----------------------------------------------------------------------


def rpc_startfluxnodeasdelegate(node, params):
    _require_active(node)
    if not 3 <= len(params) <= 5:
        raise RPCError(RPC_MISC_ERROR, texts.STARTFLUXNODEASDELEGATE_HELP)
    values = [get_str(value) for value in params] + [""] * (5 - len(params))
    try:
        return _start_as_delegate(node, *values)
    except Failed as failed:
        return _failed(str(failed))


def _start_as_delegate(node, txhash: str, index_text: str, delegate_wif: str, vps_text: str, collateral_text: str) -> dict:
    txid_rev = uint256_from_text(txhash)
    if txid_rev == bytes(32):
        raise Failed("Invalid transaction hash")
    index = stoi(index_text)
    if index is None:
        raise Failed("Invalid output index")
    collateral = OutPoint(txid_rev, index & 0xFFFFFFFF)
    fluxnodes = _fluxnode_list(node)
    reason = op.tracker_reason(node, fluxnodes, collateral)
    if reason is not None:
        raise Failed(reason)
    try:
        delegate_key = decode_wif(delegate_wif, node.params.base58)
    except InvalidKeyError:
        raise Failed("Invalid delegate private key") from None
    stored = fluxnodes.delegate_keys(collateral)
    if stored is not None and delegate_key.pubkey not in stored:
        raise Failed("This delegate key is not authorized for this collateral. Use 'updatefluxnodedelegates' first.")
    if stored is None:
        raise Failed("No delegates are authorized for this collateral. Use 'updatefluxnodedelegates' first.")
    _check_collateral_tx(node, txid_rev, index)
    vps_pubkey, collateral_pubkey = _start_keys(node, collateral, vps_text, collateral_text)
    tx = _delegate_signed_start(collateral, collateral_pubkey, vps_pubkey, delegate_key, node.clock.now())
    if not commit(node, tx):
        raise Failed("Failed to commit transaction")
    return {"result": "success", "txid": tx.txid_hum, "delegate": _address(node, delegate_key.pubkey)}


def _start_keys(node, collateral: OutPoint, vps_text: str, collateral_text: str) -> tuple[bytes, bytes]:
    """The VPS and collateral keys: given, else from the chain's newest START of the collateral."""
    previous = None
    if os.environ.get("UNMANAGED_FLUXBENCHD") is None and (not vps_text or not collateral_text):
        previous = find_start_for_collateral(node.chainstate, node.params, collateral)
    vps_pubkey = _key_or_previous(vps_text, previous.pubkey if previous else b"", "VPS")
    collateral_pubkey = _key_or_previous(collateral_text, previous.collateral_pubkey if previous else b"", "collateral")
    return vps_pubkey, collateral_pubkey


def _key_or_previous(text: str, previous: bytes, name: str) -> bytes:
    if text:
        pubkey = parse_hex_lenient(text)
        if not is_fully_valid_pubkey(pubkey):
            raise Failed(f"Invalid {name} public key")
        return pubkey
    if is_pubkey_size_valid(previous):
        return previous
    raise Failed(f"Could not find {name} public key in blockchain. Please provide it as a parameter.")


def _delegate_signed_start(collateral: OutPoint, collateral_pubkey: bytes, vps_pubkey: bytes, key: PrivateKey,
                           sig_time: int) -> Transaction:  # fmt: skip
    """A v6 normal START with the delegates bit and a SIGNING delegates part, signed by the delegate key."""
    payload = FluxnodeStart(FLUXNODE_START_TX_TYPE, collateral, collateral_pubkey, vps_pubkey, sig_time, b"",
                            FLUXNODE_TX_TYPE_NORMAL_BIT | FLUXNODE_TX_FEATURE_DELEGATES_BIT, using_delegates=True,
                            delegates=FluxnodeDelegates(DELEGATES_INITIAL_VERSION, DELEGATES_SIGNING, ()))  # fmt: skip
    unsigned = Transaction(version=FLUXNODE_TX_UPGRADEABLE_VERSION, fluxnode=payload)
    message = start_message(unsigned)
    signature = sign_message(key.secret, message, key.compressed)
    if not verify_signed_message(key.pubkey, signature, message):
        raise Failed("Failed to verify signature: ")
    return unsigned.copy_with(fluxnode=FluxnodeStart(
        payload.n_type, collateral, collateral_pubkey, vps_pubkey, sig_time, signature, payload.flux_tx_version,
        using_delegates=True, delegates=payload.delegates))  # fmt: skip


# --- listfluxnodedelegates -------------------------------------------------------------------------


def rpc_listfluxnodedelegates(node, params):
    _require_active(node)
    if len(params) != 2:
        raise RPCError(RPC_MISC_ERROR, texts.LISTFLUXNODEDELEGATES_HELP)
    txhash = get_str(params[0])
    if len(txhash) != 64 or any(char not in "0123456789abcdefABCDEF" for char in txhash):
        return {"error": "Invalid transaction hash (must be 64 hex characters)"}
    txid_rev = uint256_from_text(txhash)
    if txid_rev == bytes(32):
        return {"error": "Invalid transaction hash"}
    index = _stoul(get_str(params[1]))
    if index is None:
        return {"error": "Invalid output index"}
    if index > 0xFFFFFFFF:
        return {"error": "Output index exceeds maximum (4294967295)"}
    collateral = OutPoint(txid_rev, index)
    keys = _fluxnode_list(node).delegate_keys(collateral)
    result: dict = {"collateral": collateral.full_str(), "has_delegates": keys is not None}
    if keys is not None:  # the stored delegates come from an UPDATE (C++ keeps the START's delegate data)
        result.update(delegate_version=DELEGATES_INITIAL_VERSION, delegate_type=DELEGATES_UPDATE,
                      delegate_type_string=TYPE_NAMES[DELEGATES_UPDATE], delegate_keys=[key.hex() for key in keys])  # fmt: skip
    return result


def _stoul(text: str) -> int | None:
    """std::stoul: leading blanks, an optional sign, then digits (a '-' wraps as C++ does)."""
    body = text.lstrip(" \t\n\r\f\v")
    sign = 1
    if body[:1] in "+-" and body[:1]:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    digits = ""
    for char in body:
        if not char.isdigit():
            break
        digits += char
    if not digits:
        return None
    value = int(digits)
    if value > 0xFFFFFFFFFFFFFFFF:
        return None  # out_of_range
    return value if sign > 0 else (-value) & 0xFFFFFFFFFFFFFFFF


def register(table: RPCTable) -> None:
    for name, handler, help_text in (
        ("createdelegatekeypair", rpc_createdelegatekeypair, texts.CREATEDELEGATEKEYPAIR_HELP),
        ("startfluxnodewithdelegates", rpc_startfluxnodewithdelegates, texts.STARTFLUXNODEWITHDELEGATES_HELP),
        ("startfluxnodeasdelegate", rpc_startfluxnodeasdelegate, texts.STARTFLUXNODEASDELEGATE_HELP),
        ("listfluxnodedelegates", rpc_listfluxnodedelegates, texts.LISTFLUXNODEDELEGATES_HELP),
    ):
        table.register(name, "fluxnode", handler, help_text)
    table.register("createsporkkeys", "hidden", rpc_createsporkkeys, texts.CREATESPORKKEYS_HELP)
