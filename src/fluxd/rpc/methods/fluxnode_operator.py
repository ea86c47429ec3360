"""The operator's fluxnode RPCs (C++ rpc/fluxnode.cpp): createfluxnodekey, getfluxnodeoutputs, listfluxnodeconf,
getfluxnodestatus, startdeterministicfluxnode, startfluxnode, and their zelnode names.

They read fluxnode.conf and the -zelnode* settings (``node.fluxnode``, node/active_fluxnode.py), the wallet's
collateral coins and keys (wallet/fluxnode_start.py) and the fluxnode list of the tip.
"""

from __future__ import annotations

from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED
from fluxd.core.address import Destination, encode_destination
from fluxd.core.amount import COIN
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods import fluxnode_operator_help as texts
from fluxd.rpc.methods.fluxnodes import _fluxnode_list, collateral_text, list_entry_json
from fluxd.rpc.params import check_count, get_str
from fluxd.rpc.wallet_common import node_wallet
from fluxd.wallet.active_fluxnode import uint256_from_hex
from fluxd.wallet.fluxnode_start import StartError, build_start, fluxnode_coins
from fluxd.wallet.wallet_tx import WalletTx

LOCATION_NAMES = {STARTED: "STARTED", DOS: "DOS", CONFIRMED: "CONFIRMED"}  # FluxnodeLocationToString, else OFFLINE
TRACKER_REASONS = {
    STARTED: "Fluxnode already started, waiting to be confirmed",
    DOS: "Fluxnode already started then not confirmed, in DoS tracker. Must wait until out of DoS tracker to start",
    CONFIRMED: "Fluxnode already confirmed and in fluxnode list",
}
MEMPOOL_REASON = "Mempool already has a fluxnode transaction using this outpoint"
NOT_A_FLUXNODE = "This is not a Flux Node"


def _alias_names(names: tuple[str, str], factory):
    return [(name, *factory(name)) for name in names]


def _key_address(node, pubkey: bytes) -> str:
    return encode_destination(Destination("pubkeyhash", hash160(pubkey)), node.params.base58)


# --- createfluxnodekey / getfluxnodeoutputs --------------------------------------------------------


def createkey_rpc(name: str):
    help_text = texts.createkey_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        return encode_wif(PrivateKey.generate(compressed=False), node.params.base58)  # MakeNewKey(false)

    return handler, help_text


def outputs_rpc(name: str):
    help_text = texts.outputs_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        wallet = node_wallet(node)
        result = []
        for found in fluxnode_coins(wallet, node.params, node.chainstate.height):
            result.append({"txhash": found.coin.wtx.txid_hum, "outputidx": found.coin.index,
                           "Flux Amount": found.amount // COIN, "Confirmations": found.coin.depth})  # fmt: skip
        return result

    return handler, help_text


# --- listfluxnodeconf / getfluxnodestatus ----------------------------------------------------------


def _conf_entry_json(node, fluxnodes, chain, entry, index: int) -> dict:
    outpoint = OutPoint(uint256_from_hex(entry.txhash), index & 0xFFFFFFFF)
    record = fluxnodes.get(outpoint)
    info = {"alias": entry.alias, "status": LOCATION_NAMES.get(record.status, "OFFLINE") if record else "OFFLINE",
            "collateral": collateral_text(outpoint), "txHash": entry.txhash, "outputIndex": entry.output_index,
            "privateKey": entry.privkey, "address": entry.ip}  # fmt: skip
    if record is None:
        info.update({"ip": "UNKNOWN", "network": "UNKOWN", "added_height": 0, "confirmed_height": 0,
                     "last_confirmed_height": 0, "last_paid_height": 0, "tier": "UNKNOWN",
                     "payment_address": "UNKNOWN", "activesince": 0, "lastpaid": 0})  # fmt: skip
        return info
    listed = list_entry_json(chain, record, _key_address(node, record.collateral_pubkey), 0)
    for key in ("ip", "network", "added_height", "confirmed_height", "last_confirmed_height", "last_paid_height",
                "tier", "payment_address", "activesince", "lastpaid"):  # fmt: skip
        info[key] = listed[key]
    return info


def listconf_rpc(name: str):
    help_text = texts.listconf_help(name)

    def handler(node, params):
        if len(params) == 1:
            get_str(params[0])  # the filter: read (and type-checked) but never applied, as C++
        check_count(params, 0, 1, help_text)
        fluxnodes, chain = _fluxnode_list(node), node.chainstate.active
        result = []
        for entry in node.fluxnode.entries:
            index = entry.index()
            if index is not None:
                result.append(_conf_entry_json(node, fluxnodes, chain, entry, index))
        return result

    return handler, help_text


def _status_address(node, record) -> str:
    if record.redeem_script:
        return encode_destination(Destination("scripthash", hash160(record.redeem_script)), node.params.base58)
    return _key_address(node, record.collateral_pubkey)


def fluxnode_status(node) -> dict:
    active = node.fluxnode
    if not active.enabled:
        raise RPCError(RPC_MISC_ERROR, NOT_A_FLUXNODE)
    record = _fluxnode_list(node).get(active.outpoint)
    if record is None:
        return {"status": "expired", "collateral": collateral_text(active.outpoint)}
    listed = list_entry_json(node.chainstate.active, record, _status_address(node, record), 0)
    del listed["rank"]
    return {"status": LOCATION_NAMES.get(record.status, "OFFLINE"), **listed}


def status_rpc(name: str):
    help_text = texts.status_help(name)

    def handler(node, params):
        check_count(params, 0, 0, help_text)
        return fluxnode_status(node)

    return handler, help_text


# --- starting ----------------------------------------------------------------------------------------


def transactions_active(node) -> bool:
    """IsFluxnodeTransactionsActive: tip height >= the Kamata activation height (-1 on regtest: always)."""
    return node.chainstate.height >= node.params.upgrades[Upgrade.KAMATA].activation_height


def tracker_reason(node, fluxnodes, outpoint: OutPoint) -> str | None:
    pool = node.mempool
    if pool is not None and outpoint in pool.by_collateral:
        return MEMPOOL_REASON
    record = fluxnodes.get(outpoint)
    return TRACKER_REASONS.get(record.status) if record is not None else None


def entry_outpoint(entry) -> OutPoint:
    index = entry.index()
    return OutPoint(uint256_from_hex(entry.txhash), (index if index is not None else 0) & 0xFFFFFFFF)


def build_entry_start(node, wallet, entry, delegate_keys: tuple[bytes, ...] | None = None):
    """BuildDeterministicStartTx + SignDeterministicStartTx for one conf entry (StartError with C++ texts); with
    ``delegate_keys`` the v6 START of startfluxnodewithdelegates."""
    if node.chainstate.is_initial_block_download():
        raise StartError("block chain is downloading")
    return build_start(wallet, node.params, node.chainstate.height, entry.privkey, entry.txhash,
                       entry.output_index, node.clock.now(), delegate_keys)  # fmt: skip


def commit_start(node, wallet, tx) -> str:
    """CommitTransaction: record it in the wallet, then the mempool and relay; the reject reason ("" when accepted)."""
    with wallet.lock:
        wallet.add_to_wallet(WalletTx(tx, from_me=True))
    submitter = node.mempool_service
    if not wallet.broadcast_transactions or submitter is None:
        return ""
    try:
        submitter.submit(tx, limit_free=False)
    except Exception as exc:  # noqa: BLE001 - the C++ state's reject reason, as CommitTransaction reports it
        return str(getattr(exc, "reason", exc))
    submitter.relay(tx)
    return ""


def lock_after(wallet, lock: bool) -> None:
    """pwalletMain->Lock() (a no-op for an unencrypted wallet)."""
    if lock and wallet.keys.encrypted:
        with wallet.lock:
            wallet.keys.lock()
            wallet.unlocked_until = 0
