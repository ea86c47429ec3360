"""The frozen parameter set of one Flux network (C++ CChainParams + Consensus::Params).

Values are built by ``fluxd.params.networks`` and always passed explicitly;
there is no process-wide "selected network".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fluxd.params.upgrades import NetworkUpgrade, Upgrade


@dataclass(frozen=True, slots=True)
class EquihashParams:
    n: int
    k: int

    @property
    def solution_size(self) -> int:
        """Bytes of a minimal solution: 2^k indices of n/(k+1)+1 bits each."""
        return (1 << self.k) * (self.n // (self.k + 1) + 1) // 8

    @property
    def personalization(self) -> bytes:
        """'ZelProof' for 144,5 and 125,4 (ZelHash), 'ZcashPoW' otherwise."""
        return b"ZelProof" if (self.n, self.k) in ((144, 5), (125, 4)) else b"ZcashPoW"


EH200_9 = EquihashParams(200, 9)
EH144_5 = EquihashParams(144, 5)
ZELHASH = EquihashParams(125, 4)
EH96_5 = EquihashParams(96, 5)
EH48_5 = EquihashParams(48, 5)


@dataclass(frozen=True, slots=True)
class GenesisFields:
    time: int
    nonce_rev: bytes
    solution: bytes
    bits: int
    version: int
    reward: int
    hash_rev: bytes
    merkle_root_rev: bytes


@dataclass(frozen=True, slots=True)
class Checkpoints:
    entries: tuple[tuple[int, bytes], ...]  # (height, block hash _rev), ascending
    time_last_checkpoint: int
    transactions_last_checkpoint: int
    transactions_per_day: float

    @property
    def last_height(self) -> int:
        return self.entries[-1][0] if self.entries else 0


@dataclass(frozen=True, slots=True)
class Base58Prefixes:
    pubkey_address: bytes
    script_address: bytes
    secret_key: bytes
    ext_public_key: bytes
    ext_secret_key: bytes
    zc_payment_address: bytes
    zc_viewing_key: bytes
    zc_spending_key: bytes


@dataclass(frozen=True, slots=True)
class Bech32Hrps:
    sapling_payment_address: str
    sapling_full_viewing_key: str
    sapling_incoming_viewing_key: str
    sapling_extended_spend_key: str


@dataclass(frozen=True, slots=True)
class TierTransition:
    """Collateral V1 -> V2 window of one fluxnode tier (both heights inclusive in C++ checks)."""

    begin_height: int
    end_height: int


@dataclass(frozen=True, slots=True)
class ChainParams:
    network_id: str  # "main", "test" or "regtest"
    currency_units: str
    bip44_coin_type: int
    message_start: bytes
    default_port: int
    rpc_port: int
    prune_after_height: int
    alert_pubkey: bytes
    upgrades: tuple[NetworkUpgrade, ...]  # indexed by Upgrade
    coinbase_must_be_protected: bool
    subsidy_slow_start_interval: int
    subsidy_halving_interval: int
    majority_enforce_block_upgrade: int
    majority_reject_block_outdated: int
    majority_window: int
    digishield_averaging_window: int
    digishield_max_adjust_down: int
    digishield_max_adjust_up: int
    pow_allow_min_difficulty_blocks_after_height: int | None
    pow_target_spacing: int
    pon_target_spacing: int
    pon_difficulty_window: int
    pon_initial_subsidy: int
    pon_subsidy_reduction_interval: int
    pon_max_reductions: int
    zawy_lwma_averaging_window: int
    eh_epoch_fade_length: int
    pow_limit: int
    pon_limit: int
    pon_start_limit: int
    minimum_chain_work: int
    eh_epoch_1: EquihashParams
    eh_epoch_2: EquihashParams
    eh_epoch_3: EquihashParams
    genesis: GenesisFields
    dns_seeds: tuple[tuple[str, str], ...]
    base58: Base58Prefixes
    bech32: Bech32Hrps
    mining_requires_peers: bool
    default_consistency_checks: bool
    require_standard: bool
    mine_blocks_on_demand: bool
    start_fluxnode_payments_height: int
    benchmarking_pubkeys: tuple[tuple[bytes, int], ...]  # (pubkey, valid from unix time)
    p2sh_pubkeys: tuple[tuple[bytes, int], ...]
    emergency_pubkeys: tuple[bytes, ...]
    emergency_collateral_hash_rev: bytes
    emergency_min_signatures: int
    checkpoints: Checkpoints
    exchange_funding_address: str
    exchange_funding_height: int
    exchange_funding_amount: int
    foundation_funding_address: str
    foundation_funding_height: int
    foundation_funding_amount: int
    swap_pool_address: str
    swap_pool_start_height: int
    swap_pool_amount: int
    swap_pool_interval: int
    swap_pool_max_times: int
    dev_fund_address: str
    cumulus_transition: TierTransition
    nimbus_transition: TierTransition
    stratus_transition: TierTransition

    @property
    def genesis_hash_rev(self) -> bytes:
        return self.genesis.hash_rev

    @property
    def is_regtest(self) -> bool:
        return self.network_id == "regtest"

    @property
    def is_testnet(self) -> bool:
        return self.network_id == "test"

    @property
    def data_subdir(self) -> str:
        """Where C++ keeps this network's data under -datadir ('' for mainnet)."""
        return {"main": "", "test": "testnet3", "regtest": "regtest"}[self.network_id]

    def activation_height(self, upgrade: Upgrade) -> int:
        return self.upgrades[upgrade].activation_height

    def with_activation_heights(self, overrides: dict[Upgrade, int]) -> "ChainParams":
        """A copy with some upgrade activation heights replaced (regtest -nuparams)."""
        upgrades = list(self.upgrades)
        for upgrade, height in overrides.items():
            if upgrade is Upgrade.BASE_SPROUT:
                raise ValueError("the base epoch cannot be overridden")
            upgrades[upgrade] = replace(upgrades[upgrade], activation_height=height)
        return replace(self, upgrades=tuple(upgrades))

    def with_benchmarking_pubkey(self, pubkey: bytes) -> "ChainParams":
        """A copy whose only benchmarking key is ``pubkey``, valid from time 0 (regtest -regtestbenchmarkpubkey)."""
        return replace(self, benchmarking_pubkeys=((pubkey, 0),))
