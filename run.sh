#!/usr/bin/env bash
# Install fluxd into a .venv beside this file and start the node.
# Arguments go to fluxd unchanged, e.g. `./run.sh -regtest` or `./run.sh` for mainnet.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# Install only when the install is missing or older than the sources (a start needs no network then).
STAMP=.venv/.fluxd-installed
if [ ! -f "$STAMP" ] || [ ! -x .venv/bin/fluxd ] || [ -n "$(find pyproject.toml src -newer "$STAMP" -print -quit)" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
    .venv/bin/python -m pip install --quiet .
    touch "$STAMP"
fi
# fluxd (like the C++ daemon) refuses to start without a configuration file; an empty one means
# "all defaults", so create it on a fresh machine.
DATADIR="$HOME/.flux"
NETDIR=""
for arg in "$@"; do
    case "$arg" in
        -datadir=*|--datadir=*) DATADIR="${arg#*=}" ;;
        -regtest|-regtest=1) NETDIR="/regtest" ;;
        -testnet|-testnet=1) NETDIR="/testnet3" ;;
    esac
done
mkdir -p "$DATADIR"
if [ ! -f "$DATADIR/flux.conf" ] && [ ! -f "$DATADIR/zelcash.conf" ]; then
    : > "$DATADIR/flux.conf"
fi
echo "fluxd log: $DATADIR$NETDIR/debug.log" >&2
exec .venv/bin/fluxd "$@"
