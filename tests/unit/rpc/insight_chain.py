"""A small in-memory chain with the address and spent indexes filled by the real index modules, for the insight RPC tests.

Blocks are not solved (the index modules read transactions and spent coins only);
the chain entries are plain objects with what the RPCs read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from fluxd.chainstate.address_index import AddressIndex
from fluxd.chainstate.coins import Coin
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.spent_index import SpentIndex
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.core.address import Destination, encode_destination
from fluxd.core.block import Block, BlockHeader
from fluxd.core.script import p2pkh_script, p2sh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.mempool.insight_index import attach_insight_indexes
from fluxd.mempool.pool import Mempool, MempoolEntry
from fluxd.params import networks
from fluxd.storage.memory import MemoryStore

PARAMS = networks.regtest_params()
PREFIXES = PARAMS.base58
HASH_A, HASH_B, HASH_S = bytes([0xA1]) * 20, bytes([0xB2]) * 20, bytes([0x53]) * 20
SCRIPT_A, SCRIPT_B, SCRIPT_S = p2pkh_script(HASH_A), p2pkh_script(HASH_B), p2sh_script(HASH_S)
SCRIPT_OTHER = bytes([0x6A, 0x01, 0x00])  # OP_RETURN: not indexed
ADDR_A = encode_destination(Destination("pubkeyhash", HASH_A), PREFIXES)
ADDR_B = encode_destination(Destination("pubkeyhash", HASH_B), PREFIXES)
ADDR_S = encode_destination(Destination("scripthash", HASH_S), PREFIXES)


def coinbase(height: int, outputs) -> Transaction:
    return Transaction(version=1, vin=(TxIn(OutPoint.null(), bytes([1, height]), 0xFFFFFFFF),), vout=tuple(TxOut(v, s) for v, s in outputs))


def spend(prevouts, outputs) -> Transaction:
    return Transaction(version=1, vin=tuple(TxIn(p, b"\x51") for p in prevouts), vout=tuple(TxOut(v, s) for v, s in outputs))


@dataclass
class Entry:
    height: int
    hash_rev: bytes
    time: int
    prev: "Entry | None"
    chainwork: int = 0
    data: bool = True

    @property
    def hash_hum(self) -> str:
        return self.hash_rev[::-1].hex()

    def have_data(self) -> bool:
        return self.data


@dataclass
class View:
    entries: list[Entry]
    extra: dict = field(default_factory=dict)  # off-chain entries by hash_rev

    @property
    def height(self) -> int:
        return len(self.entries) - 1

    @property
    def tip(self) -> Entry:
        return self.entries[-1]

    def at(self, height: int):
        return self.entries[height] if 0 <= height < len(self.entries) else None

    def contains(self, entry) -> bool:
        return self.at(entry.height) is entry

    def lookup(self, hash_rev: bytes):
        return next((e for e in self.entries if e.hash_rev == hash_rev), None) or self.extra.get(hash_rev)


class InsightChain:
    """Blocks with real address / spent index records; ``node`` is what the RPC handlers get."""

    def __init__(self) -> None:
        self.store = MemoryStore(("addressindex", "spentindex", "meta"))
        self.layer: dict = {}
        self.address_index, self.spent_index = AddressIndex(), SpentIndex()
        self.modules = {"addressindex": self.address_index, "spentindex": self.spent_index}
        self.blocks: dict[bytes, Block] = {}
        self.coins: dict[OutPoint, Coin] = {}
        self.view = View([])
        self.pool = Mempool()
        attach_insight_indexes(self.pool, True, True)
        chainstate = SimpleNamespace(
            module=lambda name: self.modules.get(name), state_reader=lambda: StateReader([self.layer], self.store),
            view=lambda: self.view, read_block=lambda entry: self.blocks[entry.hash_rev],
        )
        self.node = SimpleNamespace(params=PARAMS, chainstate=chainstate, mempool=self.pool)
        type(chainstate)  # SimpleNamespace: height is set as blocks are added
        self.chainstate = chainstate

    def add_block(self, transactions: list[Transaction], time: int | None = None) -> Block:
        height = len(self.view.entries)
        prev = self.view.entries[-1] if self.view.entries else None
        header = BlockHeader(4, prev.hash_rev if prev else bytes(32), bytes([height]) * 32, bytes(32), time or 1_000_000 + 600 * height, 0x200F0F0F)
        block = Block(header, tuple(transactions))
        entry = Entry(height, block.hash_rev, header.time, prev, chainwork=height + 1)
        spent = []
        for tx in transactions[1:]:
            spent.append(tuple(self.coins.pop(txin.prevout) for txin in tx.vin))
        for tx in transactions:
            for index, out in enumerate(tx.vout):
                self.coins[OutPoint(tx.txid_rev, index)] = Coin(out.value, out.script_pubkey, height, tx.is_coinbase())
        context = BlockContext(block, entry, None, BlockUndo(tuple(spent)))
        for module in (self.address_index, self.spent_index):
            module.connect_block(context, StateWriter(self.layer, [], self.store))
        self.blocks[block.hash_rev] = block
        self.view.entries.append(entry)
        self.chainstate.height = height
        return block

    def pool_add(self, tx: Transaction, time: int) -> MempoolEntry:
        spent = tuple(self.pool.output_coin(txin.prevout) or self.coins[txin.prevout] for txin in tx.vin)
        entry = MempoolEntry(tx=tx, fee=0, size=len(tx.to_bytes()), time=time, height=self.view.height, spent_coins=spent)
        self.pool.add(entry, time)
        return entry


def sample_chain() -> tuple[InsightChain, list[Block]]:
    """Block 0 pays A twice and S; block 1 pays B; block 2 spends A:0 and S to B, S and an OP_RETURN; block 3 spends B."""
    chain = InsightChain()
    b0 = chain.add_block([coinbase(0, [(5_000, SCRIPT_A), (7_000, SCRIPT_A), (11_000, SCRIPT_S)])])
    b1 = chain.add_block([coinbase(1, [(13_000, SCRIPT_B)])])
    cb0 = b0.transactions[0]
    t2 = spend([OutPoint(cb0.txid_rev, 0), OutPoint(cb0.txid_rev, 2)], [(9_000, SCRIPT_B), (6_000, SCRIPT_S), (0, SCRIPT_OTHER)])
    b2 = chain.add_block([coinbase(2, [(17_000, SCRIPT_A)]), t2])
    t3 = spend([OutPoint(b1.transactions[0].txid_rev, 0)], [(12_000, SCRIPT_A)])
    b3 = chain.add_block([coinbase(3, [(19_000, SCRIPT_S)]), t3])
    return chain, [b0, b1, b2, b3]
