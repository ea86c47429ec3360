"""What start-up shares before any service runs: the error it stops with, and the chain parameters chosen."""

from __future__ import annotations

from fluxd.node.config import ConfigError, network_id
from fluxd.node.net_options import NetOptionError, net_policy
from fluxd.node.options import not_built_options
from fluxd.params.benchmark_key import OPTION as BENCHMARK_KEY_OPTION
from fluxd.params.benchmark_key import BenchmarkKeyError, parse_regtest_benchmark_pubkey
from fluxd.params.chainparams import ChainParams
from fluxd.params.networks import params_for_network, regtest_params
from fluxd.core.address import is_valid_address
from fluxd.params.nuparams import NuparamsError, parse_nuparams
from fluxd.util.args import Args


class StartupError(Exception):
    """Printed as 'Error: <message>' and the process exits with status 1."""


def select_params(args: Args) -> ChainParams:
    """-testnet / -regtest, -nuparams and -regtestbenchmarkpubkey (C++ SelectParams and its regtest overrides)."""
    try:
        network = network_id(args)
        overrides = parse_nuparams(args.get_all("-nuparams"), network)
        benchmark_value = args.get(BENCHMARK_KEY_OPTION) if args.is_set(BENCHMARK_KEY_OPTION) else None
        benchmark_pubkey = parse_regtest_benchmark_pubkey(benchmark_value, network)
    except (ConfigError, NuparamsError, BenchmarkKeyError) as exc:
        raise StartupError(str(exc)) from None
    if network != "regtest":
        return params_for_network(network)
    return regtest_params(overrides, benchmark_pubkey)


def check_init_values(args: Args, params: ChainParams) -> None:
    """C++ AppInit2's refusals of bad option values, and options this node does not implement yet (before anything starts)."""
    try:
        net_policy(args)
    except NetOptionError as exc:
        raise StartupError(str(exc)) from None
    refused = not_built_options(args.values)
    if refused:
        raise StartupError("\n".join(f"-{name} is not supported by this node" for name in refused))
    for option in ("-rpcport", "-port"):
        value = args.get(option) if args.is_set(option) else None
        if value is not None and not (value.strip().isdigit() and 1 <= int(value) <= 65535):
            raise StartupError(f"Invalid port specified in {option}: '{value}'")  # later C++ (Bitcoin Core) text
    if args.is_set("-mineraddress") and not is_valid_address(args.get("-mineraddress"), params.base58):
        raise StartupError(
            f"Invalid address for -mineraddress=<addr>: '{args.get('-mineraddress')}' (must be a transparent address)"
        )
