"""Shared helpers of the multi-node fluxnode functional tests: keys, a mock clock that mines, collateral
funding from the regtest premine, the list views and a PoN block minted (and signed) by a real fluxnode."""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.core.address import Destination, address_to_script, encode_destination
from fluxd.core.block import PON_VERSION, Block, BlockHeader
from fluxd.core.ecdsa import sign_der
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.merkle import block_merkle_root
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.params import networks
from fluxd.util.hexutil import hum_to_rev
from tests.fluxnode_building import TEST_BENCHMARK_KEY, multisig_redeem_script
from tests.functional.framework import NodeProcess, sync_blocks, wait_until

REGTEST = networks.regtest_params()
START_TIME = 1_600_000_000
TIER_NAMES = ("cumulus", "nimbus", "stratus")


@dataclass(frozen=True)
class Key:
    """A private key with its P2PKH address and WIF."""

    key: PrivateKey

    @classmethod
    def of(cls, seed: int) -> "Key":
        return cls(PrivateKey(bytes([seed]) * 32))

    @property
    def pubkey(self) -> bytes:
        return self.key.pubkey

    @property
    def address(self) -> str:
        return encode_destination(Destination("pubkeyhash", self.key.key_id), REGTEST.base58)

    @property
    def wif(self) -> str:
        return encode_wif(self.key, REGTEST.base58)


MINER = Key.of(3)  # -mineraddress: the premine and every PoW coinbase pay it, and it funds the collaterals


def p2sh_address(redeem_script: bytes) -> str:
    return encode_destination(Destination("scripthash", hash160(redeem_script)), REGTEST.base58)


def multisig(required: int, keys: list[Key]) -> tuple[bytes, str]:
    redeem = multisig_redeem_script(required, [key.key for key in keys])
    return redeem, p2sh_address(redeem)


def node_args(pon_height: int = 5000, *extra: str, mineraddress: str = MINER.address) -> list[str]:
    """-mineraddress: PoW coinbases (generate, getblocktemplate) pay it. Under PoN generate pays the dev fund
    whatever it is, while getblocktemplate works (C++ too) only when it is the dev fund address."""
    return ["-nuparams=kamata:1", f"-nuparams=pon:{pon_height}", *extra,
            f"-regtestbenchmarkpubkey={TEST_BENCHMARK_KEY.pubkey.hex()}", f"-mineraddress={mineraddress}",
            "-listen=1", "-txindex=1"]  # fmt: skip


def start_nodes(tmp_path, names: str, args: list[str], special: dict[str, list[str]] | None = None) -> list[NodeProcess]:
    nodes = []
    try:
        for name in names:
            nodes.append(NodeProcess(tmp_path / name, (special or {}).get(name, args)).start())
    except BaseException:
        stop_nodes(nodes)
        raise
    return nodes


def stop_nodes(nodes) -> None:
    for node in nodes:
        try:
            node.stop()
        except Exception:  # noqa: BLE001 - a dead node must not hide the test's own failure
            node.kill()


class Clock:
    """Mock time for all nodes: 600 s per mined block, so LWMA does not tighten."""

    def __init__(self, nodes, now: int = START_TIME) -> None:
        self.nodes, self.now = list(nodes), now

    def tick(self, seconds: int = 600) -> int:
        self.now += seconds
        for node in self.nodes:
            if node.process is not None:
                node.rpc("setmocktime", self.now)
        return self.now

    def mine(self, count: int = 1, miner=None, synced=None) -> list[str]:
        """``count`` blocks by ``miner`` (the first node by default), then wait until ``synced`` (all nodes) agree."""
        miner = miner or self.nodes[0]
        hashes = []
        for _ in range(count):
            self.tick()
            hashes += miner.rpc("generate", 1)
        sync_blocks(synced if synced is not None else [node for node in self.nodes if node.process is not None])
        return hashes


class Wallet:
    """The miner's coins: the premine (block 1) first, then the change of each funding transaction."""

    def __init__(self, node, clock: Clock) -> None:
        self.node, self.clock = node, clock
        premine = node.rpc("getblock", node.rpc("getblockhash", 1))["tx"][0]
        self.coin = (premine, 0, _amount(node.rpc("gettxout", premine, 0)["value"]))

    def pay(self, outputs: dict[str, int], mine: bool = True) -> dict[str, OutPoint]:
        """One transaction paying whole FLUX ``outputs`` (address → amount); returns each address's outpoint."""
        txid, vout, value = self.coin
        change = value - sum(outputs.values()) * 10**8 - 100_000
        amounts = {address: amount for address, amount in outputs.items()}
        amounts[MINER.address] = f"{change // 10**8}.{change % 10**8:08d}"
        raw = self.node.rpc("createrawtransaction", [{"txid": txid, "vout": vout}], amounts)
        signed = self.node.rpc("signrawtransaction", raw, None, [MINER.wif])
        assert signed["complete"], signed
        new_txid = self.node.rpc("sendrawtransaction", signed["hex"])
        decoded = self.node.rpc("decoderawtransaction", signed["hex"])
        found = {}
        for out in decoded["vout"]:
            address = out["scriptPubKey"]["addresses"][0]
            found[address] = OutPoint(bytes.fromhex(new_txid)[::-1], out["n"])
        self.coin = (new_txid, found[MINER.address].n, change)
        if mine:
            self.clock.mine()
        return {address: found[address] for address in outputs}


def _amount(value) -> int:
    whole, _, fraction = str(value).partition(".")
    return int(whole) * 10**8 + int((fraction + "00000000")[:8])


def send(node, tx: Transaction) -> str:
    return node.rpc("sendrawtransaction", tx.to_bytes().hex())


def lists(node) -> tuple:
    """Every fluxnode view of one node: the deterministic list, the counts, the start and the DoS list."""
    return (node.rpc("viewdeterministicfluxnodelist"), node.rpc("getfluxnodecount"), node.rpc("getstartlist"),
            node.rpc("getdoslist"))  # fmt: skip


def assert_same_lists(nodes) -> tuple:
    views = [lists(node) for node in nodes]
    for view in views[1:]:
        assert view == views[0]
    return views[0]


def confirmed(node) -> dict[str, dict]:
    """The confirmed list by "txid:n"."""
    return {f"{entry['txhash']}:{entry['outidx']}": entry for entry in node.rpc("viewdeterministicfluxnodelist")}


def key_of(outpoint: OutPoint) -> str:
    return f"{outpoint.txid_hum}:{outpoint.n}"


# ----- PoN blocks -------------------------------------------------------------


def template_payees(template: dict) -> list[tuple[bytes, int]]:
    """The fluxnode payees getblocktemplate names, in tier order (script, exact amount)."""
    payees = []
    for name in TIER_NAMES:
        if f"{name}_fluxnode_address" in template:
            script = address_to_script(template[f"{name}_fluxnode_address"], REGTEST.base58)
            payees.append((script, int(template[f"{name}_fluxnode_payout"])))
    return payees


def pon_block(node, collateral: OutPoint, operator: PrivateKey | None, block_time: int,
              payees: list[tuple[bytes, int]] | None = None, template: dict | None = None) -> Block:  # fmt: skip
    """A PoN block on ``node``'s tip as a minting fluxnode builds it (C++ pon-minter): the template's
    transactions, a coinbase paying the dev fund remainder at vout[0], then the fluxnode payees
    (``payees`` overrides the template's), the header's collateral and the operator's DER signature
    over the block hash (``operator`` None: left unsigned)."""
    template = template or node.rpc("getblocktemplate")
    assert "flux_creation_address" not in template  # no one-off funding outputs at the heights these tests use
    base = Transaction.from_bytes(bytes.fromhex(template["coinbasetxn"]["data"]))
    dev_fund = address_to_script(REGTEST.dev_fund_address, REGTEST.base58)
    payees = template_payees(template) if payees is None else payees
    vout = (TxOut(int(template["miner_reward"]), dev_fund), *(TxOut(amount, script) for script, amount in payees))
    coinbase = base.copy_with(vout=vout)
    transactions = (coinbase, *(Transaction.from_bytes(bytes.fromhex(tx["data"])) for tx in template["transactions"]))
    header = BlockHeader(
        version=PON_VERSION,
        prev_block_rev=hum_to_rev(template["previousblockhash"]),
        merkle_root_rev=block_merkle_root([tx.txid_rev for tx in transactions])[0],
        final_sapling_root_rev=hum_to_rev(template["finalsaplingroothash"]),
        time=block_time,
        bits=int(template["bits"], 16),
        collateral=collateral,
    )
    if operator is not None:
        header = header.copy_with(block_sig=sign_der(operator.secret, header.hash_rev))
    return Block(header, transactions)


def resigned(block: Block, signer: PrivateKey) -> Block:
    """The same block (same hash: the signature is not hashed) signed by ``signer``."""
    header = block.header.copy_with(block_sig=sign_der(signer.secret, block.header.hash_rev))
    return Block(header, block.transactions)


def submit(node, block: Block):
    return node.rpc("submitblock", block.to_bytes().hex())


def wait_for_height(nodes, height: int, timeout: float = 60) -> None:
    wait_until(lambda: all(node.rpc("getblockcount") >= height for node in nodes), timeout, 0.2, f"height {height}")
