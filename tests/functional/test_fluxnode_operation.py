"""Fluxnodes that run by themselves: four real fluxd processes on regtest.  The first is the operator's
wallet node: it holds the three collaterals (one per tier), lists them in fluxnode.conf and starts them with
startdeterministicfluxnode.  The other three run with -zelnode=1 and a (fake) fluxbenchd; nothing else
touches them: their managers send the INITIAL and UPDATE confirms (signed by the operator key and the
benchmark daemon), a stopped one stops confirming and expires from everyone's list, restarted it is started
and confirmed again, and once Proof of Node activates their minters make the blocks, with no generate.

The PoW phase (-nuparams=pon:H) is where the expiry is shown: there a node expires 60 blocks after its last
confirm (and must update after more than 40), against 640 (and 500) under PoN, about nine minutes of 30-second
slots here.
"""

from __future__ import annotations

import time

import pytest

from fluxd.core.block import Block
from fluxd.core.ecdsa import verify_der
from fluxd.core.keys import PrivateKey, encode_wif
from fluxd.core.transaction import Transaction
from tests.fake_fluxbench import calls, install_fake_fluxbench
from tests.functional.fluxnode_setup import REGTEST, Clock, Wallet, assert_same_lists, confirmed, key_of, node_args
from tests.functional.framework import NodeProcess, connect_nodes, sync_blocks, wait_until
from tests.vectors import load_json

pytestmark = pytest.mark.functional

PON_HEIGHT = 330
PON_BLOCKS = 30
TIERS = ((1, "CUMULUS", 1_000), (2, "NIMBUS", 12_500), (3, "STRATUS", 40_000))
OPERATORS = {tier: PrivateKey(bytes([40 + tier]) * 32, compressed=False) for tier, _, _ in TIERS}  # createfluxnodekey keys
UPDATE_GAP, EXPIRY = 40, 60  # before PoN on regtest (no FLUX/HALVING upgrade)


def _ip(tier: int) -> str:
    return f"127.0.0.{tier + 1}:16126"


class Operation:
    def __init__(self, tmp_path) -> None:
        self.tmp_path = tmp_path
        self.wallet_node = NodeProcess(tmp_path / "wallet", node_args(PON_HEIGHT))
        self.fluxnodes: dict[int, NodeProcess] = {}
        self.collaterals: dict = {}
        self.clock = Clock([self.wallet_node])

    @property
    def nodes(self) -> list[NodeProcess]:
        return [self.wallet_node, *self.fluxnodes.values()]

    def running(self) -> list[NodeProcess]:
        return [node for node in self.nodes if node.process is not None]

    def start(self, node: NodeProcess) -> None:
        node.extra_args = [arg for arg in node.extra_args if not arg.startswith("-mocktime=")] + [f"-mocktime={self.clock.now}"]
        node.start()
        for other in self.running():
            if other is not node:
                connect_nodes(node, other)

    def stop_all(self) -> None:
        for node in self.nodes:
            try:
                node.stop()
            except Exception:  # noqa: BLE001 - a dead node must not hide the test's own failure
                node.kill()

    # ----- mining the PoW phase ---------------------------------------------------------------------------------
    def due(self) -> set[str]:
        """Collaterals of running fluxnodes that should send a confirm now (started, or past the update gap)."""
        height = self.wallet_node.rpc("getblockcount")
        listed = confirmed(self.wallet_node)
        started = {entry["collateral"] for entry in self.wallet_node.rpc("getstartlist")}
        wanted = set()
        for tier, node in self.fluxnodes.items():
            if node.process is None:
                continue
            outpoint = self.collaterals[tier]
            entry = listed.get(key_of(outpoint))
            if f"COutPoint({outpoint.txid_hum}, {outpoint.n})" in started or (
                entry is not None and height - entry["last_confirmed_height"] > UPDATE_GAP):  # fmt: skip
                wanted.add(key_of(outpoint))
        return wanted

    def pool_collaterals(self) -> set[str]:
        found = set()
        for txid in self.wallet_node.rpc("getrawmempool"):
            tx = self.wallet_node.rpc("getrawtransaction", txid, 1)
            if "collateral" in tx:  # a fluxnode transaction
                found.add(f"{tx['txhash']}:{tx['outidx']}")
        return found

    def mine(self, count: int = 1) -> None:
        """PoW blocks by the wallet node; after each, a short wait for the confirms due to reach its mempool (each
        manager runs every 1-6 blocks, so a due confirm may come a few blocks later)."""
        for _ in range(count):
            self.clock.mine(1, self.wallet_node, self.running())
            wanted = self.due()
            if wanted:
                deadline = time.monotonic() + 2.0
                while time.monotonic() < deadline and not wanted <= self.pool_collaterals():
                    time.sleep(0.1)

    def mine_until(self, predicate, limit: int, what: str) -> int:
        for mined in range(1, limit + 1):
            self.mine()
            if predicate():
                return mined
        raise AssertionError(f"{what}: not after {limit} blocks")


def test_three_fluxnodes_confirm_expire_restart_and_mint_pon_blocks(tmp_path):
    op = Operation(tmp_path)
    try:
        _run(op)
    finally:
        op.stop_all()


def _run(op: Operation) -> None:
    wallet_node, clock = op.wallet_node, op.clock
    op.start(wallet_node)
    clock.mine(101, wallet_node, [wallet_node])
    addresses = {tier: wallet_node.rpc("getnewaddress") for tier, _, _ in TIERS}
    paid = Wallet(wallet_node, clock).pay({addresses[tier]: value for tier, _, value in TIERS})
    op.collaterals = {tier: paid[addresses[tier]] for tier, _, _ in TIERS}
    clock.mine(100, wallet_node, [wallet_node])  # 100 confirmations for the STARTs
    outputs = {(item["txhash"], item["outputidx"]) for item in wallet_node.rpc("getfluxnodeoutputs")}
    assert outputs == {(o.txid_hum, o.n) for o in op.collaterals.values()}

    conf = "".join(f"zn{tier} {_ip(tier)} {encode_wif(OPERATORS[tier], REGTEST.base58)} {o.txid_hum} {o.n}\n"
                   for tier, o in op.collaterals.items())  # fmt: skip
    (wallet_node.net_dir / "fluxnode.conf").write_text(conf)
    wallet_node.stop()
    op.start(wallet_node)  # fluxnode.conf is read at start; -znconflock locks the collaterals
    for tier, _, _ in TIERS:
        bench = install_fake_fluxbench(op.tmp_path / f"bench{tier}", online=True, tier=tier)
        bench_state_ip(bench, _ip(tier))
        outpoint = op.collaterals[tier]
        op.fluxnodes[tier] = NodeProcess(op.tmp_path / f"fluxnode{tier}", node_args(
            PON_HEIGHT, "-zelnode=1", f"-zelnodeprivkey={encode_wif(OPERATORS[tier], REGTEST.base58)}",
            f"-zelnodeoutpoint={outpoint.txid_hum}", f"-zelnodeindex={outpoint.n}", f"-fluxbenchpath={bench}"))  # fmt: skip
        op.start(op.fluxnodes[tier])
        clock.nodes.append(op.fluxnodes[tier])
    sync_blocks(op.nodes)
    for node in op.fluxnodes.values():
        assert node.rpc("getfluxnodestatus")["status"] == "expired"  # not started yet
        assert node.rpc("getmininginfo")["ponminter"] is True
    assert wallet_node.rpc("getmininginfo")["ponminter"] is False

    _start_and_confirm(op)
    _payouts_follow_the_list(op)
    _stopped_node_expires_and_restarts(op)
    op.mine(PON_HEIGHT - 1 - wallet_node.rpc("getblockcount"))  # PoW up to the block before PoN
    _fluxnodes_mint(op)


def bench_state_ip(bench, ip: str) -> None:
    from tests.fake_fluxbench import set_state

    set_state(bench, ip=ip)


def _start_and_confirm(op: Operation, tiers=(1, 2, 3)) -> None:
    wallet_node = op.wallet_node
    for tier in tiers:
        started = wallet_node.rpc("startdeterministicfluxnode", f"zn{tier}", "false")
        assert started["overall"] == "Successfully started 1 fluxnodes, failed to start 0, total 1", started
    wait_until(lambda: len(op.pool_collaterals()) == len(tiers), 30, what="the STARTs in the mempool")
    op.mine()
    for tier in tiers:
        assert op.fluxnodes[tier].rpc("getfluxnodestatus")["status"] == "STARTED"

    def all_confirmed() -> bool:
        listed = confirmed(op.wallet_node)
        return all(key_of(op.collaterals[tier]) in listed for tier in tiers)

    op.mine_until(all_confirmed, 15, "the managers' INITIAL confirms")
    op.mine()
    listed, count, starts, dos = assert_same_lists(op.running())
    assert starts == [] and dos == []
    for tier in tiers:
        node, outpoint = op.fluxnodes[tier], op.collaterals[tier]
        status = node.rpc("getfluxnodestatus")
        assert status["status"] == "CONFIRMED" and status["tier"] == TIERS[tier - 1][1] and status["ip"] == _ip(tier)
        assert_like_the_mainnet_capture(status)
        assert (status["txhash"], status["outidx"]) == (outpoint.txid_hum, str(outpoint.n))
        signed = [call for call in calls(op.tmp_path / f"bench{tier}") if call.startswith("signfluxnodetransaction ")]
        assert signed, "the CONFIRM went through the benchmark daemon's CLI"
        confirm = Transaction.from_hex(signed[-1].split()[1]).fluxnode
        assert confirm.collateral == outpoint and confirm.update_type == 0 and confirm.sig  # operator-signed first


def assert_like_the_mainnet_capture(status: dict) -> None:
    """getfluxnodestatus of a confirmed node: the keys, their order and JSON types of a mainnet node's answer."""
    golden = load_json("flux_atlas_fixtures/flux/daemon_getfluxnodestatus.json")["data"]
    assert list(status) == list(golden)
    assert {key: type(value).__name__ for key, value in status.items()} == {
        key: type(value).__name__ for key, value in golden.items()}  # fmt: skip


def _payouts_follow_the_list(op: Operation) -> None:
    before = {entry["txhash"]: entry["last_paid_height"] for entry in confirmed(op.wallet_node).values()}
    op.mine(2)
    tip = op.wallet_node.rpc("getblock", op.wallet_node.rpc("getbestblockhash"), 2)
    paid_to = {vout["scriptPubKey"]["addresses"][0] for vout in tip["tx"][0]["vout"] if vout["scriptPubKey"].get("addresses")}
    for entry in confirmed(op.wallet_node).values():
        assert entry["payment_address"] in paid_to and entry["last_paid_height"] == tip["height"]
        assert entry["last_paid_height"] > before[entry["txhash"]]


def _stopped_node_expires_and_restarts(op: Operation) -> None:
    stopped = op.fluxnodes[1]
    gone = key_of(op.collaterals[1])
    first_confirms = {key: entry["last_confirmed_height"] for key, entry in confirmed(op.wallet_node).items()}
    stopped.stop()
    op.mine_until(lambda: gone not in confirmed(op.wallet_node), EXPIRY + 5, "the stopped node's expiry")
    for node in op.running():
        assert gone not in confirmed(node)
    assert_same_lists(op.running())
    for key, entry in confirmed(op.wallet_node).items():  # the running ones sent UPDATE confirms meanwhile
        assert entry["last_confirmed_height"] > first_confirms[key], (key, entry, first_confirms)
    op.start(stopped)
    sync_blocks(op.running())
    assert stopped.rpc("getfluxnodestatus") == {"status": "expired", "collateral": f"COutPoint({op.collaterals[1].txid_hum}, {op.collaterals[1].n})"}
    _start_and_confirm(op, tiers=(1,))


def _fluxnodes_mint(op: Operation) -> None:
    clock, wallet_node = op.clock, op.wallet_node
    operators = {f"COutPoint({o.txid_hum[:10]}, {o.n})": OPERATORS[tier] for tier, o in op.collaterals.items()}
    start_height = wallet_node.rpc("getblockcount")
    assert start_height == PON_HEIGHT - 1
    slots = 0
    while wallet_node.rpc("getblockcount") - start_height < PON_BLOCKS:
        slots += 1
        assert slots <= PON_BLOCKS * 3, "the minters stopped minting"
        height = wallet_node.rpc("getblockcount")
        clock.tick(30)  # the next 30-second slot
        try:
            wait_until(lambda: all(node.rpc("getblockcount") > height for node in op.nodes), 25, 0.2, "a PoN block")
        except TimeoutError:
            continue  # no fluxnode was eligible for this slot
    sync_blocks(op.nodes)
    minters = set()
    for height in range(start_height + 1, wallet_node.rpc("getblockcount") + 1):
        block_hash = wallet_node.rpc("getblockhash", height)
        header = wallet_node.rpc("getblockheader", block_hash)
        assert header["type"] == "PON" and header["collateral"] in operators, header
        block = Block.from_bytes(bytes.fromhex(wallet_node.rpc("getblock", block_hash, 0)))
        assert verify_der(operators[header["collateral"]].pubkey, block.header.hash_rev, block.header.block_sig)
        minters.add(header["collateral"])
    assert len(minters) >= 2, minters  # the slots' ranks spread the blocks over the nodes
    listed, count, starts, dos = assert_same_lists(op.nodes)
    assert count["total"] == 3 and starts == [] and dos == []
    last_paid = [entry["last_paid_height"] for entry in listed]
    assert min(last_paid) > start_height  # PoN coinbases pay every tier's node
    for tier, node in op.fluxnodes.items():
        assert node.rpc("getfluxnodestatus")["status"] == "CONFIRMED"
    assert wallet_node.rpc("getmigrationcount") == [  # every collateral is a V2 amount
        {"total-old": 0, "cumulus-enabled-old": 0, "nimbus-enabled-old": 0, "stratus-enabled-old": 0},
        {"total-new": 3, "cumulus-enabled-new": 1, "nimbus-enabled-new": 1, "stratus-enabled-new": 1}]  # fmt: skip
