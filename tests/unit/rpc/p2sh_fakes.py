"""A fake node for the P2SH fluxnode start RPC unit tests: a chainstate with coins, transactions, blocks and a
fluxnode list; a mempool and a submitter that records (or refuses); a real wallet (wallet_node.py)."""

from __future__ import annotations

from types import SimpleNamespace

from fluxd.core.address import Destination
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.script import p2sh_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import fluxnode_p2sh_rpcs
from fluxd.rpc.registry import RPCTable
from tests.fluxnode_building import multisig_redeem_script

REGTEST = networks.regtest_params()
PON_AT_100 = networks.regtest_params({Upgrade.PON: 100})
SIGNERS = [PrivateKey(bytes([31 + i]) * 32) for i in range(3)]
REDEEM = multisig_redeem_script(2, SIGNERS)
OPERATOR = PrivateKey(bytes([34]) * 32, compressed=False)
DELEGATE = PrivateKey(bytes([43]) * 32)
STRANGER = PrivateKey(bytes([99]) * 32)
FUNDING = Transaction(vout=(TxOut(40_000 * 10**8, p2sh_script(hash160(REDEEM))), TxOut(5, b"\x51")))
COLLATERAL = OutPoint(FUNDING.txid_rev, 0)
NOW = 1_600_000_000


def wif(key: PrivateKey) -> str:
    return encode_wif(key, REGTEST.base58)


def p2sh_address_of(redeem: bytes) -> Destination:
    return Destination("scripthash", hash160(redeem))


class FakeList:
    def __init__(self, records: dict | None = None, delegates: dict | None = None) -> None:
        self.records, self.delegates = dict(records or {}), dict(delegates or {})

    def get(self, collateral):
        status = self.records.get(collateral)
        return None if status is None else SimpleNamespace(status=status, collateral=collateral)

    def delegate_keys(self, collateral):
        return self.delegates.get(collateral)


class FakeChainstate:
    """``coins`` by outpoint (spent: absent); ``txs`` found by txid; ``blocks`` by height (lists of txs)."""

    def __init__(self, height: int = 300, txs: list | None = None, blocks: dict | None = None,
                 fluxnodes: FakeList | None = None) -> None:  # fmt: skip
        self.height = height
        self.txs = {tx.txid_rev: tx for tx in (txs if txs is not None else [FUNDING])}
        self.spent: set[OutPoint] = set()
        self.blocks = dict(blocks or {})
        self.list = fluxnodes or FakeList()
        self.blocks_read: list[int] = []

    def get_coin(self, outpoint):
        tx = self.txs.get(outpoint.txid_rev)
        if tx is None or outpoint in self.spent or outpoint.n >= len(tx.vout):
            return None
        out = tx.vout[outpoint.n]
        return SimpleNamespace(script_pubkey=out.script_pubkey, value=out.value, height=100)

    def unspent_output_height(self, txid_rev):
        tx = self.txs.get(txid_rev)
        if tx is None or all(self.get_coin(OutPoint(txid_rev, n)) is None for n in range(len(tx.vout))):
            return None
        return 100

    def find_transaction(self, txid_rev):
        tx = self.txs.get(txid_rev)
        return None if tx is None else (tx, SimpleNamespace(height=100))

    def entry_at(self, height):
        return SimpleNamespace(height=height, have_data=lambda: True) if 0 <= height <= self.height else None

    def read_block(self, entry):
        self.blocks_read.append(entry.height)
        return SimpleNamespace(transactions=self.blocks.get(entry.height, []))

    def fluxnode_list(self):
        return self.list

    def is_initial_block_download(self):
        return False


class FakeSubmitter:
    """Records what is submitted and relayed; ``refusal`` (a MempoolRejected) is raised instead."""

    def __init__(self, refusal: Exception | None = None) -> None:
        self.refusal, self.submitted, self.relayed = refusal, [], []

    def submit(self, tx, limit_free=False, reject_absurd_fee=True):
        if self.refusal is not None:
            raise self.refusal
        self.submitted.append((tx, limit_free, reject_absurd_fee))

    def relay(self, tx):
        self.relayed.append(tx)


def make_node(params=REGTEST, chainstate=None, wallet=None, submitter=None, pool=None):
    return SimpleNamespace(
        params=params, chainstate=chainstate or FakeChainstate(), wallet=wallet, wallet_service=None,
        mempool=pool if pool is not None else SimpleNamespace(by_collateral={}, lookup=lambda txid: None),
        mempool_service=submitter if submitter is not None else FakeSubmitter(), clock=SimpleNamespace(now=lambda: NOW),
    )  # fmt: skip


def table() -> RPCTable:
    rpc_table = RPCTable()
    fluxnode_p2sh_rpcs.register(rpc_table)
    rpc_table.set_warmup(None)
    return rpc_table


def call(node, method: str, *params):
    return table().execute(node, method, list(params))


def failure(node, method: str, *params) -> tuple[int, str]:
    try:
        call(node, method, *params)
    except RPCError as error:
        return error.code, error.message
    raise AssertionError(f"{method} did not fail")
