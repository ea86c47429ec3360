"""A real Wallet (SQLite file in a temporary directory) on a small fake chain, for calling wallet RPC handlers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

from fluxd.core.address import Destination
from fluxd.core.hashes import hash160
from fluxd.core.transaction import NULL_OUTPOINT, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks
from fluxd.util.args import parse_parameters
from fluxd.wallet.wallet import Wallet
from fluxd.wallet.wallet_file import WalletFile

PARAMS = networks.regtest_params()
GENESIS_TIME = 1_600_000_000
BLOCK_SPACING = 600


@dataclass(eq=False)
class Entry:
    height: int
    time: int
    prev: "Entry | None"
    transactions: list
    hash_rev: bytes = b""

    def __post_init__(self) -> None:
        self.hash_rev = hashlib.sha256(b"block%d" % self.height).digest()

    @property
    def hash_hum(self) -> str:
        return self.hash_rev[::-1].hex()


@dataclass
class FakeChain:
    """The active chain (chainstate + view + the wallet's ChainAccess in one object)."""

    entries: list = field(default_factory=list)
    clock: int = GENESIS_TIME + 10_000
    mempool_txids: set = field(default_factory=set)

    def add_block(self, transactions: list) -> Entry:
        prev = self.entries[-1] if self.entries else None
        entry = Entry(len(self.entries), GENESIS_TIME + BLOCK_SPACING * len(self.entries), prev, transactions)
        self.entries.append(entry)
        return entry

    # chainstate
    def view(self):
        return self

    def read_block(self, entry):
        return SimpleNamespace(transactions=entry.transactions, hash_rev=entry.hash_rev)

    def get_coin(self, outpoint):
        for entry in self.entries:
            for tx in entry.transactions:
                if tx.txid_rev == outpoint.txid_rev and outpoint.n < len(tx.vout):
                    out = tx.vout[outpoint.n]
                    return SimpleNamespace(script_pubkey=out.script_pubkey, value=out.value)
        return None

    # view
    @property
    def height(self) -> int:
        return len(self.entries) - 1

    @property
    def tip(self):
        return self.entries[-1]

    def at(self, height: int):
        return self.entries[height] if 0 <= height < len(self.entries) else None

    def lookup(self, hash_rev: bytes):
        return next((entry for entry in self.entries if entry.hash_rev == hash_rev), None)

    def contains(self, entry) -> bool:
        return entry in self.entries

    # ChainAccess
    def tip_height(self) -> int:
        return self.height

    def block_height(self, block_hash_rev: bytes):
        entry = self.lookup(block_hash_rev)
        return None if entry is None else entry.height

    def block_time(self, block_hash_rev: bytes):
        entry = self.lookup(block_hash_rev)
        return None if entry is None else entry.time

    def in_mempool(self, txid_rev: bytes) -> bool:
        return txid_rev in self.mempool_txids

    def now(self) -> int:
        return self.clock


def coinbase_to(script_pubkey: bytes, value: int, tag: int) -> Transaction:
    return Transaction(vin=(TxIn(OutPoint(*NULL_OUTPOINT), bytes([1, tag]), 0xFFFFFFFF),), vout=(TxOut(value, script_pubkey),))


def p2pkh(pubkey: bytes) -> bytes:
    return Destination("pubkeyhash", hash160(pubkey)).script_pubkey()


def make_node(tmp_path, name: str = "wallet.dat", args: list[str] | None = None, chain: FakeChain | None = None):
    chain = chain or FakeChain()
    if not chain.entries:
        chain.add_block([coinbase_to(b"\x51", 0, 0)])
    wallet = Wallet(WalletFile(tmp_path / name, PARAMS.network_id), PARAMS, chain, keypool_size=3)
    wallet.first_run()
    return SimpleNamespace(
        wallet=wallet, wallet_service=None, params=PARAMS, chainstate=chain, mempool=None,
        args=parse_parameters(args or []), clock=SimpleNamespace(now=chain.now),
    )
