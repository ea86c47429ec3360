"""What start-up shares before any service runs: the error it stops with, and the chain parameters chosen."""

from __future__ import annotations

from fluxd.node.config import ConfigError, network_id
from fluxd.params.chainparams import ChainParams
from fluxd.params.networks import params_for_network, regtest_params
from fluxd.params.nuparams import NuparamsError, parse_nuparams
from fluxd.util.args import Args


class StartupError(Exception):
    """Printed as 'Error: <message>' and the process exits with status 1."""


def select_params(args: Args) -> ChainParams:
    """-testnet / -regtest and -nuparams, as C++ SelectParams and its regtest overrides."""
    try:
        network = network_id(args)
        overrides = parse_nuparams(args.get_all("-nuparams"), network)
    except (ConfigError, NuparamsError) as exc:
        raise StartupError(str(exc)) from None
    return regtest_params(overrides) if network == "regtest" else params_for_network(network)
