"""Configuration: command line + ``flux.conf`` (fallback ``zelcash.conf``) as C++ util.cpp reads them.

Command-line values win; conf-file values only fill what the command line did
not set; multi-value options (``addnode``, ``rpcallowip``…) collect both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fluxd.util.args import Args, interpret_negative


class ConfigError(Exception):
    """A problem the operator must fix; the message is printed as is."""


class MissingConfigFile(ConfigError):
    pass


MISSING_CONF_TEXT = """Before starting fluxd, you need to create a configuration file:
{path}
It can be completely empty! That indicates you are happy with the default
configuration of fluxd. But requiring a configuration file to start ensures
that fluxd won't accidentally compromise your privacy if there was a default
option you needed to change.
"""


def default_datadir() -> Path:
    """GetDefaultDataDir: ~/.flux, or ~/.zelcash when only that one exists."""
    home = Path(os.environ.get("HOME") or "/")
    flux_dir = home / ".flux"
    zelcash_dir = home / ".zelcash"
    if not flux_dir.is_dir() and zelcash_dir.is_dir():
        return zelcash_dir
    return flux_dir


def datadir(args: Args) -> Path:
    """GetDataDir(false): -datadir made absolute against the cwd, else the default."""
    if args.is_set("-datadir"):
        return Path(os.path.abspath(args.get("-datadir")))
    return default_datadir()


def config_file(args: Args) -> Path:
    """GetConfigFile: -conf (relative to the datadir), flux.conf, else zelcash.conf."""
    base = datadir(args)
    flux_conf = Path(args.get("-conf", "flux.conf"))
    flux_conf = flux_conf if flux_conf.is_absolute() else base / flux_conf
    if flux_conf.is_file():
        return flux_conf
    zelcash_conf = Path(args.get("-conf", "zelcash.conf"))
    return zelcash_conf if zelcash_conf.is_absolute() else base / zelcash_conf


@dataclass(frozen=True, slots=True)
class ConfigLine:
    key: str
    value: str


def parse_config_text(text: str) -> list[ConfigLine]:
    """key=value lines; blank lines, '#' comments and lines without '=' are skipped."""
    entries = []
    for raw in text.splitlines():
        line = raw.strip(" \t\r\n")
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.rstrip(" \t")
        value = value.lstrip(" \t")
        if key:
            entries.append(ConfigLine(key, value))
    return entries


def read_config_file(args: Args, require: bool = True) -> Path:
    """ReadConfigFile: merge the conf file into ``args``; returns the file used."""
    path = config_file(args)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        if require:
            raise MissingConfigFile(MISSING_CONF_TEXT.format(path=path)) from None
        return path
    for entry in parse_config_text(text):
        name = "-" + entry.key
        if name not in args.values:
            args.values[name] = entry.value
            interpret_negative(args, name)
        args.multi.setdefault(name, []).append(entry.value)
    return path


def network_id(args: Args) -> str:
    """SelectParamsFromCommandLine: 'main', 'test' or 'regtest' (both flags is an error)."""
    regtest, testnet = args.get_bool("-regtest"), args.get_bool("-testnet")
    if regtest and testnet:
        raise ConfigError("Error: Invalid combination of -regtest and -testnet.")
    return "regtest" if regtest else "test" if testnet else "main"


def net_datadir(args: Args, network: str) -> Path:
    """GetDataDir(true): the network's subdirectory (regtest/, testnet3/), created if needed."""
    sub = {"main": "", "test": "testnet3", "regtest": "regtest"}[network]
    path = datadir(args) / sub if sub else datadir(args)
    path.mkdir(parents=True, exist_ok=True)
    return path
