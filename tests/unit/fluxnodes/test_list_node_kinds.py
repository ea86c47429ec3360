"""v6 P2SH nodes, delegates, old collateral after the tier transition, tiers by amount."""

from __future__ import annotations

import pytest

from fluxd.chainstate.coins import Coin
from fluxd.chainstate.fluxnodes.records import CONFIRMED
from fluxd.consensus.validation import ValidationError
from fluxd.core.amount import COIN
from fluxd.core.hashes import hash160
from fluxd.core.keys import PrivateKey
from fluxd.core.script import p2sh_script
from tests.fluxnode_building import build_start_v6_delegates_update, build_start_v6_p2sh, multisig_redeem_script
from tests.unit.fluxnodes.list_harness import ListHarness, era_params


def test_a_v6_p2sh_node_is_paid_to_its_redeem_scripts_hash():
    harness = ListHarness(era_params(), 2_000)
    node = harness.new_node()
    signers = [PrivateKey(bytes([40 + index]) * 32) for index in range(2)]
    redeem = multisig_redeem_script(1, signers)
    coin = harness.coins[node.collateral]
    harness.coins[node.collateral] = Coin(coin.value, p2sh_script(hash160(redeem)), coin.height, False)
    harness.connect(build_start_v6_p2sh(node.collateral, redeem, signers[1], node.operator.pubkey, 1_700_000_000))
    harness.connect(node.confirm())
    record = harness.list().get(node.collateral)
    assert record.status == CONFIRMED and record.payee_script == p2sh_script(hash160(redeem)) and record.redeem_script == redeem
    harness.connect()  # the payout goes to the P2SH script
    assert harness.history[-1][0].transactions[0].vout[0].script_pubkey == p2sh_script(hash160(redeem))


def test_a_v6_p2sh_start_whose_redeem_script_does_not_match_the_coin_is_refused():
    harness = ListHarness(era_params(), 2_000)
    node = harness.new_node()
    redeem = multisig_redeem_script(1, [PrivateKey(bytes([50]) * 32)])
    coin = harness.coins[node.collateral]
    harness.coins[node.collateral] = Coin(coin.value, p2sh_script(hash160(b"other")), coin.height, False)
    with pytest.raises(ValidationError) as refused:
        harness.connect(build_start_v6_p2sh(node.collateral, redeem, PrivateKey(bytes([50]) * 32), node.operator.pubkey, 1))
    assert refused.value.reason == "fluxnode-tx-p2shnodes-destinations-didn't-match"


def test_delegate_keys_are_stored_by_an_update_start_and_restored_at_disconnect():
    harness = ListHarness(era_params(pon_height=1), 2_000)
    node = harness.new_node()
    delegates = [PrivateKey(bytes([60 + index]) * 32).pubkey for index in range(2)]
    before = harness.snapshot()
    harness.connect(build_start_v6_delegates_update(node.collateral, node.owner, node.operator.pubkey, 1_700_000_000, delegates))
    assert harness.list().delegate_keys(node.collateral) == delegates
    harness.disconnect()
    assert harness.list().delegate_keys(node.collateral) is None and harness.snapshot() == before


def test_old_collateral_expires_once_its_tiers_transition_ends():
    harness = ListHarness(era_params(), 50)  # regtest: Stratus accepts 100,000 and 40,000 below 100, then 40,000 only
    old_stratus, new_stratus = harness.new_node(100_000 * COIN), harness.new_node(40_000 * COIN)
    old_cumulus = harness.new_node(10_000 * COIN)  # Cumulus keeps both amounts until 1,000
    harness.connect(old_stratus.start(), new_stratus.start(), old_cumulus.start())
    harness.connect(old_stratus.confirm(), new_stratus.confirm(), old_cumulus.confirm())
    assert [harness.list().get(node.collateral).tier for node in (old_stratus, new_stratus, old_cumulus)] == [3, 3, 1]
    while harness.height < 99:
        harness.connect()
    assert harness.list().get(old_stratus.collateral) is not None
    harness.connect()  # height 100: the Stratus transition has ended
    assert harness.list().get(old_stratus.collateral) is None
    assert harness.list().get(new_stratus.collateral) is not None and harness.list().get(old_cumulus.collateral) is not None
