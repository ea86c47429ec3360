"""A real Wallet over a WalletFile for unit tests, with a chain and mempool the test moves by hand.

``FakeChain`` implements ``ChainAccess``: blocks are (height, time) by hash on the active chain,
``tip`` is settable, ``mempool`` is a set of txid_rev.  ``WalletBench`` adds the wallet and
helpers that make transactions (real keys, unsigned inputs: the wallet never checks scripts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fluxd.core.address import decode_destination
from fluxd.core.hashes import sha256d
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import NULL_HASH, NULL_INDEX, OutPoint, TxIn, TxOut
from fluxd.params.networks import regtest_params
from fluxd.wallet.wallet import Wallet
from fluxd.wallet.wallet_file import WalletFile

START_TIME = 1_600_000_000
BLOCK_SPACING = 600
COIN = 100_000_000
FOREIGN_SCRIPT = bytes.fromhex("76a914") + b"\x42" * 20 + bytes.fromhex("88ac")


@dataclass
class FakeChain:
    tip: int = 0
    clock: int = START_TIME
    blocks: dict[bytes, tuple[int, int]] = field(default_factory=dict)  # hash_rev -> (height, time), active chain
    mempool: set[bytes] = field(default_factory=set)

    def tip_height(self) -> int:
        return self.tip

    def block_height(self, block_hash_rev: bytes) -> int | None:
        found = self.blocks.get(block_hash_rev)
        return None if found is None or found[0] > self.tip else found[0]

    def block_time(self, block_hash_rev: bytes) -> int | None:
        found = self.blocks.get(block_hash_rev)
        return None if found is None else found[1]

    def in_mempool(self, txid_rev: bytes) -> bool:
        return txid_rev in self.mempool

    def now(self) -> int:
        return self.clock

    def add_block(self, height: int | None = None) -> bytes:
        """A block at ``height`` (the next one by default) that becomes the tip."""
        height = self.tip + 1 if height is None else height
        block_hash = sha256d(b"block" + height.to_bytes(4, "little") + len(self.blocks).to_bytes(4, "little"))
        self.blocks[block_hash] = (height, START_TIME + height * BLOCK_SPACING)
        self.tip = height
        self.clock = max(self.clock, START_TIME + height * BLOCK_SPACING)
        return block_hash

    def disconnect(self, block_hash_rev: bytes) -> None:
        """The block leaves the active chain (a reorganisation)."""
        self.blocks.pop(block_hash_rev, None)


class WalletBench:
    def __init__(self, path: Path) -> None:
        self.params = regtest_params()
        self.chain = FakeChain()
        self.file = WalletFile(Path(path) / "wallet.dat", "regtest")
        self.wallet = Wallet(self.file, self.params, self.chain, keypool_size=3)
        self.wallet.first_run()
        self._serial = 0

    def reopen(self) -> Wallet:
        """The wallet loaded again from its file (same chain)."""
        self.file.close()
        self.file = WalletFile(self.file.path, "regtest")
        self.wallet = Wallet(self.file, self.params, self.chain, keypool_size=3)
        return self.wallet

    def script_of(self, address: str) -> bytes:
        return decode_destination(address, self.params.base58).script_pubkey()

    def new_script(self, label: str = "") -> tuple[str, bytes]:
        address = self.wallet.new_address(label)
        return address, self.script_of(address)

    def _next(self) -> int:
        self._serial += 1
        return self._serial

    def coinbase(self, script: bytes, value: int = 150 * COIN) -> Transaction:
        tag = self._next().to_bytes(4, "little")
        return Transaction(vin=(TxIn(OutPoint(NULL_HASH, NULL_INDEX), b"\x04" + tag),), vout=(TxOut(value, script),))

    def payment(self, outputs: list[tuple[bytes, int]], inputs: list[OutPoint] | None = None) -> Transaction:
        """A transaction spending ``inputs`` (a foreign coin when none) into ``outputs``."""
        if not inputs:
            inputs = [OutPoint(sha256d(b"foreign" + self._next().to_bytes(4, "little")), 0)]
        vin = tuple(TxIn(outpoint, b"") for outpoint in inputs)
        return Transaction(vin=vin, vout=tuple(TxOut(value, script) for script, value in outputs))

    def mine(self, *txs: Transaction) -> bytes:
        """A new tip holding ``txs`` (in that order), synced into the wallet."""
        block_hash = self.chain.add_block()
        for index, tx in enumerate(txs):
            self.chain.mempool.discard(tx.txid_rev)
            self.wallet.sync_transaction(tx, block_hash, index)
        return block_hash

    def mine_empty(self, count: int) -> None:
        for _ in range(count):
            self.chain.add_block()

    def to_mempool(self, tx: Transaction) -> None:
        self.chain.mempool.add(tx.txid_rev)
        self.wallet.sync_transaction(tx)

    def node(self) -> "FakeNode":
        return FakeNode(self)


@dataclass(frozen=True)
class FakeEntry:
    height: int
    hash_rev: bytes

    @property
    def hash_hum(self) -> str:
        return self.hash_rev[::-1].hex()


class FakeView:
    """What listsinceblock reads of ``Chainstate.view()``."""

    def __init__(self, chain: FakeChain) -> None:
        self._chain = chain

    @property
    def height(self) -> int:
        return self._chain.tip

    def lookup(self, hash_rev: bytes) -> FakeEntry | None:
        found = self._chain.blocks.get(hash_rev)
        return None if found is None else FakeEntry(found[0], hash_rev)

    def at(self, height: int) -> FakeEntry | None:
        for hash_rev, (found, _time) in self._chain.blocks.items():
            if found == height and 0 <= height <= self._chain.tip:
                return FakeEntry(height, hash_rev)
        return None


class FakeNode:
    """Enough of a node for the wallet RPC handlers."""

    def __init__(self, bench: WalletBench) -> None:
        self.wallet = bench.wallet
        self.wallet_service = None
        self.params = bench.params
        self.chainstate = self
        self._chain = bench.chain

    def view(self) -> FakeView:
        return FakeView(self._chain)
