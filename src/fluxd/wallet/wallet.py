"""The wallet (C++ CWallet): keys, key pool, address book, the transactions that touch it.

One ``Wallet`` owns one wallet file.  Every method takes ``self.lock`` (C++
cs_wallet); changes are written to the file in one transaction each, and the
in-memory state is changed only after that transaction committed, so an error
(or a kill -9) leaves file and memory agreeing.  Chain and mempool events reach
it through ``WalletService`` on its own thread, never on the chain writer.
Balances, coins and history are computed in ``balances.py`` / ``history.py``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fluxd.core.address import Destination, encode_destination
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint
from fluxd.wallet import key_loading
from fluxd.wallet.chain_access import ChainAccess, depth_in_main_chain
from fluxd.wallet.ismine import ISMINE_ALL, ISMINE_NO, is_mine
from fluxd.wallet.key_store import WalletKeys
from fluxd.wallet.settings import WalletSettings
from fluxd.wallet.wallet_file import WalletFile
from fluxd.wallet.wallet_tx import WalletTx

log = logging.getLogger("fluxd.wallet")

DEFAULT_KEYPOOL_SIZE = 100
WALLET_VERSION = 60000  # C++ FEATURE_LATEST (compressed public keys)
SMART_TIME_TOLERANCE = 300


class WalletError(Exception):
    """A wallet operation that cannot be done; ``code`` is the C++ RPC error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Wallet:
    def __init__(self, file: WalletFile, params, chain: ChainAccess, keypool_size: int = DEFAULT_KEYPOOL_SIZE) -> None:
        self.file = file
        self.params = params
        self.chain = chain
        self.keypool_size = max(keypool_size, 0)
        self.lock = threading.RLock()
        self.keys = WalletKeys()
        self.pool: dict[int, tuple[bytes, int]] = {}  # key pool index -> (public key, time)
        self.address_book: dict[str, tuple[str, str]] = {}  # address -> (label, purpose)
        self.txs: dict[bytes, WalletTx] = {}
        self.spends: dict[OutPoint, set[bytes]] = {}  # C++ mapTxSpends
        self.locked_coins: set[OutPoint] = set()  # lockunspent (memory only, as C++)
        self.order_pos_next = 0
        self.account_entries: list = []  # move (C++ CAccountingEntry)
        self.unlocked_until = 0  # walletpassphrase's time limit (C++ nWalletUnlockTime)
        self.settings = WalletSettings()  # the wallet's options (wallet/settings.py)
        self.pay_tx_fee_per_kb = self.settings.fees.pay_tx_fee_per_kb  # settxfee / -paytxfee
        self.spend_zero_conf_change = True
        self.broadcast_transactions = True
        self.on_transaction: Callable[[str], None] | None = None  # -walletnotify (txid hex)
        self._load()

    @property
    def prefixes(self):
        return self.params.base58

    # loading
    def _load(self) -> None:
        key_loading.load_keys(self)
        self.pool = {index: (pubkey, created) for index, pubkey, created in self.file.pool()}
        self.address_book = {address: (label, purpose) for address, label, purpose in self.file.names()}
        for row in self.file.txs():
            wtx = WalletTx.from_row(row)
            self.txs[wtx.txid_rev] = wtx
            self._add_to_spends(wtx)
            self.order_pos_next = max(self.order_pos_next, wtx.order_pos + 1)
        self.account_entries = self.file.account_entries()
        for entry in self.account_entries:
            self.order_pos_next = max(self.order_pos_next, entry.order_pos + 1)
        stored = self.file.get_meta("order_pos_next")
        if stored is not None:
            self.order_pos_next = max(self.order_pos_next, int(stored))

    @property
    def is_new(self) -> bool:
        return not self.keys.pubkeys and not self.pool

    def first_run(self) -> None:
        """A new wallet: a key pool and a default key (C++ LoadWallet fFirstRun)."""
        with self.lock, self.file.transaction():
            self.top_up_keypool()
            default = self.get_key_from_pool()
            if default is not None:
                self.file.put_meta("default_key", default)
                self.set_address_book(self.address_of_key(default), "", "receive")

    # keys
    def address_of_key(self, pubkey: bytes) -> str:
        return encode_destination(Destination("pubkeyhash", hash160(pubkey)), self.prefixes)

    def address_of(self, destination: Destination) -> str:
        return encode_destination(destination, self.prefixes)

    def generate_key(self) -> bytes:
        """GenerateNewKey: a compressed key, written (crypted when the wallet is encrypted)."""
        with self.lock:
            if self.keys.locked:
                raise WalletError(-13, "Error: Please enter the wallet passphrase with walletpassphrase first.")
            return self.add_key(PrivateKey.generate(compressed=True), self.chain.now())

    def add_key(self, key: PrivateKey, created: int) -> bytes:
        """AddKeyPubKey: store a private key (crypted when the wallet is encrypted)."""
        with self.lock:
            pubkey = key.pubkey
            row = key_loading.key_row(self, key, created)
            self.file.put_key(row)
            key_loading.remember_key(self, row, key)
            return pubkey

    def have_key(self, key_id: bytes) -> bool:
        return self.keys.have_key(key_id)

    def top_up_keypool(self, size: int = 0) -> bool:
        """TopUpKeyPool: fill the pool to ``size`` (-keypool when 0) plus one; False while locked."""
        with self.lock:
            if self.keys.locked:
                return False
            target = (size if size > 0 else self.keypool_size) + 1
            with self.file.transaction():
                added = {}
                while len(self.pool) + len(added) < target:
                    index = max([*self.pool, *added], default=0) + 1
                    pubkey = self.generate_key()
                    self.file.put_pool(index, pubkey, self.chain.now())
                    added[index] = (pubkey, self.chain.now())
            self.pool.update(added)
            if added:
                log.debug("keypool added %d keys, size=%d", len(added), len(self.pool))
            return True

    def new_keypool(self) -> bool:
        """NewKeyPool (after encryptwallet): the old pool entries dropped, a new pool written."""
        with self.lock, self.file.transaction():
            for index in list(self.pool):
                self.file.erase_pool(index)
            self.pool.clear()
            if self.keys.locked:
                return False
            for index in range(1, self.keypool_size + 1):
                pubkey = self.generate_key()
                self.file.put_pool(index, pubkey, self.chain.now())
                self.pool[index] = (pubkey, self.chain.now())
            return True

    def reserve_key(self) -> tuple[int, bytes | None]:
        """ReserveKeyFromKeyPool: the oldest pool key, taken out of the pool in memory (-1 when empty)."""
        with self.lock:
            if not self.keys.locked:
                self.top_up_keypool()
            if not self.pool:
                return -1, None
            index = min(self.pool)
            pubkey, _ = self.pool.pop(index)
            return index, pubkey

    def keep_key(self, index: int) -> None:
        with self.lock:
            if index >= 0:
                self.file.erase_pool(index)

    def return_key(self, index: int, pubkey: bytes) -> None:
        with self.lock:
            if index >= 0:
                self.pool[index] = (pubkey, self.chain.now())

    def get_key_from_pool(self) -> bytes | None:
        """GetKeyFromPool: a pool key kept, or a new key when the pool is empty; None when locked and empty."""
        with self.lock:
            index, pubkey = self.reserve_key()
            if index == -1:
                return None if self.keys.locked else self.generate_key()
            self.keep_key(index)
            return pubkey

    def oldest_keypool_time(self) -> int:
        with self.lock:
            if not self.keys.locked:
                self.top_up_keypool()
            if not self.pool:
                return self.chain.now()
            return self.pool[min(self.pool)][1]

    def new_address(self, label: str = "", purpose: str = "receive") -> str:
        """getnewaddress: a pool key, in the address book."""
        with self.lock:
            if not self.keys.locked:
                self.top_up_keypool()
            pubkey = self.get_key_from_pool()
            if pubkey is None:
                raise WalletError(-12, "Error: Keypool ran out, please call keypoolrefill first")
            address = self.address_of_key(pubkey)
            self.set_address_book(address, label, purpose)
            return address

    def set_address_book(self, address: str, label: str, purpose: str) -> None:
        with self.lock:
            self.file.put_name(address, label, purpose)
            self.address_book[address] = (label, purpose)

    # scripts
    def add_script(self, script: bytes) -> bytes:
        with self.lock:
            script_id = hash160(script)
            self.file.put_script(script_id, script)
            self.keys.scripts[script_id] = script
            return script_id

    def add_watch_only(self, script_pubkey: bytes) -> None:
        with self.lock:
            self.file.put_watch_only(script_pubkey, 0)
            self.keys.watch_only.add(script_pubkey)

    def is_mine(self, script_pubkey: bytes) -> int:
        return is_mine(self.keys, script_pubkey)

    # transactions
    def depth(self, wtx: WalletTx) -> int:
        return depth_in_main_chain(self.chain, wtx)

    def is_spent(self, txid_rev: bytes, index: int) -> bool:
        """IsSpent: a wallet transaction spending it is in the chain or the mempool (depth >= 0)."""
        for spender in self.spends.get(OutPoint(txid_rev, index), ()):
            wtx = self.txs.get(spender)
            if wtx is not None and self.depth(wtx) >= 0:
                return True
        return False

    def conflicts(self, wtx: WalletTx) -> set[bytes]:
        """GetConflicts: other wallet transactions spending one of its inputs."""
        found: set[bytes] = set()
        if wtx.is_coinbase:
            return found
        for txin in wtx.tx.vin:
            found |= self.spends.get(txin.prevout, set())
        found.discard(wtx.txid_rev)
        return found

    def debit(self, tx: Transaction, filter_: int = ISMINE_ALL) -> int:
        """GetDebit: the wallet's value spent by the transaction's inputs."""
        total = 0
        if tx.is_coinbase():
            return 0
        for txin in tx.vin:
            prev = self.txs.get(txin.prevout.txid_rev)
            if prev is not None and txin.prevout.n < len(prev.tx.vout):
                out = prev.tx.vout[txin.prevout.n]
                if self.is_mine(out.script_pubkey) & filter_:
                    total += out.value
        return total

    def is_from_me(self, tx: Transaction) -> bool:
        return self.debit(tx) > 0

    def involves_me(self, tx: Transaction) -> bool:
        return any(self.is_mine(out.script_pubkey) != ISMINE_NO for out in tx.vout) or self.is_from_me(tx)

    def sync_transaction(self, tx: Transaction, block_hash_rev: bytes | None = None, block_index: int = -1) -> bool:
        """AddToWalletIfInvolvingMe with fUpdate: record or update a transaction that touches the wallet."""
        with self.lock:
            if tx.txid_rev not in self.txs and not self.involves_me(tx):
                return False
            wtx = WalletTx(tx, block_hash_rev, block_index if block_hash_rev is not None else -1)
            return self.add_to_wallet(wtx)

    def add_to_wallet(self, wtx_in: WalletTx) -> bool:
        """AddToWallet: insert (time received, order, smart time) or merge the block and from-me flag."""
        with self.lock:
            existing = self.txs.get(wtx_in.txid_rev)
            if existing is None:
                wtx = self._new_entry(wtx_in)
                changed = True
            else:
                wtx, changed = self._merged(existing, wtx_in)
            if changed:
                with self.file.transaction():
                    self.file.put_tx(wtx.to_row())
                    self.file.put_meta("order_pos_next", str(self.order_pos_next).encode())
                self.txs[wtx.txid_rev] = wtx
                self._add_to_spends(wtx)
                log.info("AddToWallet %s  %s%s", wtx.txid_hum, "new" if existing is None else "", "" if existing is None else "update")
                if self.on_transaction is not None:
                    self.on_transaction(wtx.txid_hum)
            return True

    def _new_entry(self, wtx_in: WalletTx) -> WalletTx:
        now = self.chain.now()
        wtx = WalletTx(
            wtx_in.tx, wtx_in.block_hash_rev, wtx_in.block_index, now, now, self.order_pos_next,
            wtx_in.from_me, dict(wtx_in.map_value),
        )
        self.order_pos_next += 1
        if wtx.block_hash_rev is not None:
            block_time = self.chain.block_time(wtx.block_hash_rev)
            if block_time is not None:
                latest_now, latest_entry = self._latest_entry_time(now)
                wtx.time_smart = max(latest_entry, min(block_time, latest_now))
        return wtx

    def _latest_entry_time(self, now: int) -> tuple[int, int]:
        """The newest wallet entry's time no more than 5 minutes ahead (C++ nTimeSmart)."""
        for other in sorted(self.txs.values(), key=lambda item: item.order_pos, reverse=True):
            smart = other.time_smart or other.time_received
            if smart <= now + SMART_TIME_TOLERANCE:
                return max(now, smart), smart
        return now, 0

    def _merged(self, existing: WalletTx, wtx_in: WalletTx) -> tuple[WalletTx, bool]:
        changed = False
        wtx = WalletTx(
            existing.tx, existing.block_hash_rev, existing.block_index, existing.time_received, existing.time_smart,
            existing.order_pos, existing.from_me, dict(existing.map_value),
        )
        if wtx_in.block_hash_rev is not None and wtx_in.block_hash_rev != wtx.block_hash_rev:
            wtx.block_hash_rev, changed = wtx_in.block_hash_rev, True
        if wtx_in.block_index != -1 and wtx_in.block_index != wtx.block_index:
            wtx.block_index, changed = wtx_in.block_index, True
        if wtx_in.from_me and not wtx.from_me:
            wtx.from_me, changed = True, True
        return wtx, changed

    def _add_to_spends(self, wtx: WalletTx) -> None:
        if wtx.is_coinbase:
            return
        for txin in wtx.tx.vin:
            self.spends.setdefault(txin.prevout, set()).add(wtx.txid_rev)

    def erase_transactions(self) -> list[WalletTx]:
        """-zapwallettxes: every transaction record dropped (rescanned afterwards)."""
        with self.lock:
            removed = list(self.txs.values())
            self.file.erase_all_txs()
            self.txs.clear()
            self.spends.clear()
            return removed

    def account_moves(self, account: str) -> int:
        """GetAccountCreditDebit: the sum of the account's move entries."""
        with self.lock:
            return sum(entry.amount for entry in self.account_entries if entry.account == account)

    # best block
    def best_block(self) -> bytes | None:
        return self.file.get_meta("best_block")

    def set_best_block(self, block_hash_rev: bytes) -> None:
        self.file.put_meta("best_block", block_hash_rev)
