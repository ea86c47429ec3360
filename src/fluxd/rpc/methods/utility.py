"""Utility RPCs without a wallet (C++ rpc/misc.cpp, rpc/rawtransaction.cpp, rpc/mining.cpp)."""

from __future__ import annotations

import base64
import binascii

from fluxd.consensus.subsidy import block_subsidy
from fluxd.core.address import AddressError, Destination, decode_destination, encode_destination
from fluxd.core.amount import amount_to_decimal
from fluxd.core.ecdsa import message_signer_key
from fluxd.core.hashes import hash160
from fluxd.core.keys import is_fully_valid_pubkey
from fluxd.core.standard import multisig_script
from fluxd.rpc.errors import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RPC_TYPE_ERROR, RPCError
from fluxd.rpc.params import check_count, get_int, get_str, parse_hex_param, type_name
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.tx_json import script_pubkey_json
from fluxd.rpc.wallet_describe import wallet_address_fields
from fluxd.util.hexutil import is_hex

MAX_SCRIPT_ELEMENT_SIZE = 520

VALIDATEADDRESS_HELP = """validateaddress "fluxaddress"

Return information about the given Flux address.

Arguments:
1. "fluxaddress"     (string, required) The Flux address to validate
"""
DECODESCRIPT_HELP = """decodescript "hex"

Decode a hex-encoded script.

Arguments:
1. "hex"     (string) the hex encoded script
"""
VERIFYMESSAGE_HELP = """verifymessage "fluxaddress" "signature" "message"

Verify a signed message

Arguments:
1. "fluxaddress"  (string, required) The Flux address to use for the signature.
2. "signature"       (string, required) The signature provided by the signer in base 64 encoding (see signmessage).
3. "message"         (string, required) The message that was signed.

Result:
true|false   (boolean) If the signature is verified or not.
"""
CREATEMULTISIG_HELP = """createmultisig nrequired ["key",...]

Creates a multi-signature address with n signature of m keys required.
It returns a json object with the address and redeemScript.

Arguments:
1. nrequired      (numeric, required) The number of required signatures out of the n keys or addresses.
2. "keys"       (string, required) A json array of keys which are Flux addresses or hex-encoded public keys
"""
GETBLOCKSUBSIDY_HELP = """getblocksubsidy height

Returns block subsidy reward, taking into account the mining slow start of block at index provided.

Arguments:
1. height         (numeric, optional) The block height.  If not provided, defaults to the current height of the chain.

Result:
{
  "miner" : x.xxx           (numeric) The mining reward amount in FLUX.
}
"""


def rpc_validateaddress(node, params):
    check_count(params, 1, 1, VALIDATEADDRESS_HELP)
    try:
        destination = decode_destination(get_str(params[0]), node.params.base58)
    except AddressError:
        return {"isvalid": False}
    result = {
        "isvalid": True,
        "address": encode_destination(destination, node.params.base58),
        "scriptPubKey": destination.script_pubkey().hex(),
    }
    result.update(wallet_address_fields(getattr(node, "wallet", None), destination, node.params.base58))
    return result


def rpc_decodescript(node, params):
    check_count(params, 1, 1, DECODESCRIPT_HELP)
    if not isinstance(params[0], str):
        raise RPCError(RPC_TYPE_ERROR, f"Expected type string, got {type_name(params[0])}")
    script = parse_hex_param(params[0], "argument") if params[0] else b""
    result = script_pubkey_json(script, node.params.base58, include_hex=False)
    result["p2sh"] = encode_destination(Destination("scripthash", hash160(script)), node.params.base58)
    return result


def key_destination(node, address: str):
    """signmessage / verifymessage: the address must decode and name a key (C++ texts)."""
    try:
        destination = decode_destination(address, node.params.base58)
    except AddressError:
        raise RPCError(RPC_TYPE_ERROR, "Invalid address") from None
    if destination.kind != "pubkeyhash":
        raise RPCError(RPC_TYPE_ERROR, "Address does not refer to key")
    return destination


def rpc_verifymessage(node, params):
    check_count(params, 3, 3, VERIFYMESSAGE_HELP)
    address, signature_text, message = (get_str(value) for value in params)
    destination = key_destination(node, address)
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Malformed base64 encoding") from None
    signer = message_signer_key(signature, message.encode())
    return signer is not None and hash160(signer) == destination.hash160


def _multisig_redeem_script(params, wallet_pubkey=None, prefixes=None) -> bytes:
    """_createmultisig_redeemScript; with a wallet (``wallet_pubkey``: key id -> pubkey) a key may be an address."""
    required = get_int(params[0])
    keys = params[1]
    if not isinstance(keys, list):
        raise RPCError(RPC_MISC_ERROR, "JSON value is not an array as expected")
    if required < 1:
        raise RPCError(RPC_MISC_ERROR, "a multisignature address must require at least one key to redeem")
    if len(keys) < required:
        raise RPCError(RPC_MISC_ERROR, f"not enough keys supplied (got {len(keys)} keys, but need at least {required} to redeem)")
    if len(keys) > 16:
        raise RPCError(RPC_MISC_ERROR, "Number of addresses involved in the multisignature address creation > 16\nReduce the number")
    pubkeys = []
    for key in keys:
        text = get_str(key)
        pubkey = _wallet_address_pubkey(text, wallet_pubkey, prefixes) if wallet_pubkey is not None else None
        if pubkey is None:
            if not is_hex(text):
                raise RPCError(RPC_MISC_ERROR, " Invalid public key: " + text)
            pubkey = bytes.fromhex(text)
        if not is_fully_valid_pubkey(pubkey):
            raise RPCError(RPC_MISC_ERROR, " Invalid public key: " + text)
        pubkeys.append(pubkey)
    script = multisig_script(required, pubkeys)
    if len(script) > MAX_SCRIPT_ELEMENT_SIZE:
        raise RPCError(RPC_MISC_ERROR, f"redeemScript exceeds size limit: {len(script)} > {MAX_SCRIPT_ELEMENT_SIZE}")
    return script


def _wallet_address_pubkey(text: str, wallet_pubkey, prefixes) -> bytes | None:
    """Case 1 of _createmultisig_redeemScript: an address of a key whose full public key the wallet has."""
    try:
        destination = decode_destination(text, prefixes)
    except AddressError:
        return None
    if destination.kind != "pubkeyhash":
        raise RPCError(RPC_MISC_ERROR, f"{text} does not refer to a key")
    pubkey = wallet_pubkey(destination.hash160)
    if pubkey is None:
        raise RPCError(RPC_MISC_ERROR, f"no full public key for address {text}")
    return pubkey


def wallet_redeem_script(node, params) -> bytes:
    """The redeem script of createmultisig / addmultisigaddress, addresses resolved by the wallet when it runs."""
    wallet = getattr(node, "wallet", None)
    lookup = wallet.keys.pubkeys.get if wallet is not None else None
    return _multisig_redeem_script(params, lookup, node.params.base58)


def rpc_createmultisig(node, params):
    check_count(params, 2, 2, CREATEMULTISIG_HELP)
    script = wallet_redeem_script(node, params)
    address = encode_destination(Destination("scripthash", hash160(script)), node.params.base58)
    return {"address": address, "redeemScript": script.hex()}


def rpc_getblocksubsidy(node, params):
    check_count(params, 0, 1, GETBLOCKSUBSIDY_HELP)
    height = get_int(params[0]) if params else node.chainstate.height
    if height < 0:
        raise RPCError(RPC_INVALID_PARAMETER, "Block height out of range")
    return {"miner": amount_to_decimal(block_subsidy(node.params, height))}


ESTIMATEFEE_HELP = """estimatefee nblocks

Estimates the approximate fee per kilobyte
needed for a transaction to begin confirmation
within nblocks blocks.

Arguments:
1. nblocks     (numeric)

Result:
n :    (numeric) estimated fee-per-kilobyte

-1.0 is returned if not enough transactions and
blocks have been observed to make an estimate.
"""


ESTIMATEPRIORITY_HELP = """estimatepriority nblocks

Estimates the approximate priority
a zero-fee transaction needs to begin confirmation
within nblocks blocks.

Arguments:
1. nblocks     (numeric)

Result:
n :    (numeric) estimated priority

-1.0 is returned if not enough transactions and
blocks have been observed to make an estimate.
"""


def _estimate_target(params: list, help_text: str) -> int:
    """RPCTypeCheck {VNUM}, get_int, then nblocks < 1 counts as 1 (C++ estimatefee / estimatepriority)."""
    check_count(params, 1, 1, help_text)
    if type_name(params[0]) != "number":
        raise RPCError(RPC_TYPE_ERROR, f"Expected type number, got {type_name(params[0])}")
    return max(get_int(params[0]), 1)


def _fee_estimator(node):
    return node.fee_estimator


def rpc_estimatefee(node, params):
    """The fee per kB in FLUX, or -1 (a number) when there is not enough data."""
    target = _estimate_target(params, ESTIMATEFEE_HELP)
    estimator = _fee_estimator(node)
    rate = estimator.estimate_fee(target) if estimator is not None else 0
    return amount_to_decimal(rate) if rate else -1.0


def rpc_estimatepriority(node, params):
    target = _estimate_target(params, ESTIMATEPRIORITY_HELP)
    estimator = _fee_estimator(node)
    return estimator.estimate_priority(target) if estimator is not None else -1.0


def register(table: RPCTable) -> None:
    table.register("validateaddress", "util", rpc_validateaddress, VALIDATEADDRESS_HELP)
    table.register("decodescript", "rawtransactions", rpc_decodescript, DECODESCRIPT_HELP)
    table.register("verifymessage", "util", rpc_verifymessage, VERIFYMESSAGE_HELP)
    table.register("createmultisig", "util", rpc_createmultisig, CREATEMULTISIG_HELP)
    table.register("getblocksubsidy", "mining", rpc_getblocksubsidy, GETBLOCKSUBSIDY_HELP)
    table.register("estimatefee", "util", rpc_estimatefee, ESTIMATEFEE_HELP)
    table.register("estimatepriority", "util", rpc_estimatepriority, ESTIMATEPRIORITY_HELP)
