"""Parameters of mainnet, testnet and regtest (C++ chainparams.cpp, chainparamsbase.cpp).

Transcribed from ../shared/vectors/chainparams_facts.json; tests compare every
value against that file and rebuild each genesis block.  ``regtest_params``
takes the activation overrides that ``-nuparams`` gives and the benchmarking
key that ``-regtestbenchmarkpubkey`` gives.
"""

from __future__ import annotations

from fluxd.core.amount import COIN
from fluxd.params.chainparams import (
    EH48_5,
    EH144_5,
    EH200_9,
    ZELHASH,
    Base58Prefixes,
    Bech32Hrps,
    ChainParams,
    Checkpoints,
    GenesisFields,
    TierTransition,
)
from fluxd.params.genesis_solutions import GENESIS_SOLUTIONS_HEX
from fluxd.params.upgrades import ALWAYS_ACTIVE, NO_ACTIVATION_HEIGHT, NetworkUpgrade, Upgrade
from fluxd.util.hexutil import hum_to_rev

def main_params() -> ChainParams:
    """The main network."""
    return ChainParams(
        network_id="main",
        currency_units="ZEL",
        bip44_coin_type=19167,
        message_start=bytes.fromhex("24e92764"),
        default_port=16125,
        rpc_port=16124,
        prune_after_height=100_000,
        alert_pubkey=bytes.fromhex("04025b2cf3a116782a69bb68cb4ae5ba3b7f05069f7139b75573dd28e48f8992d95c118122b618d4943456ad64e7356b0b45b2ef179cbe3d9767a2426662d13d32"),
        upgrades=(
            NetworkUpgrade(170002, ALWAYS_ACTIVE, None),  # BASE_SPROUT
            NetworkUpgrade(170002, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_TESTDUMMY
            NetworkUpgrade(170002, 125_000, None),  # UPGRADE_LWMA
            NetworkUpgrade(170002, 125_100, None),  # UPGRADE_EQUI144_5
            NetworkUpgrade(170007, 250_000, hum_to_rev("0000001d65fa78f2f6c172a51b5aca59ee1927e51f728647fca21b180becfe59")),  # UPGRADE_ACADIA
            NetworkUpgrade(170012, 372_500, hum_to_rev("00000052e2ac144c2872ff641c646e41dac166ac577bc9b0837f501aba19de4a")),  # UPGRADE_KAMIOOKA
            NetworkUpgrade(170016, 558_000, hum_to_rev("000000a33d38f37f586b843a9c8cf6d1ff1269e6114b34604cabcd14c44268d4")),  # UPGRADE_KAMATA
            NetworkUpgrade(170017, 835_554, hum_to_rev("000000ce99aa6765bdaae673cdf41f661ff20a116eb6f2fe0843488d8061f193")),  # UPGRADE_FLUX
            NetworkUpgrade(170018, 1_076_532, hum_to_rev("000000111f8643ce24d9753dbc324220877299075a8a6102da61ef4460296325")),  # UPGRADE_HALVING
            NetworkUpgrade(170019, 1_549_500, hum_to_rev("00000009f9178347f3dea495a089400050c3388e07f9c871fb1ebddcab1f8044")),  # UPGRADE_P2SHNODES
            NetworkUpgrade(170020, 2_020_000, None),  # UPGRADE_PON
        ),
        coinbase_must_be_protected=True,
        subsidy_slow_start_interval=5_000,
        subsidy_halving_interval=655_350,
        majority_enforce_block_upgrade=750,
        majority_reject_block_outdated=950,
        majority_window=4_000,
        digishield_averaging_window=17,
        digishield_max_adjust_down=32,
        digishield_max_adjust_up=16,
        pow_allow_min_difficulty_blocks_after_height=None,
        pow_target_spacing=120,
        pon_target_spacing=30,
        pon_difficulty_window=30,
        pon_initial_subsidy=14,
        pon_subsidy_reduction_interval=1_051_200,
        pon_max_reductions=20,
        zawy_lwma_averaging_window=60,
        eh_epoch_fade_length=11,
        pow_limit=int("0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        pon_limit=int("0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        pon_start_limit=int("000bffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        minimum_chain_work=int("000000000000000000000000000000000000000000000000000021f5d5da5d73", 16),
        eh_epoch_1=EH200_9,
        eh_epoch_2=EH144_5,
        eh_epoch_3=ZELHASH,
        genesis=GenesisFields(
            time=1516980000,
            nonce_rev=hum_to_rev("0000000000000000000000000000000000000000000000000000000000001a8c"),
            solution=bytes.fromhex(GENESIS_SOLUTIONS_HEX["main"]),
            bits=0x1f07ffff,
            version=4,
            reward=0,
            hash_rev=hum_to_rev("00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444"),
            merkle_root_rev=hum_to_rev("94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a"),
        ),
        dns_seeds=(("dnsseed.asoftwaresolution.com", "dnsseed.asoftwaresolution.com"), ("vps.zel.network", "dnsseed.zel.network"), ("vps.runonflux.io", "dnsseed.runonflux.io"),),
        base58=Base58Prefixes(
            pubkey_address=bytes.fromhex("1cb8"),
            script_address=bytes.fromhex("1cbd"),
            secret_key=bytes.fromhex("80"),
            ext_public_key=bytes.fromhex("0488b21e"),
            ext_secret_key=bytes.fromhex("0488ade4"),
            zc_payment_address=bytes.fromhex("169a"),
            zc_viewing_key=bytes.fromhex("a8abd3"),
            zc_spending_key=bytes.fromhex("ab36"),
        ),
        bech32=Bech32Hrps(
            sapling_payment_address="za",
            sapling_full_viewing_key="zviewa",
            sapling_incoming_viewing_key="zivka",
            sapling_extended_spend_key="secret-extended-key-main",
        ),
        mining_requires_peers=True,
        default_consistency_checks=False,
        require_standard=True,
        mine_blocks_on_demand=False,
        start_fluxnode_payments_height=560_000,
        benchmarking_pubkeys=(
            (bytes.fromhex("042e79d7dd1483996157df6b16c831be2b14b31c69944ea2a585c63b5101af1f9517ba392cee5b1f45a62e9d936488429374535a2f76870bfa8eea6667b13eb39e"), 0),
            (bytes.fromhex("04517413e51fa9b2e94f200b254cca69beb86f2d74bf66ca53854ba66bc376dde9b52e9b4403731d9a4f3e8edd9687f1e1824b688fe26454bd9fb823a3307b4682"), 1618113600),
            (bytes.fromhex("0480dff65aa9d4b4c4234e4723a5e7c5bf527ca683b53aa26a7225cc5eb16e6e79f9629eb5f96c12b173de7a20e9823b2d36575759f3490864922f7ed04e171fad"), 1647262800),
            (bytes.fromhex("0437d58236a849ebe0e6558c1517e1f5c56749e04a2f7a7daedd4ef7c9fb6a773f32a33fe5ddad88b9af3ff496ee5ce79ce245c258bafa4e8d287baa3d54c6c65f"), 1706209200),
            (bytes.fromhex("04e54965119e89861f80135b13f56c3b5cc55ad2b916d9705052fc91d2894f9cb19151a8d61c6e9ea4812075dd32f06fde5965589ffa1517ab1bd2ddbc66a39f42"), 1743534000),
        ),
        p2sh_pubkeys=(
            (bytes.fromhex("04ab11edbb8a15f7cc2628a4a2c18cea095d250f8c9a2924cbd581b8d8fb3a8b91e39e5febddb7ffc60f20dfd352a40aa4f061aa60a9ace26d43e1b7a18aea4162"), 0),
        ),
        emergency_pubkeys=(
            bytes.fromhex("025ee73f72d6996f94fe6ec9fac3f9ba6dcb947ed46dfbda530fc73ff99c667a4e"),
            bytes.fromhex("026f4281124d10eb90589831bac405d715ad79051ac5243d21c322d2abf2fd81e2"),
            bytes.fromhex("03083d65c2f57cfe4d1c34eb575bd9d836f5111dd0de86405d48211bf42ea30403"),
            bytes.fromhex("03674c29f348124e998fd838228a3ff050ca26fe0c13ad98698585cbbf796b461e"),
        ),
        emergency_collateral_hash_rev=hum_to_rev("1111111111111111111111111111111111111111111111111111111111111111"),
        emergency_min_signatures=2,
        checkpoints=Checkpoints(
            entries=(
                (0, hum_to_rev("00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444")),
                (5_500, hum_to_rev("0000000e7724f8bace09dd762657169c10622af4a6a8e959152cd00b9119848e")),
                (35_000, hum_to_rev("000000004646dd797644b9c67aff320961e95c311b4f26985424b720d09fcaa5")),
                (70_000, hum_to_rev("00000001edcf7768ed39fac55414e53a78d077b1b41fccdaf9307d7bc219626a")),
                (94_071, hum_to_rev("00000005ec83876bc5288badf0971ae83ac7c6a286851f7b22a75a03e73b401a")),
                (277_649, hum_to_rev("00000004a53f9271d05071a052b3738b46663f3335d14b6aea965a3cb70c0cc8")),
                (400_000, hum_to_rev("000000390342f0e52443ad79b43e5d85b78bf519667aeb3aa980d76caeda0369")),
                (530_000, hum_to_rev("0000004b4459ec6904e8116d178c357b0f25a7d45c5c5836ce3714791f1ed124")),
                (600_000, hum_to_rev("000000dea4478401e6ab95f6d05ade810115411e95e75fab9fd94a44df4b1e1d")),
                (700_000, hum_to_rev("0000000845ef03939225cc592773fd7aef54b5232fc42790c46ef6f11ee3e8d4")),
                (800_000, hum_to_rev("000000451b73f495b2f6ad38bd89d15495551fc15c2078ad7af3d54d06422cc6")),
                (900_000, hum_to_rev("000001e1ad2bb5e3cabb09559b6e65b871bf1d2a51bcc141ce45fc4cbd1d9cd8")),
                (1_000_000, hum_to_rev("0000001a80e7f30d21fb14116cd01d51e1fad8ac84cc960896f4691a57368a47")),
                (1_040_000, hum_to_rev("00000007f3b465bd4b0e161e43c05a3d946144330e33ea3a91cb952e6ef86b7d")),
                (1_040_577, hum_to_rev("000000071fe89682ac260bc0a49621344eb28ae01659c9e7ce86e3762e45f52d")),
                (1_042_126, hum_to_rev("0000000295e4663178fd9e533787e74206645910a2bfb61938db5f67796eaad0")),
                (1_060_000, hum_to_rev("0000000fd721d8d381c4b24a4f78fc036955d7a0f98d2765b8c7badad8b66c1b")),
                (1_442_798, hum_to_rev("0000000cc561fecb2ecfd22ba7af09450ca8cf270f407ce8b948195ff2aa0d13")),
                (1_518_503, hum_to_rev("0000000dba41dc84c52a3933af49d316fff49a76b49d42bd5b6d20c4e451a0ef")),
                (1_791_720, hum_to_rev("0000000abc7bd62a213e0dab43c9c01220b031a568fdfb5c2ef89e6b30054bdc")),
                (2_020_500, hum_to_rev("af2a1bd59c61f64860b4b45bd65358743fda40d8420564b58c39df45be7da97c")),
                (2_021_000, hum_to_rev("d2dcec473e809575e30ec2c0f400758120f5121b8268f90cdb8a7dbefe285b0d")),
                (2_021_500, hum_to_rev("fa98471f31ffc1366330bababc090ad5cb6bd23c25bb3b61d1e1ed07a77d6126")),
                (2_022_000, hum_to_rev("40a060546a56eb7fab0fd33ab3e6de834ff0d5273847d4f231a9addecfc44f61")),
                (2_029_000, hum_to_rev("4856dc788a973db4cc537465c9ef80288e1eb065898993d72371b1ee48c248b4")),
            ),
            time_last_checkpoint=1761701944,
            transactions_last_checkpoint=118_366_352,
            transactions_per_day=38658.0,
        ),
        exchange_funding_address="t3PMbbA5YBMrjSD3dD16SSdXKuKovwmj6tS",
        exchange_funding_height=836_274,
        exchange_funding_amount=7_500_000 * COIN,
        foundation_funding_address="t3XjYMBvwxnXVv9jqg4CgokZ3f7kAoXPQL8",
        foundation_funding_height=836_994,
        foundation_funding_amount=2_500_000 * COIN,
        swap_pool_address="t3ThbWogDoAjGuS6DEnmN1GWJBRbVjSUK4T",
        swap_pool_start_height=837_714,
        swap_pool_amount=22_000_000 * COIN,
        swap_pool_interval=21_600,
        swap_pool_max_times=10,
        dev_fund_address="t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA",
        cumulus_transition=TierTransition(1_076_532, 1_086_612),
        nimbus_transition=TierTransition(1_081_572, 1_092_372),
        stratus_transition=TierTransition(1_087_332, 1_097_412),
    )


def testnet_params() -> ChainParams:
    """The test network."""
    return ChainParams(
        network_id="test",
        currency_units="TESTFLUX",
        bip44_coin_type=1,
        message_start=bytes.fromhex("fa1af9bf"),
        default_port=26125,
        rpc_port=26124,
        prune_after_height=1_000,
        alert_pubkey=bytes.fromhex("044b5cb8fd1db34e2d89a93e7becf3fb35dd08a81bb3080484365e567136403fd4a6682a43d8819522ae35394704afa83de1ef069a3104763fd0ebdbdd505a1386"),
        upgrades=(
            NetworkUpgrade(170002, ALWAYS_ACTIVE, None),  # BASE_SPROUT
            NetworkUpgrade(170002, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_TESTDUMMY
            NetworkUpgrade(170002, 70, None),  # UPGRADE_LWMA
            NetworkUpgrade(170002, 140, None),  # UPGRADE_EQUI144_5
            NetworkUpgrade(170007, 210, None),  # UPGRADE_ACADIA
            NetworkUpgrade(170012, 280, None),  # UPGRADE_KAMIOOKA
            NetworkUpgrade(170016, 350, None),  # UPGRADE_KAMATA
            NetworkUpgrade(170017, 420, None),  # UPGRADE_FLUX
            NetworkUpgrade(170018, 520, None),  # UPGRADE_HALVING
            NetworkUpgrade(170019, 600, None),  # UPGRADE_P2SHNODES
            NetworkUpgrade(170020, 800, None),  # UPGRADE_PON
        ),
        coinbase_must_be_protected=True,
        subsidy_slow_start_interval=1,
        subsidy_halving_interval=655_350,
        majority_enforce_block_upgrade=51,
        majority_reject_block_outdated=75,
        majority_window=400,
        digishield_averaging_window=17,
        digishield_max_adjust_down=32,
        digishield_max_adjust_up=16,
        pow_allow_min_difficulty_blocks_after_height=0,
        pow_target_spacing=60,
        pon_target_spacing=30,
        pon_difficulty_window=60,
        pon_initial_subsidy=14,
        pon_subsidy_reduction_interval=525_600,
        pon_max_reductions=20,
        zawy_lwma_averaging_window=60,
        eh_epoch_fade_length=10,
        pow_limit=int("0effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        pon_limit=int("0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        pon_start_limit=int("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        minimum_chain_work=int("00", 16),
        eh_epoch_1=EH48_5,
        eh_epoch_2=EH48_5,
        eh_epoch_3=EH48_5,
        genesis=GenesisFields(
            time=1582228940,
            nonce_rev=hum_to_rev("000000000000000000000000000000000000000000000000000000000000021c"),
            solution=bytes.fromhex(GENESIS_SOLUTIONS_HEX["test"]),
            bits=0x2007ffff,
            version=4,
            reward=0,
            hash_rev=hum_to_rev("0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1"),
            merkle_root_rev=hum_to_rev("94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a"),
        ),
        dns_seeds=(("flux-testnet-seed.asoftwaresolution.com", "flux-testnet-seed.asoftwaresolution.com"), ("test.vps.zel.network", "test.dnsseed.zel.network"), ("test.vps.runonflux.io", "test.dnsseed.runonflux.io"),),
        base58=Base58Prefixes(
            pubkey_address=bytes.fromhex("1d25"),
            script_address=bytes.fromhex("1cba"),
            secret_key=bytes.fromhex("ef"),
            ext_public_key=bytes.fromhex("043587cf"),
            ext_secret_key=bytes.fromhex("04358394"),
            zc_payment_address=bytes.fromhex("16b6"),
            zc_viewing_key=bytes.fromhex("a8ac0c"),
            zc_spending_key=bytes.fromhex("ac08"),
        ),
        bech32=Bech32Hrps(
            sapling_payment_address="ztestacadia",
            sapling_full_viewing_key="zviewtestacadia",
            sapling_incoming_viewing_key="zivktestacadia",
            sapling_extended_spend_key="secret-extended-key-test",
        ),
        mining_requires_peers=False,
        default_consistency_checks=False,
        require_standard=True,
        mine_blocks_on_demand=False,
        start_fluxnode_payments_height=350,
        benchmarking_pubkeys=(
            (bytes.fromhex("04d422e01f5acff68504b92df96a9004cf61be432a20efe83fe8a94c1aa730fe7dece5d2e8298f2d5672d4e569c55d9f0a73268ef7b92990d8c014e828a7cc48dd"), 0),
            (bytes.fromhex("042023568fbcc4715c34d8596feaabf0683b3dfa7280b2f4df0436311a31086a73fdf507d63c3ec89455037ba738375d17b309c2cd226f173a5ef7841400cd09ec"), 1617508800),
        ),
        p2sh_pubkeys=(
            (bytes.fromhex("04276f105ff36a670a56e75c2462cff05a4a7864756e6e1af01022e32752d6fe57b1e13cab4f2dbe3a6a51b4e0de83a5c4627345f5232151867850018c9a3c3a1d"), 0),
        ),
        emergency_pubkeys=(
            bytes.fromhex("029a1c55fa7e69dd99087f7ca799797052ae21327b94159e60b8cc5704eb188583"),
            bytes.fromhex("023c806b01f35a18b42b08f23f5c7e8490801a7da8fd6f6e77708d9f26f22c423e"),
            bytes.fromhex("02615c78e21078c21a63cb21cc4d29eaa148d97c3dcbe7be5d9d4dda4e969bb05a"),
            bytes.fromhex("033d301dc7ef7ab653da36da1285063ea9be1448d601e3c9f99185476b9d4ae1d1"),
        ),
        emergency_collateral_hash_rev=hum_to_rev("1111111111111111111111111111111111111111111111111111111111111111"),
        emergency_min_signatures=2,
        checkpoints=Checkpoints(
            entries=(
                (0, hum_to_rev("0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1")),
                (320, hum_to_rev("0237bf16aba912b0c68933809a7e7fe9553ddff1bc0782d2463fc5d161af1c46")),
            ),
            time_last_checkpoint=1693928849,
            transactions_last_checkpoint=0,
            transactions_per_day=750.0,
        ),
        exchange_funding_address="tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE",
        exchange_funding_height=4_100,
        exchange_funding_amount=7_500_000 * COIN,
        foundation_funding_address="tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE",
        foundation_funding_height=4_200,
        foundation_funding_amount=2_500_000 * COIN,
        swap_pool_address="tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE",
        swap_pool_start_height=4_300,
        swap_pool_amount=2_200_000 * COIN,
        swap_pool_interval=100,
        swap_pool_max_times=10,
        dev_fund_address="t2GoxS2SRmLQDnTyWePHjKD3izvFsKUAjrH",
        cumulus_transition=TierTransition(420, 520),
        nimbus_transition=TierTransition(420, 520),
        stratus_transition=TierTransition(420, 520),
    )


def _regtest_base_params() -> ChainParams:
    """The regtest network."""
    return ChainParams(
        network_id="regtest",
        currency_units="REG",
        bip44_coin_type=1,
        message_start=bytes.fromhex("aae83f5f"),
        default_port=26126,
        rpc_port=26124,
        prune_after_height=1_000,
        alert_pubkey=b"",
        upgrades=(
            NetworkUpgrade(170002, ALWAYS_ACTIVE, None),  # BASE_SPROUT
            NetworkUpgrade(170002, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_TESTDUMMY
            NetworkUpgrade(170002, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_LWMA
            NetworkUpgrade(170002, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_EQUI144_5
            NetworkUpgrade(170006, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_ACADIA
            NetworkUpgrade(170012, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_KAMIOOKA
            NetworkUpgrade(170016, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_KAMATA
            NetworkUpgrade(170017, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_FLUX
            NetworkUpgrade(170018, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_HALVING
            NetworkUpgrade(170019, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_P2SHNODES
            NetworkUpgrade(170020, NO_ACTIVATION_HEIGHT, None),  # UPGRADE_PON
        ),
        coinbase_must_be_protected=False,
        subsidy_slow_start_interval=0,
        subsidy_halving_interval=150,
        majority_enforce_block_upgrade=750,
        majority_reject_block_outdated=950,
        majority_window=1_000,
        digishield_averaging_window=17,
        digishield_max_adjust_down=0,
        digishield_max_adjust_up=0,
        pow_allow_min_difficulty_blocks_after_height=0,
        pow_target_spacing=120,
        pon_target_spacing=30,
        pon_difficulty_window=60,
        pon_initial_subsidy=14,
        pon_subsidy_reduction_interval=100,
        pon_max_reductions=10,
        zawy_lwma_averaging_window=60,
        eh_epoch_fade_length=11,
        pow_limit=int("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", 16),
        pon_limit=int("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", 16),
        pon_start_limit=int("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16),
        minimum_chain_work=int("00", 16),
        eh_epoch_1=EH48_5,
        eh_epoch_2=EH48_5,
        eh_epoch_3=ZELHASH,  # not set for regtest in C++: the member default (zelHash)
        genesis=GenesisFields(
            time=1296688602,
            nonce_rev=hum_to_rev("0000000000000000000000000000000000000000000000000000000000000016"),
            solution=bytes.fromhex(GENESIS_SOLUTIONS_HEX["regtest"]),
            bits=0x200f0f0f,
            version=4,
            reward=0,
            hash_rev=hum_to_rev("01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce"),
            merkle_root_rev=hum_to_rev("94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a"),
        ),
        dns_seeds=(),
        base58=Base58Prefixes(
            pubkey_address=bytes.fromhex("1d25"),
            script_address=bytes.fromhex("1cba"),
            secret_key=bytes.fromhex("ef"),
            ext_public_key=bytes.fromhex("043587cf"),
            ext_secret_key=bytes.fromhex("04358394"),
            zc_payment_address=bytes.fromhex("16b6"),
            zc_viewing_key=bytes.fromhex("a8ac0c"),
            zc_spending_key=bytes.fromhex("ac08"),
        ),
        bech32=Bech32Hrps(
            sapling_payment_address="zregtestsapling",
            sapling_full_viewing_key="zviewregtestsapling",
            sapling_incoming_viewing_key="zivkregtestsapling",
            sapling_extended_spend_key="secret-extended-key-regtest",
        ),
        mining_requires_peers=False,
        default_consistency_checks=True,
        require_standard=False,
        mine_blocks_on_demand=True,
        start_fluxnode_payments_height=100,
        benchmarking_pubkeys=(
            (bytes.fromhex("04cf3c34f01486bbb34c1a7ca11c2ddb1b3d98698c3f37d54452ff91a8cd5e92a6910ce5fc2cc7ad63547454a965df53ff5be740d4ef4ac89848c2bafd1e40e6b7"), 0),
            (bytes.fromhex("045d54130187b4c4bba25004bf615881c2d79b16950a59114df27dc9858d8e531fda4f3a27aa95ceb2bcc87ddd734be40a6808422655e5350fa9417874556b7342"), 1617508800),
        ),
        p2sh_pubkeys=(
            (bytes.fromhex("04276f105ff36a670a56e75c2462cff05a4a7864756e6e1af01022e32752d6fe57b1e13cab4f2dbe3a6a51b4e0de83a5c4627345f5232151867850018c9a3c3a1d"), 0),
        ),
        emergency_pubkeys=(
            bytes.fromhex("029a1c55fa7e69dd99087f7ca799797052ae21327b94159e60b8cc5704eb188583"),
            bytes.fromhex("023c806b01f35a18b42b08f23f5c7e8490801a7da8fd6f6e77708d9f26f22c423e"),
            bytes.fromhex("02615c78e21078c21a63cb21cc4d29eaa148d97c3dcbe7be5d9d4dda4e969bb05a"),
            bytes.fromhex("033d301dc7ef7ab653da36da1285063ea9be1448d601e3c9f99185476b9d4ae1d1"),
        ),
        emergency_collateral_hash_rev=hum_to_rev("1111111111111111111111111111111111111111111111111111111111111111"),
        emergency_min_signatures=1,
        checkpoints=Checkpoints(
            entries=(
                (0, hum_to_rev("01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce")),
            ),
            time_last_checkpoint=0,
            transactions_last_checkpoint=0,
            transactions_per_day=0.0,
        ),
        exchange_funding_address="tmRucHD85zgSigtA4sJJBDbPkMUJDcw5XDE",
        exchange_funding_height=10,
        exchange_funding_amount=3_000_000 * COIN,
        foundation_funding_address="t2DFGpj2tciojsGKKrGVwQ92hUwAxWQQgJ9",
        foundation_funding_height=10,
        foundation_funding_amount=2_500_000 * COIN,
        swap_pool_address="t2Dsexh4v5g2dpL2LLCsR1p9TshMm63jSBM",
        swap_pool_start_height=10,
        swap_pool_amount=2_100_000 * COIN,
        swap_pool_interval=10,
        swap_pool_max_times=5,
        dev_fund_address="t2GoxS2SRmLQDnTyWePHjKD3izvFsKUAjrH",
        cumulus_transition=TierTransition(0, 1_000),
        nimbus_transition=TierTransition(0, 1_000),
        stratus_transition=TierTransition(0, 100),
    )


def regtest_params(
    activation_overrides: dict[Upgrade, int] | None = None, benchmark_pubkey: bytes | None = None
) -> ChainParams:
    """The regtest network, with optional upgrade activation overrides and benchmarking key."""
    params = _regtest_base_params()
    if activation_overrides:
        params = params.with_activation_heights(activation_overrides)
    if benchmark_pubkey is not None:
        params = params.with_benchmarking_pubkey(benchmark_pubkey)
    return params


def params_for_network(network_id: str) -> ChainParams:
    """'main', 'test' or 'regtest' (no overrides)."""
    builders = {"main": main_params, "test": testnet_params, "regtest": regtest_params}
    if network_id not in builders:
        raise ValueError(f"Unknown network {network_id!r}")
    return builders[network_id]()
