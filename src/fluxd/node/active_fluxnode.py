"""Start-up of the operator's fluxnode settings (C++ fluxd.cpp AppInit reading zelnode.conf, init.cpp AppInit2
step "fluxnode"): fluxnode.conf, -zelnode, -zelnodeoutpoint/-zelnodeindex, -zelnodeprivkey, -znconflock.

C++ reads only the zel* names; the flux* names (-fluxnode, -fluxnodeprivkey, -fluxnodeoutpoint,
-fluxnodeindex) are accepted as well, a zel* name winning when both are given.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from fluxd.core.keys import InvalidKeyError, decode_wif
from fluxd.core.tx_parts import OutPoint
from fluxd.util.args import Args
from fluxd.wallet.active_fluxnode import ActiveFluxnode, uint256_from_hex
from fluxd.wallet.fluxnode_config import FluxnodeConfigError, config_path, read_config

TXINDEX_NEEDED = ("Enabling Fluxnode support requires turning on transaction indexing."
                  "Please add txindex=1 to your configuration and start with -reindex")  # fmt: skip
BAD_OUTPOINT = "Invalid fluxnode outpoint data. assign fluxnodeoutpoint and fluxnodeindex."
BAD_PRIVKEY = "Invalid fluxnodeprivkey. Please see documenation."
log = logging.getLogger("fluxd.fluxnode")
NO_PRIVKEY = "You must specify a fluxnodeprivkey in the configuration. Please see documentation for help."


class FluxnodeInitError(Exception):
    """InitError text (printed as 'Error: <text>')."""


def _arg(args: Args, zel_name: str, flux_name: str, default: str) -> str:
    for option in (zel_name, flux_name):
        if args.is_set(option):
            return args.get(option)
    return default


def read_fluxnode_conf(args: Args, net_dir: Path, is_mainnet: bool):
    """fluxd.cpp: "Error reading zelnode configuration file: <strErr>" and exit when it does not parse."""
    path = config_path(net_dir, args.get("-znconf") if args.is_set("-znconf") else None)
    try:
        return tuple(read_config(path, is_mainnet))
    except FluxnodeConfigError as exc:
        raise FluxnodeInitError(f"Error reading zelnode configuration file: {exc}") from None


def load_active_fluxnode(args: Args, net_dir: Path, params) -> ActiveFluxnode:
    entries = read_fluxnode_conf(args, net_dir, params.network_id == "main")
    enabled = args.get_bool("-zelnode", args.get_bool("-fluxnode", False))
    named = sum(1 for entry in entries if entry.alias != "")
    if (enabled or named > 0) and not args.get_bool("-txindex", False):
        raise FluxnodeInitError(TXINDEX_NEEDED)
    conf_lock = args.get_bool("-znconflock", True)
    if not enabled:
        return ActiveFluxnode(entries=entries, conf_lock=conf_lock)
    _check_fluxnode_addr(args.get("-zelnodeaddr", ""))
    outpoint = _outpoint(args)
    privkey = _arg(args, "-zelnodeprivkey", "-fluxnodeprivkey", "")
    if not privkey:
        raise FluxnodeInitError(NO_PRIVKEY)
    try:
        pubkey = decode_wif(privkey, params.base58).pubkey
    except InvalidKeyError:
        raise FluxnodeInitError(BAD_PRIVKEY) from None
    return ActiveFluxnode(True, outpoint, privkey, pubkey, entries, conf_lock)


def _check_fluxnode_addr(text: str) -> None:
    """-zelnodeaddr: C++ only checks it is a valid service and logs it.  Numeric addresses are checked here; a
    name is taken as given (C++ would resolve it through DNS, which this node never does at start)."""
    log.info("IS FLUXNODE")
    log.info(" addr %s", text)
    if not text:
        return
    host, port = text, ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("x" if rest else "")
    elif text.count(":") == 1:
        host, port = text.split(":")
    if (port and not (port.isdigit() and 0 < int(port) < 65536)) or not host or not _host_ok(host):
        raise FluxnodeInitError(f"Invalid -zelnodeaddr address: {text}")


def _host_ok(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return all(part and all(c.isalnum() or c == "-" for c in part) for part in host.split("."))
    return not address.is_unspecified


def _outpoint(args: Args) -> OutPoint:
    """COutPoint(uint256S(-zelnodeoutpoint), GetArg(-zelnodeindex, -1)); null is refused."""
    name = "-zelnodeindex" if args.is_set("-zelnodeindex") else "-fluxnodeindex"
    index = args.get_int(name, -1)  # GetArg's atoi64: a bad number is 0
    outpoint = OutPoint(uint256_from_hex(_arg(args, "-zelnodeoutpoint", "-fluxnodeoutpoint", "")), index & 0xFFFFFFFF)
    if outpoint.is_null():
        raise FluxnodeInitError(BAD_OUTPOINT)
    return outpoint


def lock_conf_collaterals(wallet, active: ActiveFluxnode) -> None:
    """-znconflock (default on): lock every fluxnode.conf collateral in the wallet (C++ LockCoin, memory only)."""
    if not active.conf_lock or wallet is None:
        return
    with wallet.lock:
        for outpoint in active.conf_outpoints():
            wallet.locked_coins.add(outpoint)
