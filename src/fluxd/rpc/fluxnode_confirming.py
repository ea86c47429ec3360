"""A fluxnode's CONFIRM from start to relay, shared by the active-fluxnode manager (node/fluxnode_service.py)
and createconfirmationtransaction: built and signed with the operator key (wallet/fluxnode_confirm.py), signed
by the benchmark daemon (C++ GetBenchmarkSignedTransaction), then committed through the wallet.
"""

from __future__ import annotations

from fluxd.consensus.fluxnode_sigs import check_benchmark_signature
from fluxd.core.fluxnode_tx import FluxnodeConfirm
from fluxd.core.transaction import Transaction
from fluxd.rpc.benchmark_client import BenchmarkClient, BenchmarkError
from fluxd.wallet.fluxnode_confirm import build_confirm, record_tx_version, sign_confirm
from fluxd.wallet.wallet_tx import WalletTx


def operator_signed_confirm(context, record, update_type: int) -> Transaction:
    """BuildDeterministicConfirmTx + SignDeterministicConfirmTx for the active fluxnode (ConfirmError)."""
    active = context.fluxnode
    unsigned = build_confirm(active.outpoint, update_type, record_tx_version(record))
    return sign_confirm(unsigned, record, active.privkey, context.params, context.clock.now())


def benchmark_signed(client: BenchmarkClient, params, tx: Transaction) -> Transaction:
    """GetBenchmarkSignedTransaction: the daemon's answer decoded and its benchmark signature checked."""
    answer = client.sign_confirm(tx.to_bytes().hex())
    try:
        signed = Transaction.from_hex(answer)
    except (ValueError, EOFError, IndexError):
        raise BenchmarkError("Failed to decode fluxnode broadcast") from None
    if not isinstance(signed.fluxnode, FluxnodeConfirm) or not check_benchmark_signature(params, signed.fluxnode):
        raise BenchmarkError("Failed to verify benchmarked signature")
    return signed


def commit_confirm(context, tx: Transaction) -> bool:
    """CWallet::CommitTransaction: in the wallet, then into the mempool and relayed; False when refused."""
    wallet = context.wallet
    if wallet is not None:
        with wallet.lock:
            wallet.add_to_wallet(WalletTx(tx, from_me=True))
        if not wallet.broadcast_transactions:
            return True
    submitter = context.mempool_service
    if submitter is None:
        return False
    try:
        submitter.submit(tx, limit_free=False)
    except Exception:  # noqa: BLE001 - CommitTransaction reports only that it failed; the reason is logged by the pool
        return False
    submitter.relay(tx)
    return True
