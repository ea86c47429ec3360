"""startp2shasdelegate (C++ rpc/fluxnode.cpp): an authorized delegate starts a P2SH (multisig) fluxnode.

The delegate key must be one of the keys a previous START of the collateral stored; the VPS key and the
redeem script come from the parameters, else from the newest START of the collateral in the chain (not
searched when UNMANAGED_FLUXBENCHD is set, C++ fArcane).  Failures answer {"result": "failed", "error": ...};
only the RPC's own preconditions raise.
"""

from __future__ import annotations

import logging
import os

from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED
from fluxd.core.address import Destination, encode_destination
from fluxd.core.fluxnode_tx import FLUXNODE_START_TX_TYPE, FluxnodeStart
from fluxd.core.hashes import hash160
from fluxd.core.keys import InvalidKeyError, decode_wif, is_fully_valid_pubkey
from fluxd.core.tx_parts import OutPoint
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods import fluxnode_p2sh_help as texts
from fluxd.rpc.methods.fluxnode_operator import MEMPOOL_REASON, transactions_active
from fluxd.rpc.methods.fluxnodes import _fluxnode_list
from fluxd.rpc.params import get_str, uint256_from_text
from fluxd.rpc.rest_utxos import parse_hex_lenient
from fluxd.rpc.wallet_common import node_wallet
from fluxd.wallet.fluxnode_config import stoi
from fluxd.wallet.fluxnode_p2sh_start import delegate_p2sh_start, signed_at, signed_by_any
from fluxd.wallet.wallet_tx import WalletTx

log = logging.getLogger("fluxd.wallet")
TRACKER_REASONS = {
    STARTED: "Fluxnode already started, waiting to be confirmed",
    DOS: "Fluxnode already started then not confirmed, in DoS tracker",
    CONFIRMED: "Fluxnode already confirmed and in fluxnode list",
}


class Failed(Exception):
    """A {"result": "failed", "error": ...} answer."""


def rpc_startp2shasdelegate(node, params):
    if not transactions_active(node):
        raise RPCError(RPC_MISC_ERROR, "deterministic fluxnodes transactions is not active yet")
    if not 3 <= len(params) <= 5:
        raise RPCError(RPC_MISC_ERROR, texts.STARTP2SHASDELEGATE_HELP)
    texts_in = [get_str(value) for value in params] + [""] * (5 - len(params))
    try:
        return start_as_delegate(node, *texts_in)
    except Failed as failed:
        return {"result": "failed", "error": str(failed)}


def start_as_delegate(node, txhash: str, index_text: str, delegate_wif: str, vps_text: str, redeem_text: str) -> dict:
    txid_rev = uint256_from_text(txhash)
    if txid_rev == bytes(32):
        raise Failed("Invalid transaction hash")
    index = stoi(index_text)
    if index is None:
        raise Failed("Invalid output index")
    collateral = OutPoint(txid_rev, index & 0xFFFFFFFF)
    fluxnodes = _fluxnode_list(node)
    _refuse_tracked(node, fluxnodes, collateral)
    try:
        delegate_key = decode_wif(delegate_wif, node.params.base58)
    except InvalidKeyError:
        raise Failed("Invalid delegate private key") from None
    _check_authorized(fluxnodes.delegate_keys(collateral), delegate_key.pubkey)
    _check_collateral_tx(node, txid_rev, index)
    vps_pubkey, redeem_script = _start_keys(node, collateral, vps_text, redeem_text)
    tx = signed_at(delegate_p2sh_start(collateral, redeem_script, vps_pubkey), delegate_key, node.clock.now())
    if not signed_by_any(tx, [delegate_key.pubkey]):
        raise Failed("Failed to verify signature: ")
    if not commit(node, tx):
        raise Failed("Failed to commit transaction")
    base58 = node.params.base58
    return {"result": "success", "txid": tx.txid_hum,
            "delegate": encode_destination(Destination("pubkeyhash", hash160(delegate_key.pubkey)), base58),
            "p2sh": encode_destination(Destination("scripthash", hash160(redeem_script)), base58)}  # fmt: skip


def _refuse_tracked(node, fluxnodes, collateral: OutPoint) -> None:
    pool = node.mempool
    if pool is not None and collateral in pool.by_collateral:
        raise Failed(MEMPOOL_REASON)
    record = fluxnodes.get(collateral)
    if record is not None and record.status in TRACKER_REASONS:
        raise Failed(TRACKER_REASONS[record.status])


def _check_authorized(stored: list[bytes] | None, delegate_pubkey: bytes) -> None:
    if stored is None:
        raise Failed("No delegates are authorized for this collateral")
    if delegate_pubkey not in stored:
        raise Failed("This delegate key is not authorized for this collateral")


def _check_collateral_tx(node, txid_rev: bytes, index: int) -> None:
    """GetTransaction (the mempool, then the chain) and the index inside its outputs."""
    pool = node.mempool
    tx = pool.lookup(txid_rev) if pool is not None else None
    if tx is None:
        found = node.chainstate.find_transaction(txid_rev)
        tx = found[0] if found is not None else None
    if tx is None:
        raise Failed("Collateral transaction not found")
    if index >= len(tx.vout):
        raise Failed("Invalid output index for transaction")


def _start_keys(node, collateral: OutPoint, vps_text: str, redeem_text: str) -> tuple[bytes, bytes]:
    """The VPS key and redeem script: given, else from the chain's newest START of the collateral."""
    previous = None
    if os.environ.get("UNMANAGED_FLUXBENCHD") is None and (not vps_text or not redeem_text):
        previous = find_start_for_collateral(node.chainstate, node.params, collateral)
    if vps_text:
        vps_pubkey = parse_hex_lenient(vps_text)
        if not is_fully_valid_pubkey(vps_pubkey):
            raise Failed("Invalid VPS public key")
    elif previous is not None and previous.pubkey:
        vps_pubkey = previous.pubkey
    else:
        raise Failed("Could not find VPS public key in blockchain. Please provide it as a parameter.")
    if redeem_text:
        redeem_script = parse_hex_lenient(redeem_text)
    elif previous is not None and previous.redeem_script:
        redeem_script = previous.redeem_script
    else:
        raise Failed("Could not find redeem script in blockchain. Please provide it as a parameter.")
    return vps_pubkey, redeem_script


def find_start_for_collateral(chainstate, params, collateral: OutPoint) -> FluxnodeStart | None:
    """FindFluxnodeTxForCollateral: blocks from the tip down to the Kamata activation, the first START of
    this collateral with an operator key and a collateral key or redeem script."""
    lowest = params.upgrades[Upgrade.KAMATA].activation_height
    for height in range(chainstate.height, max(lowest, 0) - 1, -1):
        entry = chainstate.entry_at(height)
        if entry is None or not entry.have_data():
            continue
        for tx in chainstate.read_block(entry).transactions:
            start = tx.fluxnode
            if not isinstance(start, FluxnodeStart) or start.n_type != FLUXNODE_START_TX_TYPE:
                continue
            if start.collateral == collateral and start.pubkey and (start.collateral_pubkey or start.redeem_script):
                return start
    return None


def commit(node, tx) -> bool:
    """CommitTransaction: recorded in the wallet, then (when broadcasting) accepted by the mempool and relayed;
    False when the mempool refuses it (the wallet keeps it, as C++)."""
    wallet = node_wallet(node)
    with wallet.lock:
        wallet.add_to_wallet(WalletTx(tx, from_me=True))
    submitter = node.mempool_service
    if not wallet.broadcast_transactions or submitter is None:
        return True
    try:
        submitter.submit(tx, limit_free=False)
    except Exception as exc:  # noqa: BLE001 - any refusal is C++ AcceptToMemoryPool answering false
        log.info("CommitTransaction(): Error: Transaction not valid (%s)", getattr(exc, "reason", exc))
        return False
    submitter.relay(tx)
    return True
