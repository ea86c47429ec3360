"""The P2SH fluxnode start RPCs (C++ rpc/fluxnode.cpp): createp2shstarttx builds the unsigned v6 START of a
multisig collateral, signp2shstarttx signs it with one key of the redeem script (given, or the wallet's),
sendp2shstarttx submits it; startp2shasdelegate (fluxnode_p2sh_delegate.py) builds and sends one signed by a
delegate.  Registered here, all four.

As C++, none of them checks the P2SHNODES upgrade: the mempool refuses a v6 START before it (and a bit-based
version before PoN).
"""

from __future__ import annotations

from fluxd.core.address import Destination
from fluxd.core.fluxnode_tx import DELEGATES_MAX_KEYS
from fluxd.core.hashes import hash160
from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.core.standard import TX_MULTISIG, extract_destinations
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.mempool.accept import MempoolRejected
from fluxd.params.upgrades import is_pon_active
from fluxd.rpc.errors import (
    RPC_DESERIALIZATION_ERROR,
    RPC_INVALID_ADDRESS_OR_KEY,
    RPC_INVALID_PARAMETER,
    RPC_METHOD_NOT_FOUND,
    RPC_VERIFY_ERROR,
    RPC_VERIFY_REJECTED,
    RPC_WALLET_ERROR,
    RPCError,
)
from fluxd.rpc.methods import fluxnode_p2sh_delegate as delegate
from fluxd.rpc.methods import fluxnode_p2sh_help as texts
from fluxd.rpc.params import check_count, get_int, get_str, uint256_from_text
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.rest_utxos import parse_hex_lenient
from fluxd.rpc.wallet_common import ensure_unlocked, node_wallet
from fluxd.rpc.wallet_list_params import type_check
from fluxd.util.hexutil import is_hex
from fluxd.util.serialize import DecodeError, Reader
from fluxd.wallet import fluxnode_p2sh_start as p2sh

NO_PUBKEYS = "Failed to get pubkeys from redeemscript"


# --- createp2shstarttx -------------------------------------------------------------------------------


def rpc_createp2shstarttx(node, params):
    check_count(params, 4, 5, texts.CREATEP2SHSTARTTX_HELP)
    type_check(params, ["string", "string", "string", "number", "array"])
    redeem_script = parse_hex_lenient(get_str(params[0]))
    vps_pubkey = p2sh.cpubkey(parse_hex_lenient(get_str(params[1])))
    txid_rev = uint256_from_text(get_str(params[2]))
    collateral = OutPoint(txid_rev, get_int(params[3]) & 0xFFFFFFFF)
    delegates = _delegate_pubkeys(params[4]) if len(params) > 4 else []
    version = p2sh.p2sh_flux_tx_version(is_pon_active(node.params, node.chainstate.height + 1), bool(delegates))
    tx = p2sh.unsigned_p2sh_start(collateral, redeem_script, vps_pubkey, version, delegates)
    _check_collateral_address(node, collateral, redeem_script)
    return tx.to_bytes().hex()


def _delegate_pubkeys(values: list) -> list[bytes]:
    """Up to four compressed, distinct delegate keys (an empty array: no delegates)."""
    if len(values) > DELEGATES_MAX_KEYS:
        raise RPCError(RPC_INVALID_PARAMETER, f"Too many delegates. Maximum is {DELEGATES_MAX_KEYS}")
    keys: list[bytes] = []
    for index, value in enumerate(values):
        key = p2sh.cpubkey(parse_hex_lenient(get_str(value)))
        if not key:
            raise RPCError(RPC_INVALID_PARAMETER, f"Invalid delegate public key at index {index}")
        if len(key) != 33:
            raise RPCError(RPC_INVALID_PARAMETER, f"Delegate public key at index {index} must be compressed")
        if key in keys:
            raise RPCError(RPC_INVALID_PARAMETER, f"Duplicate delegate public key at index {index}")
        keys.append(key)
    return keys


def _check_collateral_address(node, collateral: OutPoint, redeem_script: bytes) -> None:
    """The collateral coin at the tip pays to the redeem script's hash."""
    chainstate = node.chainstate
    if chainstate.unspent_output_height(collateral.txid_rev) is None:  # C++ AccessCoins: no unspent output at all
        raise RPCError(RPC_VERIFY_ERROR, "Coins not found in chain")
    coin = chainstate.get_coin(collateral)
    destination = single_destination(coin.script_pubkey) if coin is not None else None
    if destination is None:  # a spent output (and, here, an index past the outputs: undefined in C++)
        raise RPCError(RPC_VERIFY_ERROR, "Couldn't extract destination from coins")
    if destination != Destination("scripthash", hash160(redeem_script)):
        raise RPCError(RPC_VERIFY_ERROR, "Address not matching Redeemscript hash")


def single_destination(script: bytes) -> Destination | None:
    """ExtractDestination: P2PKH, P2SH, or a valid P2PK key's id; nothing for multisig."""
    kind, destinations, _ = extract_destinations(script)
    if kind == TX_MULTISIG or not destinations:
        return None
    return destinations[0]


# --- signp2shstarttx ---------------------------------------------------------------------------------


def decode_hex_tx(text: str) -> Transaction | None:
    """DecodeHexTx: hex, then one transaction read from the front (bytes after it are ignored)."""
    if not is_hex(text):
        return None
    try:
        return Transaction.read(Reader(bytes.fromhex(text)))
    except (DecodeError, ValueError):
        return None


def rpc_signp2shstarttx(node, params):
    check_count(params, 1, 2, texts.SIGNP2SHSTARTTX_HELP)
    type_check(params, ["string", "string"])
    tx = decode_hex_tx(params[0])
    if tx is None:
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed")
    if len(params) > 1:
        key = _given_key(node, params[1])
        pubkeys = p2sh.redeem_pubkeys(tx)  # C++ signs first; signing cannot fail, so the answer is the same
        if pubkeys is None:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, NO_PUBKEYS)
    else:
        pubkeys, key = _wallet_key(node, tx)
    signed = p2sh.signed_at(tx, key, node.clock.now())
    if not p2sh.signed_by_any(signed, pubkeys):
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Signature Verify Failed")
    return signed.to_bytes().hex()


def _given_key(node, value: str):
    try:
        return decode_wif(value, node.params.base58)
    except InvalidKeyError:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key") from None


def _wallet_key(node, tx: Transaction):
    """The wallet's key for the first redeem script key it owns (the wallet unlocked first)."""
    wallet = node.wallet
    if wallet is not None:
        wallet = node_wallet(node)
        ensure_unlocked(wallet)
    pubkeys = p2sh.redeem_pubkeys(tx)
    if pubkeys is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, NO_PUBKEYS)
    if wallet is None:  # C++ dereferences the missing wallet here
        raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found (disabled)")
    with wallet.lock:
        for pubkey in pubkeys:
            key = wallet.keys.private_key(hash160(pubkey))
            if key is not None:
                return pubkeys, key
    raise RPCError(RPC_WALLET_ERROR, "Private key not available")


# --- sendp2shstarttx ---------------------------------------------------------------------------------


def rpc_sendp2shstarttx(node, params):
    check_count(params, 1, 1, texts.SENDP2SHSTARTTX_HELP)
    type_check(params, ["string"])
    tx = decode_hex_tx(params[0])
    if tx is None:  # C++ ignores DecodeHexTx's answer and submits the empty transaction
        tx = Transaction()
    service = node.mempool_service
    if service is None:
        raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found")
    try:
        service.submit(tx, limit_free=False)
    except MempoolRejected as rejected:
        if rejected.invalid:
            raise RPCError(RPC_VERIFY_REJECTED, f"{rejected.code}: {rejected.reason}") from None
        if rejected.missing_inputs:
            raise RPCError(RPC_VERIFY_ERROR, "Missing inputs") from None
        raise RPCError(RPC_VERIFY_ERROR, rejected.reason) from None
    service.relay(tx)
    return tx.txid_hum


def register(table: RPCTable) -> None:
    table.register("createp2shstarttx", "fluxnode", rpc_createp2shstarttx, texts.CREATEP2SHSTARTTX_HELP)
    table.register("signp2shstarttx", "fluxnode", rpc_signp2shstarttx, texts.SIGNP2SHSTARTTX_HELP)
    table.register("sendp2shstarttx", "fluxnode", rpc_sendp2shstarttx, texts.SENDP2SHSTARTTX_HELP)
    table.register("startp2shasdelegate", "fluxnode", delegate.rpc_startp2shasdelegate, texts.STARTP2SHASDELEGATE_HELP)
