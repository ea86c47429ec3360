"""Every network parameter against ../shared/vectors/chainparams_facts.json, and genesis rebuilds."""

from __future__ import annotations

import pytest

from fluxd.core.amount import COIN
from fluxd.params.chainparams import EH48_5, EH144_5, EH200_9, ZELHASH
from fluxd.params.genesis import build_genesis_block
from fluxd.params.networks import params_for_network, regtest_params
from fluxd.params.upgrades import ALWAYS_ACTIVE, NO_ACTIVATION_HEIGHT, UPGRADE_INFO, Upgrade
from fluxd.util.hexutil import rev_to_hum
from tests.vectors import load_json

NETWORKS = ("main", "test", "regtest")
UPGRADE_KEYS = {upgrade: ("BASE_SPROUT" if upgrade is Upgrade.BASE_SPROUT else f"UPGRADE_{upgrade.name}") for upgrade in Upgrade}
EH_NAMES = {"eh200_9": EH200_9, "eh144_5": EH144_5, "zelHash": ZELHASH, "eh48_5": EH48_5}


def facts(network: str) -> dict:
    return load_json("chainparams_facts.json")["networks"][network]


def height_of(value) -> int:
    return {"ALWAYS_ACTIVE": ALWAYS_ACTIVE, "NO_ACTIVATION_HEIGHT": NO_ACTIVATION_HEIGHT}.get(value, value)


@pytest.mark.parametrize("network", NETWORKS)
def test_upgrades_match_facts(network):
    params = params_for_network(network)
    for upgrade, key in UPGRADE_KEYS.items():
        expected = facts(network)["network_upgrades"][key]
        got = params.upgrades[upgrade]
        assert got.protocol_version == expected["protocol_version"]
        assert got.activation_height == height_of(expected["activation_height"])
        assert UPGRADE_INFO[upgrade].branch_id == int(expected["consensus_branch_id"], 16)
        expected_hash = expected["hash_activation_block"]
        assert (got.hash_activation_block_rev and rev_to_hum(got.hash_activation_block_rev)) == (expected_hash or None)


@pytest.mark.parametrize("network", NETWORKS)
def test_consensus_values_match_facts(network):
    params = params_for_network(network)
    consensus = facts(network)["consensus"]
    pairs = {
        "fCoinbaseMustBeProtected": params.coinbase_must_be_protected,
        "nSubsidySlowStartInterval": params.subsidy_slow_start_interval,
        "nSubsidyHalvingInterval": params.subsidy_halving_interval,
        "nMajorityEnforceBlockUpgrade": params.majority_enforce_block_upgrade,
        "nMajorityRejectBlockOutdated": params.majority_reject_block_outdated,
        "nMajorityWindow": params.majority_window,
        "nDigishieldAveragingWindow": params.digishield_averaging_window,
        "nDigishieldMaxAdjustDown": params.digishield_max_adjust_down,
        "nDigishieldMaxAdjustUp": params.digishield_max_adjust_up,
        "nPowTargetSpacing": params.pow_target_spacing,
        "nPonTargetSpacing": params.pon_target_spacing,
        "nPonDifficultyWindow": params.pon_difficulty_window,
        "nPONInitialSubsidy": params.pon_initial_subsidy,
        "nPONSubsidyReductionInterval": params.pon_subsidy_reduction_interval,
        "nPONMaxReductions": params.pon_max_reductions,
        "nZawyLWMAAveragingWindow": params.zawy_lwma_averaging_window,
        "eh_epoch_fade_length": params.eh_epoch_fade_length,
    }
    for key, value in pairs.items():
        assert value == consensus[key], key
    min_difficulty = consensus["nPowAllowMinDifficultyBlocksAfterHeight"]
    assert params.pow_allow_min_difficulty_blocks_after_height == (None if min_difficulty == "std::nullopt" else min_difficulty)
    assert params.pow_limit == int(consensus["powLimit"], 16)
    assert params.pon_limit == int(consensus["ponLimit"], 16)
    assert params.pon_start_limit == int(consensus["ponStartLimit"], 16)
    assert params.minimum_chain_work == int(consensus["nMinimumChainWork"] or "0", 16)


@pytest.mark.parametrize("network", NETWORKS)
def test_network_values_match_facts(network):
    params = params_for_network(network)
    fact = facts(network)
    assert params.network_id == fact["strNetworkID"]
    assert params.currency_units == fact["currency_units"]
    assert params.message_start.hex() == fact["pchMessageStart_hex"]
    assert params.default_port == fact["nDefaultPort"]
    assert params.rpc_port == load_json("chainparams_facts.json")["rpc_ports"][network]
    assert params.alert_pubkey.hex() == (fact["vAlertPubKey"] or "")
    assert [list(seed) for seed in params.dns_seeds] == fact["dns_seeds"]
    prefixes = fact["base58Prefixes_hex"]
    assert params.base58.pubkey_address.hex() == prefixes["PUBKEY_ADDRESS"]
    assert params.base58.script_address.hex() == prefixes["SCRIPT_ADDRESS"]
    assert params.base58.secret_key.hex() == prefixes["SECRET_KEY"]
    assert params.base58.zc_spending_key.hex() == prefixes["ZCSPENDING_KEY"]
    assert params.bech32.sapling_payment_address == fact["bech32HRPs"]["SAPLING_PAYMENT_ADDRESS"]
    assert params.require_standard == fact["fRequireStandard"]
    assert params.mine_blocks_on_demand == fact["fMineBlocksOnDemand"]
    assert params.start_fluxnode_payments_height == fact["nStartFluxnodePaymentsHeight"]
    assert [(key.hex(), since) for key, since in params.benchmarking_pubkeys] == [
        (entry["pubkey"], entry["valid_from_time"]) for entry in fact["vecBenchmarkingPublicKeys"]
    ]
    assert [key.hex() for key in params.emergency_pubkeys] == fact["vecEmergencyPublicKeys"]
    assert params.emergency_min_signatures == fact["nEmergencyMinSignatures"]
    epochs = fact["equihash_epochs"]
    assert params.eh_epoch_1 == EH_NAMES[epochs["eh_epoch_1"]]
    assert params.eh_epoch_2 == EH_NAMES[epochs["eh_epoch_2"]]
    # regtest leaves eh_epoch_3 at the C++ member default, zelHash
    assert params.eh_epoch_3 == EH_NAMES[epochs["eh_epoch_3"] or "zelHash"]


@pytest.mark.parametrize("network", NETWORKS)
def test_checkpoints_and_funding_match_facts(network):
    params = params_for_network(network)
    fact = facts(network)
    assert [(height, rev_to_hum(block_hash)) for height, block_hash in params.checkpoints.entries] == [
        tuple(entry) for entry in fact["checkpoints"]
    ]
    heights = [height for height, _ in params.checkpoints.entries]
    assert heights == sorted(set(heights))
    assert params.checkpoints.time_last_checkpoint == fact["checkpoint_stats"]["nTimeLastCheckpoint"]
    funding = fact["funding_and_transitions"]
    assert params.exchange_funding_address == funding["strExchangeFundingAddress"]
    assert params.exchange_funding_amount == funding["nExchangeFundingAmount_FLUX"] * COIN
    assert params.foundation_funding_height == funding["nFoundationFundingHeight"]
    assert params.swap_pool_amount == funding["nSwapPoolAmount_FLUX"] * COIN
    assert params.swap_pool_interval == funding["nSwapPoolInterval"]
    assert params.dev_fund_address == funding["strDevFundAddress"]
    assert params.stratus_transition.end_height == funding["nEndStratusTransition"]
    assert params.cumulus_transition.begin_height == funding["nBeginCumulusTransition"]


@pytest.mark.parametrize("network", NETWORKS)
def test_genesis_rebuilds_to_known_hash(network):
    params = params_for_network(network)
    block = build_genesis_block(params)
    genesis = facts(network)["genesis"]
    assert block.hash_hum == genesis["hash"]
    assert rev_to_hum(block.header.merkle_root_rev) == genesis["merkle_root"]
    assert block.hash_rev == params.genesis_hash_rev == params.checkpoints.entries[0][1]
    assert block.header.bits == int(genesis["nBits"], 16)
    assert len(block.header.solution) == genesis["nSolution_len"]


@pytest.mark.parametrize("network", NETWORKS)
def test_genesis_bytes_match_recorded_block(network):
    recorded = [
        entry
        for entry in load_json("flux_mainnet/blocks.json")["blocks"]
        if entry["network"] == network and entry["height"] == 0
    ]
    assert len(recorded) == 1
    assert build_genesis_block(params_for_network(network)).to_bytes().hex() == recorded[0]["block_hex"]


def test_regtest_overrides_replace_only_the_named_upgrade():
    params = regtest_params({Upgrade.PON: 300, Upgrade.FLUX: 10})
    assert params.activation_height(Upgrade.PON) == 300
    assert params.activation_height(Upgrade.FLUX) == 10
    assert params.activation_height(Upgrade.KAMATA) == NO_ACTIVATION_HEIGHT
    assert regtest_params().activation_height(Upgrade.PON) == NO_ACTIVATION_HEIGHT
    with pytest.raises(ValueError):
        regtest_params({Upgrade.BASE_SPROUT: 5})
