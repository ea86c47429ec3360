"""startdeterministicfluxnode and startfluxnode (C++ rpc/fluxnode.cpp), their zelnode names, and the registration
of every operator fluxnode RPC (fluxnode_operator.py)."""

from __future__ import annotations

from fluxd.rpc.errors import RPC_MISC_ERROR, RPCError
from fluxd.rpc.methods import fluxnode_operator as op
from fluxd.rpc.methods import fluxnode_operator_help as texts
from fluxd.rpc.methods.fluxnodes import _fluxnode_list
from fluxd.rpc.params import get_str
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.wallet_common import ensure_unlocked, node_wallet
from fluxd.wallet.fluxnode_start import StartError

NOT_FOUND = "could not find alias in config. Verify with listfluxnodeconf."
NOT_FOUND_LIST_CONF = "could not find alias in config. Verify with list-conf."
SYNCING = "Chain is still syncing, please wait until chain is synced\n"


def _overall(successful: int, failed: int, detail: list) -> dict:
    total = successful + failed
    return {"overall": f"Successfully started {successful} fluxnodes, failed to start {failed}, total {total}",
            "detail": detail}  # fmt: skip


def deterministic_rpc(name: str):
    help_text = texts.start_deterministic_help(name)

    def handler(node, params):
        if not op.transactions_active(node):
            raise RPCError(RPC_MISC_ERROR, "deterministic fluxnodes transactions is not active yet")
        if params:
            get_str(params[0])
        if len(params) != 2:
            raise RPCError(RPC_MISC_ERROR, help_text)
        lock = get_str(params[1]) == "true"
        wallet = node_wallet(node)
        ensure_unlocked(wallet)
        return start_alias(node, wallet, get_str(params[0]), lock)

    return handler, help_text


def start_alias(node, wallet, alias: str, lock: bool) -> dict:
    status = {"alias": alias}
    successful = failed = 0
    fluxnodes = _fluxnode_list(node)
    entry = next((entry for entry in node.fluxnode.entries if entry.alias == alias), None)
    if entry is not None:
        reason = op.tracker_reason(node, fluxnodes, op.entry_outpoint(entry))
        if reason is not None:
            return {"result": "failed", "reason": reason}
        try:
            tx = op.build_entry_start(node, wallet, entry)
        except StartError as exc:
            status.update({"result": "failed", "errorMessage": exc.message})
            failed += 1
        else:
            status["result"] = "successful"
            op.commit_start(node, wallet, tx)  # C++ counts it started whatever CommitTransaction answers
            successful += 1
    else:
        failed += 1
        status.update({"result": "failed", "error": NOT_FOUND})
    op.lock_after(wallet, lock)
    return _overall(successful, failed, [status])


def start_rpc(name: str):
    help_text = texts.start_help(name)

    def handler(node, params):
        command = get_str(params[0]) if params else ""
        if not op.transactions_active(node):
            return None
        if not 2 <= len(params) <= 3 or (len(params) == 2 and command != "all") or (len(params) == 3 and command != "alias"):
            raise RPCError(RPC_MISC_ERROR, help_text)
        if node.chainstate.is_initial_block_download():
            raise RPCError(RPC_MISC_ERROR, SYNCING)
        lock = get_str(params[1]) == "true"
        wallet = node_wallet(node)
        ensure_unlocked(wallet)
        alias = get_str(params[2]) if len(params) == 3 else None
        return start_many(node, wallet, alias, lock)

    return handler, help_text


def _short_outpoint(outpoint) -> str:
    """COutPoint::ToString: the first 10 hex digits of the txid."""
    return f"COutPoint({outpoint.txid_hum[:10]}, {outpoint.n})"


def start_many(node, wallet, alias: str | None, lock: bool):
    fluxnodes = _fluxnode_list(node)
    found, counts, results = False, [0, 0], []
    for entry in node.fluxnode.entries:
        if alias is not None and entry.alias != alias:
            continue
        found = alias is not None
        outpoint = op.entry_outpoint(entry)
        result = {"outpoint": _short_outpoint(outpoint), "alias": entry.alias}
        reason = op.tracker_reason(node, fluxnodes, outpoint)
        if reason is not None:
            results.append({**result, "result": "failed", "reason": reason})
            if alias is not None:
                return results
            continue
        results.append(_start_one(node, wallet, entry, result, counts))
        if found:
            break
    if alias is not None and not found:
        counts[1] += 1
        results.append({"result": "failed", "error": NOT_FOUND_LIST_CONF})
    op.lock_after(wallet, lock)
    return _overall(counts[0], counts[1], results)


def _start_one(node, wallet, entry, result: dict, counts: list[int]) -> dict:
    try:
        tx = op.build_entry_start(node, wallet, entry)
    except StartError as exc:
        counts[1] += 1
        return {**result, "transaction_built": "failed", "errorMessage": exc.message}
    result["transaction_built"] = "successful"
    reason = op.commit_start(node, wallet, tx)
    result["transaction_commited"] = "failed" if reason else "successful"
    counts[1 if reason else 0] += 1
    return {**result, "transaction_signed": "successful", "errorMessage": reason}


def register(table: RPCTable) -> None:
    factories = (
        (op.createkey_rpc, ("createzelnodekey", "createfluxnodekey")),
        (op.outputs_rpc, ("getzelnodeoutputs", "getfluxnodeoutputs")),
        (op.status_rpc, ("getzelnodestatus", "getfluxnodestatus")),
        (op.listconf_rpc, ("listzelnodeconf", "listfluxnodeconf")),
        (start_rpc, ("startzelnode", "startfluxnode")),
        (deterministic_rpc, ("startdeterministiczelnode", "startdeterministicfluxnode")),
    )
    for factory, names in factories:
        for name in names:
            handler, help_text = factory(name)
            handler.__name__ = f"rpc_{name}"
            table.register(name, "fluxnode", handler, help_text)
