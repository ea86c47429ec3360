"""The fluxnode list block by block: START → CONFIRM → paid in turn, windows per era, expiry, DoS, undo."""

from __future__ import annotations

import pytest

from fluxd.chainstate.fluxnodes.records import CONFIRMED, DOS, STARTED
from fluxd.consensus.validation import ValidationError
from fluxd.core.amount import COIN
from fluxd.core.fluxnode_tx import CONFIRM_UPDATE
from tests.unit.fluxnodes.list_harness import ListHarness, era_params

START = 2_000


def _harness(**eras) -> ListHarness:
    return ListHarness(era_params(**eras), START)


def _status(harness, node):
    record = harness.list().get(node.collateral)
    return None if record is None else record.status


def _confirmed_node(harness, amount=1_000 * COIN):
    node = harness.new_node(amount)
    harness.connect(node.start())
    harness.connect(node.confirm())
    return node


def test_start_then_confirm_then_paid_next_block():
    harness = _harness()
    node = harness.new_node()
    harness.connect(node.start())
    record = harness.list().get(node.collateral)
    assert record.status == STARTED and record.added_height == START + 1 and record.tier == 1
    harness.connect(node.confirm(ip="1.2.3.4"))
    record = harness.list().get(node.collateral)
    assert (record.status, record.confirmed_height, record.last_confirmed_height, record.ip) == (CONFIRMED, START + 2, START + 2, "1.2.3.4")
    assert [payee.collateral for payee in harness.list().confirmed_in_payment_order(1)] == [node.collateral]
    with pytest.raises(ValidationError) as missing:
        harness.connect(coinbase=harness.coinbase(START + 3, payees=[]))
    assert missing.value.reason == "bad-txns-not-paying-correct-fluxnodes" and missing.value.dos == 1
    script, amount = harness.coinbase(START + 3).vout[0].script_pubkey, harness.coinbase(START + 3).vout[0].value
    with pytest.raises(ValidationError):
        harness.connect(coinbase=harness.coinbase(START + 3, payees=[(script, amount - 1)]))
    harness.connect()
    assert harness.list().get(node.collateral).last_paid_height == START + 3


def test_payee_order_never_paid_wins_a_tie_and_txids_compare_as_raw_bytes():
    harness = _harness()
    first, second = harness.new_node(), harness.new_node()
    harness.connect(first.start(), second.start())
    harness.connect(first.confirm(), second.confirm())
    order = [record.collateral for record in harness.list().confirmed_in_payment_order(1)]
    assert order == sorted([first.collateral, second.collateral], key=lambda outpoint: outpoint.txid_rev)
    harness.connect()  # pays order[0] at START + 3
    assert [record.collateral for record in harness.list().confirmed_in_payment_order(1)] == [order[1], order[0]]
    third = harness.new_node()
    harness.connect(third.start())
    harness.connect(third.confirm())  # START + 4 paid order[1], START + 5 paid order[0] and confirmed third
    ranked = [record.collateral for record in harness.list().confirmed_in_payment_order(1)]
    assert ranked == [order[1], third.collateral, order[0]]  # (START+4, paid) < (START+5, never paid) < (START+5, paid)


@pytest.mark.parametrize("pon, window", [(False, 60), (True, 240)])
def test_unconfirmed_start_moves_to_dos_after_its_window(pon, window):
    harness = _harness(pon_height=START + 1 if pon else 100_000)
    node = harness.new_node()
    harness.connect(node.start())
    harness.connect_empty(window - 1)
    assert _status(harness, node) == STARTED
    harness.connect()
    assert _status(harness, node) == DOS


def test_confirm_in_the_last_block_of_the_window_wins_over_the_dos_move():
    harness = _harness()
    node = harness.new_node()
    harness.connect(node.start())
    harness.connect_empty(59)
    harness.connect(node.confirm())
    assert _status(harness, node) == CONFIRMED


def test_dos_entry_is_removed_exactly_180_blocks_after_its_start_before_pon_and_a_new_start_refused_until_then():
    harness = _harness()
    node = harness.new_node()
    harness.connect(node.start())
    harness.connect_empty(179)
    assert _status(harness, node) == DOS
    with pytest.raises(ValidationError) as refused:
        harness.connect(node.start(sig_time=1_700_000_001))
    assert refused.value.reason == "fluxnode-tx-already-in-chain-or-waiting-for-dos-unban"
    harness.connect()
    assert _status(harness, node) is None
    harness.connect(node.start(sig_time=1_700_000_002))
    assert _status(harness, node) == STARTED


@pytest.mark.parametrize("eras, expiry", [
    ({"flux": 100_000, "halving": 100_000}, 60), ({"halving": 100_000}, 80), ({}, 160), ({"pon_height": 1}, 640),
])  # fmt: skip
def test_confirmed_node_expires_when_its_last_confirm_is_older_than_the_eras_count(eras, expiry):
    harness = _harness(**eras)
    node = _confirmed_node(harness)
    confirmed_at = harness.height
    harness.connect_empty(expiry)  # last confirm = height - expiry: not yet below
    assert _status(harness, node) == CONFIRMED and harness.height == confirmed_at + expiry
    harness.connect()
    assert _status(harness, node) is None


def test_update_confirm_keeps_a_node_and_must_respect_the_gap():
    harness = _harness()  # HALVING era: expiry 160, update gap 120
    node = _confirmed_node(harness)
    harness.connect_empty(119)
    with pytest.raises(ValidationError) as too_soon:
        harness.connect(node.confirm(CONFIRM_UPDATE))  # distance 120 is not > 120
    assert too_soon.value.reason == "fluxnode-tx-invalid-update-confirm-outpoint-not-confirmed-or-too-soon"
    harness.connect()
    harness.connect(node.confirm(CONFIRM_UPDATE))  # distance 121, same ip
    assert harness.list().get(node.collateral).last_confirmed_height == harness.height


def test_ip_change_is_allowed_after_five_blocks():
    harness = _harness()
    node = _confirmed_node(harness)
    harness.connect_empty(3)
    with pytest.raises(ValidationError):
        harness.connect(node.confirm(CONFIRM_UPDATE, ip="9.9.9.9"))  # distance 4
    harness.connect()
    harness.connect(node.confirm(CONFIRM_UPDATE, ip="9.9.9.9"))  # distance 5
    assert harness.list().get(node.collateral).ip == "9.9.9.9"


def test_spending_the_collateral_expires_a_confirmed_node():
    harness = _harness()
    node = _confirmed_node(harness)
    harness.connect(harness.spend(node.collateral))
    assert _status(harness, node) is None


@pytest.mark.parametrize("problem, reason", [
    ("young", "bad-txns-fluxnode-tx-inputs-missingorspent-Minimum height requirement not met"),
    ("amount", "bad-txns-fluxnode-tx-inputs-missingorspent-Couldn't get coin tier from amount"),
    ("owner", "fluxnode-tx-destinations-didn't-match"),
    ("missing", "fluxnode-tx-coins-not-found"),
])  # fmt: skip
def test_bad_starts_are_refused_with_the_cpp_reason(problem, reason):
    harness = _harness()
    node = harness.new_node(amount=1_234 * COIN if problem == "amount" else 1_000 * COIN, age=50 if problem == "young" else 100)
    if problem == "owner":
        node.owner = harness.new_node().owner
    if problem == "missing":
        del harness.coins[node.collateral]
    with pytest.raises(ValidationError) as refused:
        harness.connect(node.start())
    assert refused.value.reason == reason and refused.value.dos == 100


def test_confirm_of_an_unknown_node_or_a_second_start_is_refused():
    harness = _harness()
    node = harness.new_node()
    with pytest.raises(ValidationError) as unknown:
        harness.connect(node.confirm())
    assert unknown.value.reason == "fluxnode-tx-confirm-data-not-found"
    harness.connect(node.start())
    with pytest.raises(ValidationError) as again:
        harness.connect(node.start(sig_time=1_700_000_005))
    assert again.value.reason == "fluxnode-tx-already-in-chain-or-waiting-for-dos-unban"
    harness.connect(node.confirm())
    with pytest.raises(ValidationError) as confirmed:
        harness.connect(node.start(sig_time=1_700_000_006))
    assert confirmed.value.reason == "fluxnode-tx-already-in-confirm-chain"


def test_every_block_disconnected_restores_the_list_byte_for_byte():
    harness = _harness()
    snapshots = [harness.snapshot()]
    nodes = [harness.new_node() for _ in range(3)]
    blocks = [[node.start() for node in nodes], [nodes[0].confirm(), nodes[1].confirm()], [], [harness.spend(nodes[1].collateral)], []]
    for txs in blocks:
        harness.connect(*txs)
        snapshots.append(harness.snapshot())
    harness.connect_empty(60)  # nodes[2] moves to DoS
    snapshots_tail = harness.snapshot()
    for _ in range(60):
        harness.disconnect()
    assert harness.snapshot() == snapshots[-1] and snapshots_tail != snapshots[-1]
    for expected in reversed(snapshots[:-1]):
        harness.disconnect()
        assert harness.snapshot() == expected
