"""The wallet as a node service: open or create the wallet file, follow the chain and mempool, rebroadcast.

Chain and mempool listeners only put events on a queue (the chain writer never
waits for the wallet); one wallet thread applies them: a connected block's
transactions that touch the wallet and the new best block are written in one
wallet-file transaction.  Wallet RPCs first wait until the events queued
before them are applied (``sync``), so ``generate`` then ``getbalance`` sees
the block, as it does in C++ where the signals are synchronous.
"""

from __future__ import annotations

import asyncio
import logging
import random
import shlex
import subprocess
import threading
import time
from pathlib import Path

from fluxd.mempool.accept import MempoolRejected
from fluxd.node.active_fluxnode import lock_conf_collaterals
from fluxd.node.startup import StartupError
from fluxd.node.wallet_events import WalletEventLog
from fluxd.rpc.context import NodeContext
from fluxd.wallet.chain_access import NodeChain
from fluxd.wallet.rescan import rescan_from, rescan_start
from fluxd.wallet.cxx_import import import_wallet_dat
from fluxd.wallet.cxx_wallet_records import DecryptionError
from fluxd.wallet.wallet import DEFAULT_KEYPOOL_SIZE, WALLET_VERSION, Wallet, WalletError
from fluxd.wallet.settings import WalletSettingsError, wallet_settings
from fluxd.wallet.wallet_file import WalletFile, WalletFileError

log = logging.getLogger("fluxd.wallet")
SYNC_TIMEOUT = 120.0
RESEND_MAX_DELAY = 30 * 60


class WalletStartError(StartupError):
    """The wallet cannot be opened (the node refuses to start, as C++ init does)."""


def wallet_path(context: NodeContext) -> Path:
    name = context.args.get("-wallet", "wallet.dat")
    if Path(name).name != name or name in ("", ".", ".."):
        raise WalletStartError(f"Wallet {name} resides outside data directory {context.net_dir}")
    return context.net_dir / name


class WalletService:
    warmup_text = "Loading wallet..."

    def __init__(self, context: NodeContext) -> None:
        self.context = context
        self.enabled = not context.args.get_bool("-disablewallet", False)
        self.wallet: Wallet | None = None
        self.events = WalletEventLog()
        self._thread: threading.Thread | None = None
        self._next_resend = 0
        self._last_resend = 0

    # ----- service ------------------------------------------------------------------------------
    async def start(self) -> None:
        if not self.enabled:
            log.info("Wallet disabled!")
            return
        await asyncio.get_running_loop().run_in_executor(None, self._open)

    def _open(self) -> None:
        context = self.context
        try:
            file = WalletFile(wallet_path(context), context.params.network_id)
        except WalletFileError as exc:
            raise WalletStartError(str(exc)) from None
        chain = NodeChain(context.chainstate, lambda: context.mempool, context.clock)
        wallet = Wallet(file, context.params, chain, context.args.get_int("-keypool", DEFAULT_KEYPOOL_SIZE))
        configure_wallet(wallet, context.args)
        if wallet.is_new:
            wallet.first_run()
            log.info("Wallet created: %s", file.path)
        if context.args.get_bool("-upgradewallet", False):
            log.info("-upgradewallet: the wallet is at the latest version (%d), nothing to upgrade", WALLET_VERSION)
        self.wallet = wallet
        lock_conf_collaterals(wallet, context.fluxnode)
        context.chainstate.listeners.append(self._on_chain)
        if context.mempool is not None:
            context.mempool.listeners.append(self._on_mempool)
        full_rescan = self._import_wallet_dat(wallet)
        self._rescan_at_start(wallet, full_rescan)
        self._thread = threading.Thread(target=self._run, name="wallet", daemon=True)
        self._thread.start()
        context.wallet = wallet
        context.wallet_service = self
        self._reaccept()

    def _import_wallet_dat(self, wallet: Wallet) -> bool:
        """-importwallet-dat=<path> (ours): a C++ wallet.dat's keys imported at start; True when any was new."""
        args = self.context.args
        if not args.is_set("-importwallet-dat"):
            return False
        path = Path(args.get("-importwallet-dat"))
        if not path.is_file():
            raise WalletStartError(f"Cannot open wallet file {path} (-importwallet-dat)")
        try:
            summary = import_wallet_dat(wallet, path)
        except DecryptionError as exc:
            raise WalletStartError(f"{exc}: use the importwalletdat RPC with its passphrase instead of -importwallet-dat") from None
        except WalletFileError as exc:
            raise WalletStartError(f"-importwallet-dat: {exc}") from None
        except WalletError as exc:
            raise WalletStartError(f"-importwallet-dat: {exc.message}") from None
        if summary.keys + summary.scripts + summary.watch_only:
            wallet.keys.whole_chain = True
            return True
        return False

    def _rescan_at_start(self, wallet: Wallet, full: bool = False) -> None:
        args, chainstate = self.context.args, self.context.chainstate
        zap = args.get_int("-zapwallettxes", 0)
        if zap:
            kept = {wtx.txid_rev: dict(wtx.map_value) for wtx in wallet.erase_transactions()} if zap == 1 else {}
            log.info("Zapped wallet transactions (-zapwallettxes=%d)", zap)
        start = rescan_start(wallet, chainstate.view(), full=full or args.get_bool("-rescan", False) or bool(zap))
        if start is not None:
            self.context.rpc_table.set_warmup("Rescanning...")
            rescan_from(wallet, chainstate, start)
        if zap == 1:
            restore_metadata(wallet, kept)
        for entry in list(self.context.mempool.entries.values()) if self.context.mempool is not None else []:
            wallet.sync_transaction(entry.tx)

    async def stop(self) -> None:
        if self.wallet is None:
            return
        chainstate = self.context.chainstate
        if self._on_chain in chainstate.listeners:
            chainstate.listeners.remove(self._on_chain)
        if self.context.mempool is not None and self._on_mempool in self.context.mempool.listeners:
            self.context.mempool.listeners.remove(self._on_mempool)
        self.events.close()
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 30)
        self.wallet.file.close()

    # ----- events -------------------------------------------------------------------------------
    def _on_chain(self, event: str, entry, block) -> None:
        self.events.put((event, entry, block))

    def _on_mempool(self, event: str, entry) -> None:
        if event == "added":
            self.events.put(("tx", None, entry.tx))

    def sync(self) -> None:
        """Wait until every event queued so far is applied (wallet RPCs call this first)."""
        if not self.events.wait_applied(SYNC_TIMEOUT):
            log.warning("wallet: events still pending after %.0f s", SYNC_TIMEOUT)

    def _run(self) -> None:
        while True:
            item = self.events.get()
            if item is None:
                return
            try:
                self._apply(*item)
            except Exception:
                log.exception("wallet: failed to apply a %s event", item[0])
            finally:
                self.events.applied()

    def _apply(self, event: str, entry, payload) -> None:
        wallet = self.wallet
        if event == "tx":
            wallet.sync_transaction(payload)
            return
        with wallet.lock, wallet.file.transaction():
            if event == "connect":
                for index, tx in enumerate(payload.transactions):
                    wallet.sync_transaction(tx, payload.hash_rev, index)
                wallet.set_best_block(entry.hash_rev)
            elif event == "disconnect" and entry.prev is not None:
                wallet.set_best_block(entry.prev.hash_rev)
        if event == "connect":
            self.resend_wallet_transactions(entry.time)

    # ----- broadcasting -------------------------------------------------------------------------
    def _reaccept(self) -> None:
        """ReacceptWalletTransactions: unconfirmed, not coinbase, not in the mempool: back into it, in wallet order."""
        wallet, submitter = self.wallet, self.context.mempool_service
        if not wallet.broadcast_transactions or submitter is None:
            return
        with wallet.lock:
            pending = sorted((w for w in wallet.txs.values() if not w.is_coinbase and wallet.depth(w) < 0), key=lambda w: w.order_pos)
        for wtx in pending:
            try:
                submitter.submit(wtx.tx, limit_free=False)
            except MempoolRejected as rejected:
                log.debug("wallet: %s not re-accepted (%s)", wtx.txid_hum, rejected.reason)

    def resend_wallet_transactions(self, best_block_time: int) -> None:
        """ResendWalletTransactions: now and then after a new block, relay unconfirmed ones 5 minutes older than it."""
        now = int(time.time())
        if now < self._next_resend or not self.wallet.broadcast_transactions:
            return
        first = self._next_resend == 0
        self._next_resend = now + random.randint(0, RESEND_MAX_DELAY)
        if first or best_block_time < self._last_resend:
            return
        self._last_resend = now
        relayed = self.resend_before(best_block_time - 5 * 60)
        if relayed:
            log.info("ResendWalletTransactions: rebroadcast %u unconfirmed transactions", len(relayed))

    def resend_before(self, before_time: int | None) -> list[str]:
        """The unconfirmed wallet transactions (received no later than ``before_time``) relayed again."""
        wallet, submitter = self.wallet, self.context.mempool_service
        if submitter is None:
            return []
        with wallet.lock:
            chosen = sorted(
                (w for w in wallet.txs.values() if before_time is None or w.time_received <= before_time),
                key=lambda w: w.time_received,
            )
            chosen = [w for w in chosen if not w.is_coinbase and wallet.depth(w) == 0]
        for wtx in chosen:
            submitter.relay(wtx.tx)
        return [wtx.txid_hum for wtx in chosen]


def configure_wallet(wallet: Wallet, args) -> None:
    """The wallet options (fees, confirm target, expiry, -spendzeroconfchange, -walletbroadcast), -walletnotify."""
    try:
        settings = wallet_settings(args)
    except WalletSettingsError as exc:
        raise WalletStartError(str(exc)) from None
    wallet.settings = settings
    wallet.pay_tx_fee_per_kb = settings.fees.pay_tx_fee_per_kb
    wallet.spend_zero_conf_change = settings.spend_zero_conf_change
    wallet.broadcast_transactions = settings.broadcast
    command = args.get("-walletnotify", "")
    if command:
        wallet.on_transaction = lambda txid_hum: _run_notify(command.replace("%s", txid_hum))


def _run_notify(command: str) -> None:
    """C++ runCommand on a detached thread: the shell runs it, its failure is only logged."""

    def run() -> None:
        result = subprocess.run(command, shell=True, check=False)  # noqa: S602 - the operator's own command line
        if result.returncode != 0:
            log.warning("runCommand error: system(%s) returned %d", shlex.quote(command), result.returncode)

    threading.Thread(target=run, name="walletnotify", daemon=True).start()


def restore_metadata(wallet: Wallet, kept: dict[bytes, dict]) -> None:
    """-zapwallettxes=1: comments and other metadata back on the transactions the rescan found again."""
    with wallet.lock, wallet.file.transaction():
        for txid_rev, values in kept.items():
            wtx = wallet.txs.get(txid_rev)
            if wtx is not None and values:
                wtx.map_value.update(values)
                wallet.file.put_tx(wtx.to_row())



