"""createconfirmationtransaction (C++ rpc/fluxnode.cpp, hidden): an UPDATE confirm of the active fluxnode built,
signed by the operator key and the benchmark daemon, and sent (FluxOS calls it when its node needs confirming)."""

from __future__ import annotations

from fluxd.core.fluxnode_tx import CONFIRM_UPDATE
from fluxd.rpc.benchmark_client import BenchmarkError
from fluxd.rpc.errors import RPC_INVALID_REQUEST, RPC_MISC_ERROR, RPC_VERIFY_ERROR, RPCError
from fluxd.rpc.fluxnode_confirming import benchmark_signed, commit_confirm, operator_signed_confirm
from fluxd.rpc.methods.benchmarks import benchmark_client
from fluxd.rpc.methods.fluxnode_operator_help import _examples
from fluxd.rpc.methods.fluxnodes import _fluxnode_list
from fluxd.rpc.registry import RPCTable
from fluxd.wallet.fluxnode_confirm import ConfirmError

NAME = "createconfirmationtransaction"
HELP = (
    f"{NAME}\n"
    "\nCreate a new confirmation transaction, tries to get fluxbench to sign it. Broadcasts it.\n"
    "\nResult:\n"
    '    "status": "xxxx",    (string) "Successfully Sent" or "Fail to send"\n'
    '    "txid": "xxxx",    (string) "Transaction hash"\n'
    '    "raw": "xxxx",    (string) "Raw transaction hex"\n' + _examples(NAME)
)


def rpc_createconfirmationtransaction(node, params):
    if params:
        raise RPCError(RPC_MISC_ERROR, HELP)
    active = node.fluxnode
    if not active.enabled:
        raise RPCError(RPC_INVALID_REQUEST, "This is not a Flux Node")
    record = _fluxnode_list(node).get(active.outpoint)
    try:
        tx = operator_signed_confirm(node, record, CONFIRM_UPDATE)
    except ConfirmError as exc:
        raise RPCError(RPC_VERIFY_ERROR, f"Failed to sign new confirmation transaction: {exc.reported}\n") from None
    try:
        signed = benchmark_signed(benchmark_client(node), node.params, tx)
    except BenchmarkError as exc:
        raise RPCError(RPC_VERIFY_ERROR, f"Benchmark failed to sign new confirmation transaction: {exc}\n") from None
    if node.wallet_service is not None:
        node.wallet_service.sync()
    sent = commit_confirm(node, signed)
    return {"status": "Successfully Sent" if sent else "Fail to send", "txid": signed.txid_hum,
            "raw": signed.to_bytes().hex()}  # fmt: skip


def register(table: RPCTable) -> None:
    table.register(NAME, "hidden", rpc_createconfirmationtransaction, HELP)
