"""getfluxnodesnapshot, rebuildfluxnodedb / rebuildzelnodedb and printsnapshot: C++ shapes, errors and help;
the rebuild replays a list equal to the one built block by block and replaces a damaged stored one."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.fluxnodes.columns import ALL_COLUMNS, NODES, outpoint_key
from fluxd.chainstate.fluxnodes.module import FluxnodeListModule
from fluxd.chainstate.fluxnodes.rebuild import replay_fluxnode_list
from fluxd.chainstate.modules import UNDO_COLUMN
from fluxd.chainstate.state_columns import StateReader
from fluxd.chainstate.undo import BlockUndo
from fluxd.core.amount import COIN
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxOut
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import fluxnode_snapshot, fluxnodes
from fluxd.rpc.registry import RPCTable
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from tests.block_building import build_block
from tests.fake_clock import FakeClock
from tests.unit.fluxnodes.list_harness import ListHarness, era_params
from tests.unit.rpc.test_fluxnode_rpcs import FakeChain, FakeChainstate, FakeFluxnodeList, record

MAIN = networks.main_params()


def table() -> RPCTable:
    rpc_table = RPCTable()
    fluxnodes.register(rpc_table)
    fluxnode_snapshot.register(rpc_table)
    rpc_table.set_warmup(None)
    return rpc_table


def call(node, method, *params):
    return table().execute(node, method, list(params))


class SnapshotChainstate(FakeChainstate):
    tip = SimpleNamespace(hash_hum="00" * 31 + "ab")


def snapshot_node(ibd=False):
    listed = FakeFluxnodeList(200, {1: [record(1), record(2)], 3: [record(3, tier=3)]})
    return SimpleNamespace(params=MAIN, chainstate=SnapshotChainstate(listed, FakeChain(200), ibd))


# --- getfluxnodesnapshot -------------------------------------------------------------------------


def test_snapshot_is_height_hash_and_the_whole_list():
    node = snapshot_node()
    result = call(node, "getfluxnodesnapshot")
    assert list(result) == ["height", "blockhash", "nodes"]
    assert result["height"] == 200 and result["blockhash"] == "00" * 31 + "ab"
    assert result["nodes"] == call(node, "viewdeterministicfluxnodelist")
    assert [entry["rank"] for entry in result["nodes"]] == [0, 1, 0]
    json.dumps(result)


def test_snapshot_refused_during_initial_block_download():
    with pytest.raises(RPCError) as failure:
        call(snapshot_node(ibd=True), "getfluxnodesnapshot")
    assert (failure.value.code, failure.value.message) == (-10, "Wait until chain is synced closer to tip")


def test_snapshot_takes_no_parameters():
    with pytest.raises(RPCError) as failure:
        call(snapshot_node(), "getfluxnodesnapshot", "x")
    assert failure.value.code == -1 and failure.value.message == fluxnode_snapshot.GETFLUXNODESNAPSHOT_HELP


def test_help_texts_and_categories():
    rpc_table = table()
    assert fluxnode_snapshot.GETFLUXNODESNAPSHOT_HELP.startswith(
        "getfluxnodesnapshot\nReturns the complete FluxNode list with block height and hash for ZMQ synchronization.\n")
    for name in ("rebuildfluxnodedb", "rebuildzelnodedb"):
        assert fluxnode_snapshot.rebuild_help(name).startswith(
            f"{name} \n\nRescans the blockchain from the start of the fluxnode transactions to rebuild the fluxnodedb\n"
            "\nNote: This call can take minutes to complete\n")
    categories = {name: rpc_table.methods[name].category for name in
                  ("getfluxnodesnapshot", "rebuildfluxnodedb", "rebuildzelnodedb", "printsnapshot")}  # fmt: skip
    assert categories == {"getfluxnodesnapshot": "fluxnode", "rebuildfluxnodedb": "hidden", "rebuildzelnodedb": "hidden",
                          "printsnapshot": "util"}  # fmt: skip
    listing = rpc_table.help()
    assert "getfluxnodesnapshot" in listing and "printsnapshot" in listing and "rebuild" not in listing


# --- printsnapshot -------------------------------------------------------------------------------


def test_printsnapshot_finds_no_snapshot():
    assert call(snapshot_node(), "printsnapshot", 256884524) is None
    assert call(snapshot_node(), "printsnapshot", 100) is None


@pytest.mark.parametrize("params", [[], [1, 2]])
def test_printsnapshot_needs_one_parameter(params):
    with pytest.raises(RPCError) as failure:
        call(snapshot_node(), "printsnapshot", *params)
    assert failure.value.code == -1 and failure.value.message == fluxnode_snapshot.PRINTSNAPSHOT_HELP


def test_printsnapshot_parameter_is_an_integer():
    with pytest.raises(RPCError) as failure:
        call(snapshot_node(), "printsnapshot", "256884524")
    assert (failure.value.code, failure.value.message) == (-1, "JSON value is not an integer as expected")


# --- the replay against the list built block by block --------------------------------------------


class HarnessChain:
    """The chainstate reading side the replay uses, over a ListHarness's history (collaterals created at
    their coin's height by a transaction of their own, found through find_transaction once spent)."""

    def __init__(self, harness: ListHarness, created: dict) -> None:
        self.harness, self.created = harness, created
        entries = [SimpleNamespace(height=h, hash_rev=h.to_bytes(32, "little"), hash_hum=str(h))
                   for h in range(harness.height + 1)]  # fmt: skip
        self.active = HarnessChain._Active(entries)
        first = harness.height - len(harness.history) + 1
        self.blocks = {first + i: item for i, item in enumerate(harness.history)}

    class _Active:
        def __init__(self, entries):
            self.entries = entries
            self.height = len(entries) - 1

        def __getitem__(self, height):
            return self.entries[height]

    def read_block(self, entry):
        block = self.blocks.get(entry.height)
        if block is None:
            return SimpleNamespace(transactions=(Transaction(),))
        return block[0]

    def read_undo(self, hash_rev):
        height = int.from_bytes(hash_rev, "little")
        if height not in self.blocks:
            return BlockUndo().to_bytes()
        block, _, spent = self.blocks[height]
        spends = [tx for tx in block.transactions[1:] if not tx.is_fluxnode_tx()]
        return BlockUndo(tuple(tuple(spent[txin.prevout] for txin in tx.vin) for tx in spends)).to_bytes()

    def get_coin(self, outpoint):
        return self.harness.coins.get(outpoint)

    def find_transaction(self, txid_rev):
        for outpoint, coin in self.created.items():
            if outpoint.txid_rev == txid_rev:
                tx = Transaction(version=1, vout=tuple(TxOut(coin.value, coin.script_pubkey) for _ in range(outpoint.n + 1)))
                return tx, SimpleNamespace(height=coin.height)
        return None


def _lifecycle() -> tuple[ListHarness, dict]:
    harness = ListHarness(era_params(), 0)
    created = {}
    nodes = []
    for amount in (1_000 * COIN, 12_500 * COIN, 40_000 * COIN, 1_000 * COIN):
        node = harness.new_node(amount, age=-4 - len(nodes))  # coins created at heights 5..8, before their START
        created[node.collateral] = harness.coins[node.collateral]
        nodes.append(node)
    harness.connect_empty(120)
    harness.connect(nodes[0].start(), nodes[1].start(), nodes[2].start(), nodes[3].start())
    harness.connect(nodes[0].confirm(tier=1), nodes[1].confirm(tier=2), nodes[2].confirm(tier=3))
    harness.connect_empty(3)
    harness.connect(harness.spend(nodes[1].collateral))  # a confirmed node's collateral spent: expires
    harness.connect_empty(70)  # the unconfirmed START goes to the DoS list
    return harness, created


def test_replay_equals_the_list_built_block_by_block():
    harness, created = _lifecycle()
    chain = HarnessChain(harness, created)
    fresh, undo_records = replay_fluxnode_list(chain, FluxnodeListModule(harness.params))
    replayed = StateReader([], fresh)
    assert {column.name: list(replayed.iterate_raw(column)) for column in ALL_COLUMNS} == harness.snapshot()
    first = harness.height - len(harness.history) + 1
    for offset, (_, module_undo, _) in enumerate(harness.history):
        assert undo_records[(first + offset).to_bytes(32, "little")] == module_undo
    statuses = sorted(record.status for record in harness.list().with_status(2)) + [harness.list().confirmed_count()]
    assert statuses == [2, 2]  # one DoS entry, two confirmed left


# --- rebuildfluxnodedb on a real chainstate ------------------------------------------------------

REGTEST = networks.regtest_params({Upgrade.PON: 10_000})


def _chainstate(tmp_path, fluxnode_list=True):
    clock = FakeClock()
    chainstate = Chainstate(REGTEST, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", REGTEST.message_start), clock,
                            fluxnode_list=fluxnode_list)  # fmt: skip
    chainstate.load()
    for _ in range(5):
        clock.time += 600
        chainstate.process_block(build_block(REGTEST, chainstate.tip, b"\x51", clock.time))
    return chainstate


def _stored(chainstate):
    reader = chainstate.state_reader()
    return {column.name: list(reader.iterate_raw(column)) for column in (*ALL_COLUMNS, UNDO_COLUMN)}


def test_rebuild_replaces_a_damaged_list_and_keeps_good_undo_records(tmp_path):
    chainstate = _chainstate(tmp_path)
    node = SimpleNamespace(params=REGTEST, chainstate=chainstate)
    good = _stored(chainstate)
    assert good["module_undo"]  # one fluxnodes undo record per block
    bogus = record(9)
    undo_key = UNDO_COLUMN.db_key(b"fluxnodes/" + chainstate.tip.hash_rev)
    chainstate.cache.commit_state({NODES: {NODES.prefix + outpoint_key(bogus.collateral): bogus.to_bytes()},
                                   UNDO_COLUMN: {undo_key: b"\x01damaged"}})  # fmt: skip
    assert _stored(chainstate) != good
    assert call(node, "rebuildfluxnodedb") is True
    assert _stored(chainstate) == good
    assert list(chainstate.store.iterate("ext", prefix=NODES.prefix)) == []  # flushed
    assert call(node, "rebuildzelnodedb") is True and _stored(chainstate) == good


def test_rebuild_without_a_list_answers_false(tmp_path):
    chainstate = _chainstate(tmp_path, fluxnode_list=False)
    assert call(SimpleNamespace(params=REGTEST, chainstate=chainstate), "rebuildfluxnodedb") is False


def test_rebuild_takes_no_parameters(tmp_path):
    with pytest.raises(RPCError) as failure:
        call(SimpleNamespace(params=REGTEST, chainstate=None), "rebuildfluxnodedb", 1)
    assert failure.value.message == fluxnode_snapshot.rebuild_help("rebuildfluxnodedb")
