"""The node context: every service and every piece of state that RPC handlers use, as typed fields.

One ``NodeContext`` is built at start-up (``node/app.py``) and handed to the
RPC server, the REST routes and the node services.  Each service field is set
once, by the node service that owns it, before RPC warm-up ends; ``None`` means
that service is not running (no P2P, no mempool), and handlers that need it
answer the C++ error for that case.  State RPC keeps between calls (the
getblocktemplate cache, the longpoll tip signal, ...) lives here too, created
with the context, so no handler hangs attributes on it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from fluxd.chainstate.chainstate import Chainstate
from fluxd.core.transaction import Transaction
from fluxd.mempool.fee_estimator import BlockPolicyEstimator
from fluxd.mempool.pool import Mempool
from fluxd.p2p.connman import ConnectionManager
from fluxd.params.chainparams import ChainParams
from fluxd.rpc.longpoll import TipSignal
from fluxd.rpc.metrics import NodeMetrics
from fluxd.rpc.registry import RPCTable
from fluxd.rpc.shutdown import ShutdownRequest
from fluxd.rpc.template_cache import TemplateCache
from fluxd.util.args import Args
from fluxd.util.clock import Clock
from fluxd.wallet.active_fluxnode import ActiveFluxnode
from fluxd.wallet.wallet import Wallet


class TxSubmitter(Protocol):
    """Mempool acceptance and relay as sendrawtransaction needs them (node/mempool_service.py)."""

    pool: Mempool

    def submit(self, tx: Transaction, limit_free: bool = False, reject_absurd_fee: bool = True) -> object: ...

    def relay(self, tx: Transaction) -> None: ...


class MinterState(Protocol):
    """What getmininginfo reads of the PoN minter (node/pon_minter.py)."""

    @property
    def running(self) -> bool: ...


class WalletRunner(Protocol):
    """What wallet RPCs need of the wallet service (node/wallet_service.py)."""

    def sync(self) -> None: ...

    def resend_before(self, before_time: int | None) -> list[str]: ...

    def resend_wallet_transactions(self, best_block_time: int) -> None: ...


@dataclass(eq=False)
class NodeContext:
    args: Args
    params: ChainParams
    net_dir: Path
    clock: Clock = field(default_factory=Clock)
    rpc_table: RPCTable = field(default_factory=RPCTable)
    shutdown: ShutdownRequest = field(default_factory=ShutdownRequest)
    start_time: int = 0  # set by run_node (uptime)
    loop: asyncio.AbstractEventLoop | None = None  # the event loop P2P runs on; set by run_node
    # services, each set once by its node service (None: not running)
    chainstate: Chainstate | None = None  # ChainService
    connman: ConnectionManager | None = None  # NetworkService
    mempool: Mempool | None = None  # MempoolService
    mempool_service: TxSubmitter | None = None  # MempoolService
    fee_estimator: BlockPolicyEstimator | None = None  # MempoolService
    wallet: Wallet | None = None  # WalletService (None: -disablewallet)
    wallet_service: WalletRunner | None = None  # WalletService
    fluxnode: ActiveFluxnode = field(default_factory=ActiveFluxnode)  # fluxnode.conf and -zelnode* (node/active_fluxnode.py)
    pon_minter: MinterState | None = None  # FluxnodeService (None: not a fluxnode)
    # state RPC keeps between calls
    template_cache: TemplateCache = field(default_factory=TemplateCache)  # getblocktemplate
    last_template_stats: tuple[int, int] = (0, 0)  # (size, transactions) of the last template, getmininginfo
    tip_signal: TipSignal = field(default_factory=TipSignal)  # longpoll waits on it
    metrics: NodeMetrics | None = None  # /metrics (rpc/metrics.py); set with the RPC server, before the services start

    def attach_tip_signal(self) -> None:
        """Tip changes wake longpoll waiters from now on.  Called once every service is up, so the signal
        is the chainstate's last listener: a woken waiter finds mempool and block sync past the block."""
        self.chainstate.listeners.append(self.tip_signal)

    def request_shutdown(self, reason: str) -> None:
        """Thread-safe: ask the main loop to stop (signals, RPC stop, fatal errors)."""
        self.shutdown.request(reason)

    @property
    def shutdown_requested(self) -> bool:
        return self.shutdown.requested
