"""Drive the fluxnode list module block by block over an in-memory store, with a coins map of our own.

Each connected block's module writes stay in their own layer (as pending blocks'
do in the chainstate); ``disconnect`` applies the module's undo in a layer on
top, so ``snapshot()`` before a block and after its disconnect can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.chainstate import COLUMNS
from fluxd.chainstate.coins import Coin
from fluxd.chainstate.fluxnodes.columns import ALL_COLUMNS
from fluxd.chainstate.fluxnodes.list_state import FluxnodeList
from fluxd.chainstate.fluxnodes.module import FluxnodeListModule, payee_outputs
from fluxd.chainstate.modules import BlockContext
from fluxd.chainstate.state_columns import StateReader, StateWriter
from fluxd.chainstate.undo import BlockUndo
from fluxd.consensus.subsidy import block_subsidy
from fluxd.core.address import address_to_script
from fluxd.core.amount import COIN
from fluxd.core.block import Block, BlockHeader
from fluxd.core.keys import PrivateKey
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active
from fluxd.storage.memory import MemoryStore
from tests.fluxnode_building import TEST_BENCHMARK_KEY, benchmark_test_params, build_confirm, build_start_v5

ERAS = {Upgrade.KAMATA: 1, Upgrade.FLUX: 1, Upgrade.HALVING: 1, Upgrade.P2SHNODES: 1}


def era_params(pon_height: int = 100_000, **heights: int) -> ChainParams:
    """Regtest with fluxnodes from height 1 and PoN at ``pon_height`` (other upgrades by keyword)."""
    overrides = {**ERAS, Upgrade.PON: pon_height}
    overrides.update({Upgrade[name.upper()]: height for name, height in heights.items()})
    return benchmark_test_params().with_activation_heights(overrides)


@dataclass
class Node:
    """A would-be fluxnode: its collateral coin and keys."""

    collateral: OutPoint
    owner: PrivateKey
    operator: PrivateKey

    def start(self, sig_time: int = 1_700_000_000) -> Transaction:
        return build_start_v5(self.collateral, self.owner, self.operator.pubkey, sig_time)

    def confirm(self, update_type: int = 0, ip: str = "10.0.0.1:16125", tier: int = 3) -> Transaction:
        return build_confirm(self.collateral, self.operator, TEST_BENCHMARK_KEY, update_type, ip, benchmark_tier=tier)


class ListHarness:
    def __init__(self, params: ChainParams, start_height: int = 0) -> None:
        self.params = params
        self.store = MemoryStore(COLUMNS)
        self.module = FluxnodeListModule(params)
        self.layers: list[dict] = []  # newest first
        self.height = start_height
        self.coins: dict[OutPoint, Coin] = {}
        self.history: list[tuple[Block, bytes, dict]] = []  # per connected block: block, undo, coins spent
        self._serial = 0

    def list(self) -> FluxnodeList:
        return FluxnodeList(StateReader(self.layers, self.store), self.height)

    def snapshot(self) -> dict:
        reader = StateReader(self.layers, self.store)
        return {column.name: list(reader.iterate_raw(column)) for column in ALL_COLUMNS}

    def new_node(self, amount: int = 1_000 * COIN, age: int = 100) -> Node:
        self._serial += 1
        owner, operator = PrivateKey(bytes([self._serial]) * 32), PrivateKey(bytes([self._serial, 7]) * 16)
        collateral = OutPoint(hash160(bytes([self._serial])) + bytes(12), 0)
        self.coins[collateral] = Coin(amount, p2pkh_script(hash160(owner.pubkey)), self.height + 1 - age, False)
        return Node(collateral, owner, operator)

    def spend(self, collateral: OutPoint) -> Transaction:
        return Transaction(version=1, vin=(TxIn(collateral, b"", 0xFFFFFFFF),), vout=(TxOut(1, b"\x51"),))

    def coinbase(self, height: int, payees: list[tuple[bytes, int]] | None = None) -> Transaction:
        payees = payee_outputs(self.params, self.list(), height) if payees is None else payees
        outputs = [TxOut(amount, script) for script, amount in payees]
        if is_pon_active(self.params, height):
            dev_fund = address_to_script(self.params.dev_fund_address, self.params.base58)
            outputs.insert(0, TxOut(block_subsidy(self.params, height) - sum(a for _, a in payees), dev_fund))
        return Transaction(version=1, vin=(TxIn(OutPoint.null(), bytes([1, height & 0xFF]), 0xFFFFFFFF),), vout=tuple(outputs))

    def connect(self, *txs: Transaction, coinbase: Transaction | None = None) -> None:
        """Connect one block holding ``txs`` (ValidationError leaves the harness as it was)."""
        height = self.height + 1
        block = Block(BlockHeader(4, bytes(32), bytes(32), bytes(32), 0, 0), (coinbase or self.coinbase(height), *txs))
        spends = [tx for tx in txs if not tx.is_fluxnode_tx()]
        spent = {txin.prevout: self.coins[txin.prevout] for tx in spends for txin in tx.vin}
        coins_after = {outpoint: coin for outpoint, coin in self.coins.items() if outpoint not in spent}
        undo = BlockUndo(tuple(tuple(spent[txin.prevout] for txin in tx.vin) for tx in spends))
        layer: dict = {}
        context = BlockContext(block, _Entry(height), _Coins(coins_after), undo)
        module_undo = self.module.connect_block(context, StateWriter(layer, self.layers, self.store))
        self.layers.insert(0, layer)
        self.coins = coins_after
        self.history.append((block, module_undo, spent))
        self.height = height

    def connect_empty(self, count: int) -> None:
        for _ in range(count):
            self.connect()

    def disconnect(self) -> None:
        block, module_undo, spent = self.history.pop()
        layer: dict = {}
        context = BlockContext(block, _Entry(self.height), _Coins(self.coins), None)
        self.module.disconnect_block(context, module_undo, StateWriter(layer, self.layers, self.store))
        self.layers.insert(0, layer)
        self.coins.update(spent)
        self.height -= 1


@dataclass(frozen=True)
class _Entry:
    height: int

    @property
    def hash_rev(self) -> bytes:
        return self.height.to_bytes(32, "little")


class _Coins:
    def __init__(self, coins: dict) -> None:
        self.coins = coins

    def get_coin(self, outpoint: OutPoint) -> Coin | None:
        return self.coins.get(outpoint)
