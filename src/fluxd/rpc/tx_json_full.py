"""Transaction JSON of decoderawtransaction / getrawtransaction / getblock 2 (C++ rpc/rawtransaction.cpp TxToJSON)."""

from __future__ import annotations

import base64

from fluxd.core.address import Destination, encode_destination
from fluxd.core.amount import amount_to_decimal
from fluxd.core.fluxnode_tx import FLUXNODE_CONFIRM_TX_TYPE, FLUXNODE_START_TX_TYPE, FluxnodeConfirm, FluxnodeStart
from fluxd.core.fluxnode_tx import has_delegates_feature, is_normal_layout, is_p2sh_layout
from fluxd.core.script_asm import script_to_asm
from fluxd.core.transaction import Transaction
from fluxd.rpc.tx_json import script_pubkey_json, vin_json
from fluxd.util.hexutil import rev_to_hum
from fluxd.util.univalue import NoFloats

TIER_NAMES = {1: "CUMULUS", 2: "NIMBUS", 3: "STRATUS"}
TYPE_TEXT = {FLUXNODE_START_TX_TYPE: "Starting a fluxnode", FLUXNODE_CONFIRM_TX_TYPE: "Confirming a fluxnode"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def tier_to_string(tier: int) -> str:
    if tier in TIER_NAMES:
        return TIER_NAMES[tier]
    return "NONE" if tier == 0 else f"UNKNOWN TIER ({tier})"


def _fluxnode_fields(tx: Transaction) -> dict:
    payload = tx.fluxnode
    collateral = getattr(payload, "collateral", None)
    entry: dict = {"type": TYPE_TEXT.get(payload.n_type, "No type (Error)")}
    if collateral is not None:
        entry.update(
            collateral_output=collateral.short_str(),
            collateral=collateral.full_str(),
            txhash=collateral.txid_hum,
            outidx=str(collateral.n),
        )
    entry["sigtime"] = getattr(payload, "sig_time", 0)
    entry["sig"] = _b64(getattr(payload, "sig", b""))
    entry["ip"] = getattr(payload, "ip", b"").decode("utf-8", "replace")
    if isinstance(payload, FluxnodeStart) and payload.n_type == FLUXNODE_START_TX_TYPE:
        entry.update(_start_fields(payload))
    if isinstance(payload, FluxnodeConfirm) and payload.n_type == FLUXNODE_CONFIRM_TX_TYPE:
        entry.update(
            update_type=payload.update_type,
            benchmark_tier=tier_to_string(payload.benchmark_tier),
            benchmark_sigtime=payload.benchmark_sig_time,
            benchmark_sig=_b64(payload.benchmark_sig),
        )
    return entry


def _start_fields(start: FluxnodeStart) -> dict:
    entry: dict = {}
    version = start.flux_tx_version
    if version is not None:
        entry["fluxnode_upgraded_tx_version"] = version
        if is_normal_layout(version):
            entry["collateral_pubkey"] = _b64(start.collateral_pubkey)
        if is_p2sh_layout(version):
            entry["redeemscript"] = script_to_asm(start.redeem_script)
        if has_delegates_feature(version) and start.using_delegates and start.delegates is not None:
            entry["using_delegates"] = True
            entry["delegate_data"] = {
                "version": start.delegates.version,
                "type": start.delegates.n_type,
                "keys": [_b64(key) for key in start.delegates.keys],
            }
    else:
        entry["collateral_pubkey"] = _b64(start.collateral_pubkey)
    entry["zelnode_pubkey"] = _b64(start.pubkey)
    return entry


def _joinsplits(tx: Transaction) -> list:
    return [
        {
            "vpub_old": amount_to_decimal(js.vpub_old), "vpub_oldZat": js.vpub_old,
            "vpub_new": amount_to_decimal(js.vpub_new), "vpub_newZat": js.vpub_new,
            "anchor": rev_to_hum(js.anchor),
            "nullifiers": [rev_to_hum(value) for value in js.nullifiers],
            "commitments": [rev_to_hum(value) for value in js.commitments],
            "onetimePubKey": rev_to_hum(js.ephemeral_key),
            "randomSeed": rev_to_hum(js.random_seed),
            "macs": [rev_to_hum(value) for value in js.macs],
            "proof": js.proof.hex(),
            "ciphertexts": [value.hex() for value in js.ciphertexts],
        }
        for js in tx.joinsplits
    ]  # fmt: skip


def _sapling_fields(tx: Transaction) -> dict:
    spends = [
        {"cv": rev_to_hum(s.cv), "anchor": rev_to_hum(s.anchor), "nullifier": rev_to_hum(s.nullifier),
         "rk": rev_to_hum(s.rk), "proof": s.zkproof.hex(), "spendAuthSig": s.spend_auth_sig.hex()}
        for s in tx.shielded_spends
    ]  # fmt: skip
    outputs = [
        {"cv": rev_to_hum(o.cv), "cmu": rev_to_hum(o.cmu), "ephemeralKey": rev_to_hum(o.ephemeral_key),
         "encCiphertext": o.enc_ciphertext.hex(), "outCiphertext": o.out_ciphertext.hex(), "proof": o.zkproof.hex()}
        for o in tx.shielded_outputs
    ]  # fmt: skip
    entry = {
        "valueBalance": amount_to_decimal(tx.value_balance),
        "valueBalanceZat": tx.value_balance,
        "vShieldedSpend": spends,
        "vShieldedOutput": outputs,
    }
    if spends or outputs:
        entry["bindingSig"] = tx.binding_sig.hex()
    return entry


def _insight_vin(tx: Transaction, vin: list[dict], spent, prefixes) -> list[dict]:
    """-spentindex: every input's spent coin ("value", "valueSat", "address") before "sequence", as C++ TxToJSON."""
    if tx.is_coinbase():
        return vin
    for txin, item in zip(tx.vin, vin):
        found = spent(txin.prevout.txid_rev, txin.prevout.n)
        if found is None:
            continue
        sequence = item.pop("sequence")
        item.update(value=amount_to_decimal(found.satoshis), valueSat=found.satoshis)
        destination = _destination(found.address_key)
        if destination is not None:
            item["address"] = encode_destination(destination, prefixes)
        item["sequence"] = sequence
    return vin


def _destination(address_key: bytes) -> Destination | None:
    """DestFromAddressHash: type 1 (P2PKH) or 2 (P2SH) and the hash160."""
    kind = {1: "pubkeyhash", 2: "scripthash"}.get(address_key[0])
    return None if kind is None else Destination(kind, address_key[1:])


def _vout(tx: Transaction, prefixes, spent) -> list[dict]:
    vout = []
    for index, out in enumerate(tx.vout):
        item = {"value": amount_to_decimal(out.value), "valueZat": out.value, "valueSat": out.value, "n": index,
                "scriptPubKey": script_pubkey_json(out.script_pubkey, prefixes)}  # fmt: skip
        found = spent(tx.txid_rev, index) if spent is not None else None
        if found is not None:  # -spentindex: who spent it
            item.update(spentTxId=rev_to_hum(found.txid_rev), spentIndex=found.input_index, spentHeight=found.height)
        vout.append(item)
    return vout


def _regular_fields(tx: Transaction, prefixes, spent=None) -> dict:
    entry: dict = {"overwintered": tx.overwintered}
    if tx.overwintered:
        entry["versiongroupid"] = f"{tx.version_group_id:08x}"
    entry["locktime"] = tx.lock_time
    if tx.overwintered:
        entry["expiryheight"] = tx.expiry_height
    entry["vin"] = vin_json(tx) if spent is None else _insight_vin(tx, vin_json(tx), spent, prefixes)
    entry["vout"] = _vout(tx, prefixes, spent)
    entry["vJoinSplit"] = _joinsplits(tx)
    if tx.overwintered and tx.version >= 4:
        entry.update(_sapling_fields(tx))
    return entry


def tx_to_json(tx: Transaction, prefixes, block: dict | None = None, spent=None) -> dict:
    """TxToJSON; ``block`` = {"blockhash", "height", "confirmations", "time"} when the tx is in a block;
    ``spent``: with the spent index, (txid_rev, n) -> SpentInfo | None (rpc/insight.py spent_lookup).

    A ``NoFloats`` dict (every amount is a Decimal): the compact encoder writes it in one orjson call."""
    entry: dict = NoFloats(txid=tx.txid_hum, version=tx.version)
    entry.update(_fluxnode_fields(tx) if tx.is_fluxnode_tx() else _regular_fields(tx, prefixes, spent))
    if block is not None:
        entry["blockhash"] = block["blockhash"]
        if block.get("height") is not None:
            entry.update(height=block["height"], confirmations=block["confirmations"], time=block["time"], blocktime=block["time"])
        else:
            entry.update(height=-1, confirmations=0)
    return entry
