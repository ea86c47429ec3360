"""The fluxnode list RPCs over a fake FluxnodeListReader: golden mainnet captures rebuilt exactly, plus
the C++ details (rank before the filter, lastpaid of a never-paid node, FormatMoney, network counts,
IBD refusal, the start/DoS windows before and under PoN, parameter errors)."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest

from fluxd.chainstate.chainstate import COLUMNS, Chainstate
from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED, FluxnodeRecord
from fluxd.core.address import address_to_script
from fluxd.core.amount import COIN, parse_money
from fluxd.core.hashes import hash160
from fluxd.core.script import p2pkh_script
from fluxd.core.tx_parts import OutPoint
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade
from fluxd.rpc.context import NodeContext
from fluxd.rpc.errors import RPCError
from fluxd.rpc.methods import fluxnodes, register_all
from fluxd.rpc.registry import RPCTable
from fluxd.storage.block_files import BlockFiles
from fluxd.storage.memory import MemoryStore
from fluxd.util.args import parse_parameters
from fluxd.util.univalue import dumps
from tests.fake_clock import FakeClock
from tests.vectors import load_json

MAIN = networks.main_params()
REGTEST = networks.regtest_params()
REGTEST_PON_AT_100 = networks.regtest_params({Upgrade.PON: 100})
GENESIS_TIME = 1_500_000_000
FIXTURES = "flux_atlas_fixtures/"


class FakeChain:
    """ChainSnapshot's reading side: ``height`` and ``at(height)`` with block times (default genesis + 30 s a block)."""

    def __init__(self, height: int, times: dict[int, int] | None = None) -> None:
        self.height, self.times = height, dict(times or {})

    def at(self, height: int):
        if not 0 <= height <= self.height:
            return None
        return SimpleNamespace(height=height, time=self.times.get(height, GENESIS_TIME + 30 * height))


class FakeFluxnodeList:
    """A FluxnodeListReader over explicit lists: confirmed records per tier in payment order, started and DoS."""

    def __init__(self, tip_height: int, confirmed: dict[int, list[FluxnodeRecord]] | None = None,
                 started: list[FluxnodeRecord] = (), dos: list[FluxnodeRecord] = ()) -> None:  # fmt: skip
        self.tip_height = tip_height
        self.confirmed = {tier: list((confirmed or {}).get(tier, [])) for tier in (1, 2, 3)}
        self.pending = {STARTED: list(started), DOS: list(dos)}

    def get(self, collateral):
        everything = [*self.pending[STARTED], *self.pending[DOS], *(r for rs in self.confirmed.values() for r in rs)]
        return next((record for record in everything if record.collateral == collateral), None)

    def confirmed_in_payment_order(self, tier):
        return iter(self.confirmed.get(tier, []))

    def confirmed_count(self):
        return sum(len(records) for records in self.confirmed.values())

    def with_status(self, status):
        return iter(sorted(self.pending.get(status, []), key=lambda record: record.added_height))

    def delegate_keys(self, collateral):
        return None


class FakeChainstate:
    def __init__(self, fluxnode_list: FakeFluxnodeList | None, chain: FakeChain, ibd: bool = False) -> None:
        self.active, self.ibd = chain, ibd
        if fluxnode_list is not None:
            self.fluxnode_list = lambda: fluxnode_list

    @property
    def height(self) -> int:
        return self.active.height

    def is_initial_block_download(self) -> bool:
        return self.ibd


def make_node(params, fluxnode_list, chain: FakeChain, ibd: bool = False):
    return SimpleNamespace(params=params, chainstate=FakeChainstate(fluxnode_list, chain, ibd))


def record(seed: int, tier: int = 1, status: int = CONFIRMED, **changes) -> FluxnodeRecord:
    """A distinct P2PKH node; ``seed`` picks the txid, keys and a private ip (matched by no filter below)."""
    pubkey = b"\x02" + hashlib.sha256(b"collateral key %d" % seed).digest()
    fields = dict(
        collateral=OutPoint(hashlib.sha256(b"txid %d" % seed).digest(), seed % 3),
        status=status, tier=tier, collateral_amount={1: 1000, 2: 12500, 3: 40000}[tier] * COIN,
        collateral_pubkey=pubkey, operator_pubkey=b"\x04" + hashlib.sha512(b"operator %d" % seed).digest()[:64],
        redeem_script=b"", flux_tx_version=0, payee_script=p2pkh_script(hash160(pubkey)),
        added_height=100, confirmed_height=102, last_confirmed_height=150, last_paid_height=160,
        ip=f"10.{seed // 65536 % 256}.{seed // 256 % 256}.{seed % 256}:16125",
    )  # fmt: skip
    fields.update(changes)
    return FluxnodeRecord(**fields)


def fluxnode_table() -> RPCTable:
    table = RPCTable()
    fluxnodes.register(table)
    table.set_warmup(None)
    return table


def call(node, method: str, *params):
    return fluxnode_table().execute(node, method, list(params))


def compact_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


# --- golden mainnet captures, rebuilt from their own fields -------------------------------------


def record_from_golden(entry: dict, seed: int) -> FluxnodeRecord:
    txid, _, n = entry["collateral"][len("COutPoint("):-1].partition(", ")
    base = record(seed, tier={"CUMULUS": 1, "NIMBUS": 2, "STRATUS": 3}[entry["tier"]])
    changes = dict(
        collateral=OutPoint(bytes.fromhex(txid)[::-1], int(n)), ip=entry["ip"],
        added_height=entry["added_height"], confirmed_height=entry["confirmed_height"],
        last_confirmed_height=entry["last_confirmed_height"], last_paid_height=entry["last_paid_height"],
        payee_script=address_to_script(entry["payment_address"], MAIN.base58),
    )  # fmt: skip
    if "pubkey" in entry:
        changes["operator_pubkey"] = bytes.fromhex(entry["pubkey"])
    if "amount" in entry:
        changes["collateral_amount"] = parse_money(entry["amount"])
    return base.with_(**changes)


def list_node_from_golden(golden: list[dict], tip: int = 2_996_914):
    """Each golden node at its golden rank in its tier, filler nodes (matching no filter) around it."""
    confirmed: dict[int, list[FluxnodeRecord]] = {1: [], 2: [], 3: []}
    times: dict[int, int] = {}
    seed = 0
    for entry in golden:
        tier = {"CUMULUS": 1, "NIMBUS": 2, "STRATUS": 3}[entry["tier"]]
        tier_list = confirmed[tier]
        while len(tier_list) < entry["rank"]:
            seed += 1
            tier_list.append(record(seed, tier=tier))
        tier_list.append(record_from_golden(entry, seed=10**6 + seed))
        times[entry["added_height"]], times[entry["last_paid_height"]] = int(entry["activesince"]), int(entry["lastpaid"])
    for tier_index, records in enumerate(confirmed.values(), start=1):
        records.append(record(10**7 + tier_index, tier=tier_index))  # a node after the last golden one
    return make_node(MAIN, FakeFluxnodeList(tip, confirmed), FakeChain(tip, times))


@pytest.mark.parametrize("capture, filter_text", [
    ("viewdeterministicfluxnodelist_by_collateral", "6d12b8f9ac958776c443063576dd092c79310879d26f6e4ab06a1d541279331e"),
    ("viewdeterministicfluxnodelist_by_ip", "65.109.63.147"),
])  # fmt: skip
def test_list_rebuilds_the_golden_capture(capture, filter_text):
    golden = load_json(FIXTURES + f"fluxos_daemon_{capture}.json")["data"]
    result = call(list_node_from_golden(golden), "viewdeterministicfluxnodelist", filter_text)
    assert result == golden
    assert dumps(result) == compact_json(golden)  # key order and value types (outidx/activesince/lastpaid strings)


def test_list_entries_have_the_golden_keys_in_order():
    golden_keys = list(load_json(FIXTURES + "fluxos_daemon_viewdeterministicfluxnodelist_by_ip.json")["data"][0])
    confirmed = {tier: [record(10 * tier + i, tier=tier) for i in range(3)] for tier in (1, 2, 3)}
    node = make_node(REGTEST, FakeFluxnodeList(500, confirmed), FakeChain(500))
    result = call(node, "viewdeterministicfluxnodelist")
    assert [entry["tier"] for entry in result] == ["CUMULUS"] * 3 + ["NIMBUS"] * 3 + ["STRATUS"] * 3
    assert [entry["rank"] for entry in result] == [0, 1, 2] * 3
    for entry in result:
        assert list(entry) == golden_keys
        assert entry["payment_address"].startswith("tm") and entry["network"] == ""  # regtest P2PKH, private ip
        assert isinstance(entry["outidx"], str) and isinstance(entry["added_height"], int)


def test_fluxnodecurrentwinner_rebuilds_the_golden_capture():
    golden = load_json(FIXTURES + "fluxos_daemon_fluxnodecurrentwinner.json")["data"]
    confirmed = {}
    for seed, (key, entry) in enumerate(golden.items()):
        winner = record_from_golden(entry, seed)
        confirmed[winner.tier] = [winner, record(100 + seed, tier=winner.tier)]
        assert key == entry["tier"] + " Winner"
    node = make_node(MAIN, FakeFluxnodeList(2_996_914, confirmed), FakeChain(2_996_914))
    for method in ("fluxnodecurrentwinner", "zelnodecurrentwinner"):
        result = call(node, method)
        assert result == golden and dumps(result) == compact_json(golden)


def test_fluxnodecurrentwinner_leaves_out_an_empty_tier():
    node = make_node(REGTEST, FakeFluxnodeList(500, {3: [record(1, tier=3)]}), FakeChain(500))
    assert list(call(node, "fluxnodecurrentwinner")) == ["STRATUS Winner"]
    assert call(make_node(REGTEST, FakeFluxnodeList(500), FakeChain(500)), "fluxnodecurrentwinner") == {}


def test_getfluxnodecount_rebuilds_the_golden_capture():
    golden = load_json(FIXTURES + "fluxos_daemon_getfluxnodecount.json")["data"]
    sizes = {1: golden["cumulus-enabled"], 2: golden["nimbus-enabled"], 3: golden["stratus-enabled"]}
    confirmed, seed = {}, 0
    for tier, size in sizes.items():
        confirmed[tier] = []
        for _ in range(size):
            seed += 1
            bare = seed <= golden["ipv4"]  # a bare routable IPv4 parses; "ip:port" does not
            ip = f"65.{seed // 65536}.{seed // 256 % 256}.{seed % 256}" + ("" if bare else ":16127")
            confirmed[tier].append(record(seed, tier=tier, ip=ip))
    node = make_node(MAIN, FakeFluxnodeList(2_996_914, confirmed), FakeChain(2_996_914))
    for method in ("getfluxnodecount", "getzelnodecount"):
        result = call(node, method)
        assert result == golden and dumps(result) == compact_json(golden)


# --- viewdeterministicfluxnodelist details ------------------------------------------------------


def three_cumulus_node(**second_changes):
    confirmed = {1: [record(1), record(2, **second_changes), record(3)], 2: [record(4, tier=2)]}
    return make_node(REGTEST, FakeFluxnodeList(500, confirmed), FakeChain(500))


def test_filter_is_applied_after_rank():
    node = three_cumulus_node(ip="203.0.113.77:16125")
    result = call(node, "viewdeterministicfluxnodelist", "203.0.113.77")
    assert [(entry["ip"], entry["rank"]) for entry in result] == [("203.0.113.77:16125", 1)]


def test_filter_matches_txhash_pubkey_ip_or_payment_address():
    full = call(three_cumulus_node(), "viewdeterministicfluxnodelist")
    second = full[1]
    for text in (second["txhash"][10:30], second["pubkey"][40:70], second["ip"], second["payment_address"][3:]):
        assert call(three_cumulus_node(), "viewdeterministicfluxnodelist", text) == [second]
    assert call(three_cumulus_node(), "viewdeterministicfluxnodelist", "no such node") == []
    assert call(three_cumulus_node(), "viewdeterministicfluxnodelist", "") == full  # "" filters nothing


def test_never_paid_node_shows_the_genesis_time():
    node = three_cumulus_node(last_paid_height=0)
    entry = call(node, "viewdeterministicfluxnodelist")[1]
    assert entry["last_paid_height"] == 0 and entry["lastpaid"] == str(GENESIS_TIME)
    assert entry["activesince"] == str(GENESIS_TIME + 30 * 100)


def test_heights_past_the_tip_show_the_number_zero():
    node = three_cumulus_node(added_height=501, last_paid_height=502)
    entry = call(node, "viewdeterministicfluxnodelist")[1]
    assert entry["activesince"] == 0 and entry["lastpaid"] == 0  # C++ pushes the integer 0


@pytest.mark.parametrize("zatoshi, text", [
    (1000 * COIN, "1000.00"), (12500 * COIN + COIN // 2, "12500.50"), (40000 * COIN + 1, "40000.00000001"),
    (12_345_678, "0.12345678"), (10, "0.0000001"),
])  # fmt: skip
def test_amount_is_format_money(zatoshi, text):
    entry = call(three_cumulus_node(collateral_amount=zatoshi), "viewdeterministicfluxnodelist")[1]
    assert entry["amount"] == text and list(entry)[-2:] == ["amount", "rank"]


def test_amount_left_out_without_collateral_value():
    entry = call(three_cumulus_node(collateral_amount=0), "viewdeterministicfluxnodelist")[1]
    assert "amount" not in entry and list(entry)[-2:] == ["lastpaid", "rank"]


def test_p2sh_payee_shows_a_script_address():
    entry = call(three_cumulus_node(payee_script=bytes.fromhex("a914" + "11" * 20 + "87")), "listfluxnodes")[1]
    assert entry["payment_address"].startswith("t2")  # regtest script prefix


@pytest.mark.parametrize("ip, network", [
    ("65.21.1.2:16125", "ipv4"), ("65.21.1.2", "ipv4"), ("[2a01:4f8:1::2]:16125", "ipv6"), ("2a01:4f8:1::2", "ipv6"),
    ("expyuzz4wqqyqhjn.onion:16125", "onion"), ("192.168.1.2:16125", ""), ("", ""), ("node.example.com:16125", ""),
])  # fmt: skip
def test_list_network_splits_the_port_off(ip, network):
    assert call(three_cumulus_node(ip=ip), "viewdeterministicfluxnodelist")[1]["network"] == network


def test_count_networks_from_the_raw_ip():
    ips = ["65.21.1.2", "65.21.1.3:16125", "2a01:4f8:1::2", "[2a01:4f8:1::3]", "[2a01:4f8:1::4]:16125",
           "expyuzz4wqqyqhjn.onion", "expyuzz4wqqyqhjn.onion:16125", "10.0.0.1", "127.0.0.1", "", "::1"]  # fmt: skip
    confirmed = {1: [record(i, ip=ip) for i, ip in enumerate(ips)], 3: [record(99, tier=3, ip="1.1.1.1")]}
    result = call(make_node(REGTEST, FakeFluxnodeList(500, confirmed), FakeChain(500)), "getfluxnodecount")
    assert result == {"total": 12, "stable": 12, "basic-enabled": 11, "super-enabled": 0, "bamf-enabled": 1,
                      "cumulus-enabled": 11, "nimbus-enabled": 0, "stratus-enabled": 1,
                      "ipv4": 2, "ipv6": 2, "onion": 1}  # fmt: skip


# --- IBD, parameters, help ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["viewdeterministicfluxnodelist", "viewdeterministiczelnodelist", "listfluxnodes", "listzelnodes"])
def test_list_is_refused_during_initial_block_download(method):
    node = make_node(REGTEST, FakeFluxnodeList(500, {1: [record(1)]}), FakeChain(500), ibd=True)
    with pytest.raises(RPCError) as failure:
        call(node, method)
    assert (failure.value.code, failure.value.message) == (-10, "Wait until chain is synced closer to tip")


def test_other_fluxnode_rpcs_answer_during_initial_block_download():
    node = make_node(REGTEST, FakeFluxnodeList(500, {1: [record(1)]}), FakeChain(500), ibd=True)
    assert call(node, "getfluxnodecount")["total"] == 1
    assert list(call(node, "fluxnodecurrentwinner")) == ["CUMULUS Winner"]
    assert call(node, "getstartlist") == [] and call(node, "getdoslist") == []


@pytest.mark.parametrize("method, params, first_line", [
    ("viewdeterministicfluxnodelist", ["a", "b"], 'viewdeterministicfluxnodelist ( "filter" )'),
    ("viewdeterministiczelnodelist", ["a", "b"], 'viewdeterministiczelnodelist ( "filter" )'),
    ("listzelnodes", ["a", "b"], 'listzelnodes ( "filter" )'),
    ("getfluxnodecount", [1], "getfluxnodecount"), ("getzelnodecount", [1], "getzelnodecount"),
    ("fluxnodecurrentwinner", ["x"], "fluxnodecurrentwinner"), ("zelnodecurrentwinner", ["x"], "zelnodecurrentwinner"),
    ("getstartlist", [0], "getstartlist"), ("getdoslist", [0], "getdoslist"),
])  # fmt: skip
def test_too_many_params_answer_the_help_text(method, params, first_line):
    node = make_node(REGTEST, FakeFluxnodeList(500), FakeChain(500))
    with pytest.raises(RPCError) as failure:
        call(node, method, *params)
    assert failure.value.code == -1 and failure.value.message.split("\n", 1)[0] == first_line
    assert failure.value.message.endswith("\n") and "\nExamples:\n> flux-cli " + method + " \n" in failure.value.message


@pytest.mark.parametrize("bad_filter", [5, True, None, ["x"]])
def test_filter_must_be_a_string(bad_filter):
    node = make_node(REGTEST, FakeFluxnodeList(500), FakeChain(500))
    with pytest.raises(RPCError) as failure:
        call(node, "viewdeterministicfluxnodelist", bad_filter)
    assert (failure.value.code, failure.value.message) == (-1, "JSON value is not a string as expected")


def test_help_texts_are_the_cpp_ones():
    table = fluxnode_table()
    assert table.help("getstartlist").startswith("getstartlist\n\nGet a list of all fluxnodes in the start list\n")
    assert table.help("getdoslist").startswith("getdoslist\n\nGet a list of all fluxnodes in the DOS list\n")
    assert table.help("getzelnodecount").startswith("getzelnodecount\n\nGet fluxnode count values\n")
    assert table.help("zelnodecurrentwinner").startswith("zelnodecurrentwinner\n\nGet current zelnode winner\n")
    assert '"method": "getdoslist", "params": [] }' in table.help("getdoslist")
    listed = table.help().split("\n")
    assert listed[0] == "== Fluxnode ==" and 'viewdeterministicfluxnodelist ( "filter" )' in listed


# --- getstartlist / getdoslist windows ----------------------------------------------------------


def pending_node(params, tip: int, status: int, added_heights: list[int]):
    records = [record(seed, status=status, added_height=added) for seed, added in enumerate(added_heights)]
    lists = FakeFluxnodeList(tip, started=records if status == STARTED else (), dos=records if status == DOS else ())
    return make_node(params, lists, FakeChain(tip)), records


START_WINDOWS = [  # regtest without a PoN height has -1 (NO_ACTIVATION_HEIGHT): C++ IsPONActive is true there
    (MAIN, 2_019_999, 60), (MAIN, 2_020_000, 240), (REGTEST_PON_AT_100, 99, 60), (REGTEST_PON_AT_100, 400, 240), (REGTEST, 400, 240),
]  # fmt: skip
DOS_WINDOWS = [(MAIN, 2_019_999, 180), (MAIN, 2_020_000, 720), (REGTEST_PON_AT_100, 99, 180), (REGTEST_PON_AT_100, 800, 720), (REGTEST, 800, 720)]


@pytest.mark.parametrize("params, tip, window", START_WINDOWS)
def test_getstartlist_expires_in_uses_the_window_of_the_tip(params, tip, window):
    added = [tip, tip - 10, tip - window, tip - window - 1, tip + 1, tip - 10]
    node, records = pending_node(params, tip, STARTED, added)
    result = call(node, "getstartlist")
    tied = sorted(records[i].collateral for i in (1, 5))
    expected = [(records[2].collateral, 0), (tied[0], window - 10), (tied[1], window - 10), (records[0].collateral, window)]
    assert [(entry["collateral"], entry["expires_in"]) for entry in result] == [
        (fluxnodes.collateral_text(outpoint), left) for outpoint, left in expected
    ]  # expired (-1) and future (window + 1) entries are not listed; ties in outpoint order
    assert list(result[0]) == ["collateral", "added_height", "payment_address", "expires_in", "amount"]
    assert result[0]["added_height"] == tip - window and result[0]["amount"] == "1000.00"


@pytest.mark.parametrize("params, tip, window", DOS_WINDOWS)
def test_getdoslist_eligible_in_uses_the_window_of_the_tip(params, tip, window):
    node, records = pending_node(params, tip, DOS, [tip - 5, tip - window, tip - window - 1, tip])
    result = call(node, "getdoslist")
    assert [entry["eligible_in"] for entry in result] == [0, window - 5, window]
    assert [entry["collateral"] for entry in result] == [fluxnodes.collateral_text(records[i].collateral) for i in (1, 0, 3)]
    assert list(result[0]) == ["collateral", "added_height", "payment_address", "eligible_in", "amount"]


def test_pre_pon_doslist_keeps_entries_up_to_the_pon_window():
    """C++ walks eligible_in 0..720 whatever the window: a pre-PoN entry added above the tip still shows."""
    node, _ = pending_node(REGTEST_PON_AT_100, 99, DOS, [99 + 300, 99 + 540, 99 + 541])
    assert [entry["eligible_in"] for entry in call(node, "getdoslist")] == [480, 720]


def test_pending_entry_without_collateral_value_has_no_amount():
    node, _ = pending_node(REGTEST, 400, STARTED, [395])
    node.chainstate.fluxnode_list().pending[STARTED][0] = record(0, status=STARTED, added_height=395, collateral_amount=0)
    assert list(call(node, "getstartlist")[0]) == ["collateral", "added_height", "payment_address", "expires_in"]


# --- a real node without a fluxnode list ---------------------------------------------------------


def test_a_chainstate_without_a_fluxnode_list_answers_an_empty_list(tmp_path):
    chainstate = Chainstate(REGTEST, MemoryStore(COLUMNS), BlockFiles(tmp_path / "blocks", REGTEST.message_start), FakeClock())
    chainstate.load()
    context = NodeContext(args=parse_parameters([]), params=REGTEST, net_dir=tmp_path)
    context.chainstate = chainstate
    register_all(context.rpc_table)
    context.rpc_table.set_warmup(None)
    answer = lambda method, *params: context.rpc_table.execute(context, method, list(params))  # noqa: E731
    assert answer("viewdeterministicfluxnodelist") == [] and answer("listzelnodes", "x") == []
    assert answer("getfluxnodecount") == {"total": 0, "stable": 0, "basic-enabled": 0, "super-enabled": 0, "bamf-enabled": 0,
                                          "cumulus-enabled": 0, "nimbus-enabled": 0, "stratus-enabled": 0,
                                          "ipv4": 0, "ipv6": 0, "onion": 0}  # fmt: skip
    assert answer("fluxnodecurrentwinner") == {} and answer("getstartlist") == [] and answer("getdoslist") == []
    assert context.rpc_table.help("getfluxnodecount").startswith("getfluxnodecount\n")
