"""Raw transaction RPCs that need no mempool or index: decoderawtransaction (C++ rpc/rawtransaction.cpp)."""

from __future__ import annotations

from fluxd.core.address import AddressError, decode_destination
from fluxd.core.amount import AmountError, parse_amount
from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.core.script import is_p2sh
from fluxd.core.script_asm import script_to_asm
from fluxd.core.transaction import SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.upgrades import Upgrade, current_epoch_branch_id, network_upgrade_active
from fluxd.rpc.errors import (
    RPC_DESERIALIZATION_ERROR,
    RPC_INVALID_ADDRESS_OR_KEY,
    RPC_INVALID_PARAMETER,
    RPC_MISC_ERROR,
    RPC_TYPE_ERROR,
    RPCError,
)
from fluxd.rpc.params import check_count, get_int, get_int64, get_str, parse_hash, parse_hex_param, type_name
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.insight import spent_lookup
from fluxd.rpc.tx_json_full import tx_to_json
from fluxd.rpc.wallet_common import ensure_unlocked
from fluxd.util.hexutil import is_hex
from fluxd.util.serialize import DecodeError
from fluxd.wallet.signing import KeyStore, sign_inputs

DECODERAWTRANSACTION_HELP = """decoderawtransaction "hexstring"

Return a JSON object representing the serialized, hex-encoded transaction.

Arguments:
1. "hex"      (string, required) The transaction hex string
"""


def decode_tx_param(value) -> Transaction:
    if not isinstance(value, str):
        raise RPCError(RPC_TYPE_ERROR, f"Expected type string, got {type_name(value)}")
    try:
        if not is_hex(value):
            raise DecodeError("not hex")
        return Transaction.from_hex(value)
    except (DecodeError, ValueError):
        raise RPCError(RPC_DESERIALIZATION_ERROR, "TX decode failed") from None


def rpc_decoderawtransaction(node, params):
    check_count(params, 1, 1, DECODERAWTRANSACTION_HELP)
    return tx_to_json(decode_tx_param(params[0]), node.params.base58, spent=spent_lookup(node))  # C++ TxToJSON: -spentindex fields too


def register(table: RPCTable) -> None:
    table.register("decoderawtransaction", "rawtransactions", rpc_decoderawtransaction, DECODERAWTRANSACTION_HELP)
    register_getrawtransaction(table)
    register_signing(table)


GETRAWTRANSACTION_HELP = """getrawtransaction "txid" ( verbose )

NOTE: By default this function only works sometimes. This is when the tx is in the mempool
or there is an unspent output in the utxo for this transaction. To make it always work,
you need to maintain a transaction index, using the -txindex command line option.

Return the raw transaction data.

If verbose=0, returns a string that is serialized, hex-encoded data for 'txid'.
If verbose is non-zero, returns an Object with information about 'txid'.

Arguments:
1. "txid"      (string, required) The transaction id
2. verbose       (numeric, optional, default=0) If 0, return a string, other return a json object
"""


def rpc_getrawtransaction(node, params):
    check_count(params, 1, 2, GETRAWTRANSACTION_HELP)
    txid_rev = parse_hash(params[0], "parameter 1")
    verbose = get_int(params[1]) != 0 if len(params) > 1 else False
    chainstate = node.chainstate
    pool = node.mempool
    pooled = pool.lookup(txid_rev) if pool is not None else None
    if pooled is not None:  # C++ GetTransaction looks in the mempool first
        return {"hex": pooled.to_bytes().hex(), **tx_to_json(pooled, node.params.base58, spent=spent_lookup(node))} if verbose else pooled.to_bytes().hex()
    found = chainstate.find_transaction(txid_rev)
    if found is None:
        raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "No information available about transaction")
    tx, entry = found
    if not verbose:
        return tx.to_bytes().hex()
    view = chainstate.view()
    block = {"blockhash": entry.hash_hum, "height": None}
    if view.contains(entry):
        block.update(height=entry.height, confirmations=view.height - entry.height + 1, time=entry.time)
    return {"hex": tx.to_bytes().hex(), **tx_to_json(tx, node.params.base58, block, spent_lookup(node))}


def register_getrawtransaction(table: RPCTable) -> None:
    table.register("getrawtransaction", "rawtransactions", rpc_getrawtransaction, GETRAWTRANSACTION_HELP)


CREATERAWTRANSACTION_HELP = """createrawtransaction [{"txid":"id","vout":n},...] {"address":amount,...} ( locktime ) ( expiryheight )

Create a transaction spending the given inputs and sending to the given addresses.
Returns hex-encoded raw transaction.
Note that the transaction's inputs are not signed, and
it is not stored in the wallet or transmitted to the network.
"""
SIGNRAWTRANSACTION_HELP = """signrawtransaction "hexstring" ( [{"txid":"id","vout":n,"scriptPubKey":"hex","redeemScript":"hex"},...] ["privatekey1",...] sighashtype )

Sign inputs for raw transaction (serialized, hex-encoded).
The second optional argument (may be null) is an array of previous transaction outputs that
this transaction depends on but may not yet be in the block chain.
The third optional argument (may be null) is an array of base58-encoded private
keys that, if given, will be the only keys used to sign the transaction.
"""
DEFAULT_TX_EXPIRY_DELTA = 20
TX_EXPIRING_SOON_THRESHOLD = 3
TX_EXPIRY_HEIGHT_THRESHOLD = 500_000_000
SIGHASH_BY_NAME = {"ALL": 1, "ALL|ANYONECANPAY": 0x81, "NONE": 2, "NONE|ANYONECANPAY": 0x82, "SINGLE": 3, "SINGLE|ANYONECANPAY": 0x83}


def _contextual_tx(params, height: int) -> Transaction:
    """CreateNewContextualCMutableTransaction."""
    if network_upgrade_active(params, height, Upgrade.ACADIA):
        return Transaction(version=4, overwintered=True, version_group_id=SAPLING_VERSION_GROUP_ID, expiry_height=height + DEFAULT_TX_EXPIRY_DELTA)
    return Transaction(version=1)


def _expect(value, kind, name: str):
    if value is not None and not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise RPCError(RPC_TYPE_ERROR, f"Expected type {name}, got {type_name(value)}")
    return value


def rpc_createrawtransaction(node, params):
    check_count(params, 2, 4, CREATERAWTRANSACTION_HELP)
    inputs, outputs = _expect(params[0], list, "array"), _expect(params[1], dict, "object")
    if inputs is None or outputs is None:
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, arguments 1 and 2 must be non-null")
    height = node.chainstate.height + 1
    tx = _contextual_tx(node.params, height)
    if len(params) > 2 and params[2] is not None:
        lock_time = get_int64(params[2])
        if not 0 <= lock_time <= 0xFFFFFFFF:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range")
        tx = tx.copy_with(lock_time=lock_time)
    if len(params) > 3 and params[3] is not None:
        tx = tx.copy_with(expiry_height=_expiry(node.params, height, get_int64(params[3])))
    return tx.copy_with(vin=tuple(_inputs(inputs, tx.lock_time)), vout=tuple(_outputs(node, outputs))).to_bytes().hex()


def _expiry(params, height: int, expiry: int) -> int:
    if not network_upgrade_active(params, height, Upgrade.ACADIA):
        raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, expiryheight can only be used if Overwinter is active when the transaction is mined")
    if not 0 <= expiry < TX_EXPIRY_HEIGHT_THRESHOLD:
        raise RPCError(RPC_INVALID_PARAMETER, f"Invalid parameter, expiryheight must be nonnegative and less than {TX_EXPIRY_HEIGHT_THRESHOLD}.")
    if expiry and height + TX_EXPIRING_SOON_THRESHOLD > expiry:
        raise RPCError(RPC_INVALID_PARAMETER, f"Invalid parameter, expiryheight should be at least {height + TX_EXPIRING_SOON_THRESHOLD} to avoid transaction expiring soon")
    return expiry


def _inputs(inputs: list, lock_time: int) -> list[TxIn]:
    result = []
    for item in inputs:
        if not isinstance(item, dict):
            raise RPCError(RPC_MISC_ERROR, "JSON value is not an object as expected")
        txid = parse_hash(item.get("txid"), "txid")
        vout = item.get("vout")
        if isinstance(vout, bool) or not isinstance(vout, int):
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key")
        if vout < 0:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid parameter, vout must be positive")
        sequence = 0xFFFFFFFE if lock_time else 0xFFFFFFFF
        if isinstance(item.get("sequence"), int) and not isinstance(item.get("sequence"), bool):
            sequence = get_int(item["sequence"]) & 0xFFFFFFFF
        result.append(TxIn(OutPoint(txid, vout), b"", sequence))
    return result


def _outputs(node, outputs: dict) -> list[TxOut]:
    result, seen = [], set()
    for address, amount in outputs.items():
        try:
            destination = decode_destination(address, node.params.base58)
        except AddressError:
            raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, f"Invalid Flux address: {address}") from None
        if destination in seen:
            raise RPCError(RPC_INVALID_PARAMETER, f"Invalid parameter, duplicated address: {address}")
        seen.add(destination)
        result.append(TxOut(amount_param(amount), destination.script_pubkey()))
    return result


def amount_param(value) -> int:
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise RPCError(RPC_TYPE_ERROR, str(exc)) from None


def rpc_signrawtransaction(node, params):
    check_count(params, 1, 5, SIGNRAWTRANSACTION_HELP)
    tx = decode_tx_param(params[0])
    store = KeyStore()
    given_keys = len(params) > 2 and params[2] is not None
    wallet = getattr(node, "wallet", None)
    if given_keys:
        for text in _expect(params[2], list, "array"):
            try:
                store.add_key(decode_wif(get_str(text), node.params.base58))
            except InvalidKeyError:
                raise RPCError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key") from None
    elif wallet is not None:
        ensure_unlocked(wallet)
    extra = _prevtxs(params[1] if len(params) > 1 else None, store, given_keys, lambda outpoint: _input_script(node, tx, outpoint))
    if not given_keys and wallet is not None:
        with wallet.lock:
            store = wallet.keys.signing_store()  # C++ signs with the wallet's keystore when no keys are given
    hash_type = 1
    if len(params) > 3 and params[3] is not None:
        if get_str(params[3]) not in SIGHASH_BY_NAME:
            raise RPCError(RPC_INVALID_PARAMETER, "Invalid sighash param")
        hash_type = SIGHASH_BY_NAME[params[3]]
    branch_id = current_epoch_branch_id(node.params, node.chainstate.height + 1)

    def spent_output(outpoint):
        if outpoint in extra:
            return extra[outpoint]
        coin = _mempool_coin(node, outpoint)  # C++ view.SetBackend(viewMempool): the chain seen through the mempool
        if coin is None:
            coin = node.chainstate.get_coin(outpoint)
        return None if coin is None else (coin.script_pubkey, coin.value)

    signed, errors = sign_inputs(tx, store, spent_output, hash_type, branch_id)
    result = {"hex": signed.to_bytes().hex(), "complete": not errors}
    if errors:
        result["errors"] = [_input_error(signed, error) for error in errors]
    return result


def _mempool_coin(node, outpoint: OutPoint):
    pool = getattr(node, "mempool", None)
    if pool is None:
        return None
    with pool.lock:
        return pool.output_coin(outpoint)


def _input_error(tx: Transaction, error) -> dict:
    txin = tx.vin[error.input_index]
    return {"txid": txin.prevout.txid_hum, "vout": txin.prevout.n, "scriptSig": txin.script_sig.hex(), "sequence": txin.sequence, "error": error.message}


def _input_script(node, tx: Transaction, outpoint: OutPoint) -> bytes | None:
    """The unspent output C++'s view holds for ``outpoint``: fetched only for the transaction's input txids."""
    if not any(txin.prevout.txid_rev == outpoint.txid_rev for txin in tx.vin):
        return None
    coin = _mempool_coin(node, outpoint) or node.chainstate.get_coin(outpoint)
    return None if coin is None else coin.script_pubkey


def _prevtxs(value, store: KeyStore, given_keys: bool, existing_script=lambda outpoint: None) -> dict:
    known = {}
    for item in _expect(value, list, "array") or []:
        if not isinstance(item, dict):
            raise RPCError(RPC_DESERIALIZATION_ERROR, "expected object with {\"txid'\",\"vout\",\"scriptPubKey\"}")
        txid = parse_hash(item.get("txid"), "txid")
        vout = get_int(item.get("vout"))
        if vout < 0:
            raise RPCError(RPC_DESERIALIZATION_ERROR, "vout must be positive")
        script = parse_hex_param(item.get("scriptPubKey"), "scriptPubKey")
        outpoint = OutPoint(txid, vout)
        existing = known[outpoint][0] if outpoint in known else existing_script(outpoint)
        if existing is not None and existing != script:
            raise RPCError(
                RPC_DESERIALIZATION_ERROR, f"Previous output scriptPubKey mismatch:\n{script_to_asm(existing)}\nvs:\n{script_to_asm(script)}"
            )
        known[outpoint] = (script, amount_param(item["amount"]) if "amount" in item else 0)
        if given_keys and is_p2sh(script) and item.get("redeemScript") is not None:
            store.add_script(parse_hex_param(item["redeemScript"], "redeemScript"))
    return known


def register_signing(table: RPCTable) -> None:
    table.register("createrawtransaction", "rawtransactions", rpc_createrawtransaction, CREATERAWTRANSACTION_HELP)
    table.register("signrawtransaction", "rawtransactions", rpc_signrawtransaction, SIGNRAWTRANSACTION_HELP)
