"""The wallet file: one SQLite database in the data directory, every change one atomic transaction.

C++ keeps its wallet in a Berkeley DB file (walletdb.cpp); this node keeps the
same records as SQLite tables (``-wallet=<file>``, default ``wallet.dat``
beside the chain).  A change (a new key, a block's transactions and the best
block) is written inside ``transaction()``: either all of it reaches the disk
or none of it (WAL journal, synchronous=FULL), so a kill -9 never leaves half
a change.  A C++ wallet file is never opened here: it is not SQLite, and
loading one fails with a message pointing at ``-importwallet-dat``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FORMAT_VERSION = 1
BDB_MAGIC_OFFSET = 12
BDB_BTREE_MAGICS = (b"\x62\x31\x05\x00", b"\x00\x05\x31\x62")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    key_id BLOB PRIMARY KEY, pubkey BLOB NOT NULL, secret BLOB, crypted BLOB, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pool (idx INTEGER PRIMARY KEY, pubkey BLOB NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS address_book (address TEXT PRIMARY KEY, label TEXT NOT NULL, purpose TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scripts (script_id BLOB PRIMARY KEY, script BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS watch_only (script BLOB PRIMARY KEY, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, pubkey BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS account_entries (
    order_pos INTEGER PRIMARY KEY, account TEXT NOT NULL, amount INTEGER NOT NULL, time INTEGER NOT NULL,
    other_account TEXT NOT NULL, comment TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions (
    txid_rev BLOB PRIMARY KEY, raw BLOB NOT NULL, block_hash_rev BLOB, block_index INTEGER NOT NULL,
    time_received INTEGER NOT NULL, time_smart INTEGER NOT NULL, order_pos INTEGER NOT NULL,
    from_me INTEGER NOT NULL, map_value TEXT NOT NULL);
"""


class WalletFileError(Exception):
    """The wallet file cannot be used; the text is for the operator (C++ init error wording)."""


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: bytes
    pubkey: bytes
    secret: bytes | None
    crypted: bytes | None
    created: int


@dataclass(frozen=True, slots=True)
class TxRow:
    txid_rev: bytes
    raw: bytes
    block_hash_rev: bytes | None
    block_index: int
    time_received: int
    time_smart: int
    order_pos: int
    from_me: bool
    map_value: dict


@dataclass(frozen=True, slots=True)
class AccountEntry:
    """C++ CAccountingEntry (a ``move`` between accounts): one side of it."""

    order_pos: int
    account: str
    amount: int
    time: int
    other_account: str
    comment: str


class WalletFile:
    def __init__(self, path: Path, network: str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        _refuse_foreign_file(self.path)
        try:
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA secure_delete=ON")  # replaced plain keys are overwritten, not left in free pages
            self.conn.executescript(SCHEMA)
            self._check_format(network)
        except sqlite3.DatabaseError as exc:
            raise WalletFileError(f"Error loading {self.path.name}: Wallet corrupted ({exc})") from None

    def _check_format(self, network: str) -> None:
        version = self.get_meta("format_version")
        if version is None:
            with self.transaction():
                self.put_meta("format_version", str(FORMAT_VERSION).encode())
                self.put_meta("network", network.encode())
            return
        if int(version) > FORMAT_VERSION:
            raise WalletFileError(f"Error loading {self.path.name}: Wallet requires newer version of fluxd")
        stored = self.get_meta("network")
        if stored is not None and stored.decode() != network:
            raise WalletFileError(
                f"Error loading {self.path.name}: the wallet belongs to network '{stored.decode()}', not '{network}'"
            )

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator["WalletFile"]:
        """One atomic change; nested uses join the outer transaction."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")

    def _write(self, sql: str, args: tuple = ()) -> None:
        with self.transaction():
            self.conn.execute(sql, args)

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    # meta
    def get_meta(self, name: str) -> bytes | None:
        rows = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
        return bytes(rows[0][0]) if rows else None

    def put_meta(self, name: str, value: bytes) -> None:
        self._write("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def delete_meta(self, name: str) -> None:
        self._write("DELETE FROM meta WHERE name = ?", (name,))

    def meta_with_prefix(self, prefix: str) -> dict[str, bytes]:
        rows = self._rows("SELECT name, value FROM meta WHERE substr(name, 1, ?) = ?", (len(prefix), prefix))
        return {name: bytes(value) for name, value in rows}

    # keys
    def put_key(self, row: KeyRow) -> None:
        self._write(
            "INSERT OR REPLACE INTO keys (key_id, pubkey, secret, crypted, created) VALUES (?, ?, ?, ?, ?)",
            (row.key_id, row.pubkey, row.secret, row.crypted, row.created),
        )

    def keys(self) -> list[KeyRow]:
        rows = self._rows("SELECT key_id, pubkey, secret, crypted, created FROM keys")
        return [KeyRow(bytes(k), bytes(p), _opt(s), _opt(c), t) for k, p, s, c, t in rows]

    # key pool
    def put_pool(self, index: int, pubkey: bytes, created: int) -> None:
        self._write("INSERT OR REPLACE INTO pool (idx, pubkey, created) VALUES (?, ?, ?)", (index, pubkey, created))

    def erase_pool(self, index: int) -> None:
        self._write("DELETE FROM pool WHERE idx = ?", (index,))

    def pool(self) -> list[tuple[int, bytes, int]]:
        return [(i, bytes(p), t) for i, p, t in self._rows("SELECT idx, pubkey, created FROM pool ORDER BY idx")]

    # address book, accounts
    def put_name(self, address: str, label: str, purpose: str) -> None:
        self._write(
            "INSERT OR REPLACE INTO address_book (address, label, purpose) VALUES (?, ?, ?)", (address, label, purpose)
        )

    def erase_name(self, address: str) -> None:
        self._write("DELETE FROM address_book WHERE address = ?", (address,))

    def names(self) -> list[tuple[str, str, str]]:
        return self._rows("SELECT address, label, purpose FROM address_book")

    def put_account(self, name: str, pubkey: bytes) -> None:
        self._write("INSERT OR REPLACE INTO accounts (name, pubkey) VALUES (?, ?)", (name, pubkey))

    def account(self, name: str) -> bytes | None:
        rows = self._rows("SELECT pubkey FROM accounts WHERE name = ?", (name,))
        return bytes(rows[0][0]) if rows else None

    # scripts
    def put_script(self, script_id: bytes, script: bytes) -> None:
        self._write("INSERT OR REPLACE INTO scripts (script_id, script) VALUES (?, ?)", (script_id, script))

    def scripts(self) -> list[tuple[bytes, bytes]]:
        return [(bytes(i), bytes(s)) for i, s in self._rows("SELECT script_id, script FROM scripts")]

    def put_watch_only(self, script: bytes, created: int) -> None:
        self._write("INSERT OR REPLACE INTO watch_only (script, created) VALUES (?, ?)", (script, created))

    def watch_only(self) -> list[tuple[bytes, int]]:
        return [(bytes(s), t) for s, t in self._rows("SELECT script, created FROM watch_only")]

    # transactions
    def put_tx(self, row: TxRow) -> None:
        self._write(
            "INSERT OR REPLACE INTO transactions (txid_rev, raw, block_hash_rev, block_index, time_received,"
            " time_smart, order_pos, from_me, map_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.txid_rev, row.raw, row.block_hash_rev, row.block_index, row.time_received,
                row.time_smart, row.order_pos, int(row.from_me), json.dumps(row.map_value),
            ),
        )

    def erase_tx(self, txid_rev: bytes) -> None:
        self._write("DELETE FROM transactions WHERE txid_rev = ?", (txid_rev,))

    def erase_all_txs(self) -> None:
        self._write("DELETE FROM transactions")

    def txs(self) -> list[TxRow]:
        rows = self._rows(
            "SELECT txid_rev, raw, block_hash_rev, block_index, time_received, time_smart, order_pos, from_me,"
            " map_value FROM transactions ORDER BY order_pos"
        )
        return [
            TxRow(bytes(t), bytes(r), _opt(b), i, tr, ts, o, bool(f), json.loads(m)) for t, r, b, i, tr, ts, o, f, m in rows
        ]

    # accounting entries (move)
    def put_account_entry(self, entry: "AccountEntry") -> None:
        self._write(
            "INSERT OR REPLACE INTO account_entries (order_pos, account, amount, time, other_account, comment)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (entry.order_pos, entry.account, entry.amount, entry.time, entry.other_account, entry.comment),
        )

    def account_entries(self) -> list["AccountEntry"]:
        rows = self._rows("SELECT order_pos, account, amount, time, other_account, comment FROM account_entries ORDER BY order_pos")
        return [AccountEntry(*row) for row in rows]

    def compact(self) -> None:
        """After encryption (C++ CDB::Rewrite): no old page or journal frame keeps a plain key."""
        with self._lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup_to(self, destination: Path) -> None:
        """backupwallet: a consistent copy (SQLite's online backup) at ``destination``."""
        with self._lock:
            target = sqlite3.connect(str(destination))
            try:
                self.conn.backup(target)
            finally:
                target.close()


def _opt(value) -> bytes | None:
    return None if value is None else bytes(value)


def _refuse_foreign_file(path: Path) -> None:
    """A Berkeley DB wallet.dat of the C++ node is read by -importwallet-dat, never opened as ours."""
    if not path.exists() or path.stat().st_size < 16:
        return
    with path.open("rb") as handle:
        head = handle.read(16)
    if head[BDB_MAGIC_OFFSET:16] in BDB_BTREE_MAGICS:
        raise WalletFileError(
            f"Error loading {path.name}: this is a C++ fluxd (Berkeley DB) wallet; start with a new -wallet file and "
            f"import its keys with -importwallet-dat={path}"
        )
    if not head.startswith(b"SQLite format 3\x00"):
        raise WalletFileError(f"Error loading {path.name}: Wallet corrupted (not a wallet file)")
