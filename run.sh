#!/usr/bin/env bash
# Install fluxd into a .venv beside this file and start the node.
# Arguments go to fluxd unchanged, e.g. `./run.sh -regtest` or `./run.sh` for mainnet.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet .
# fluxd (like the C++ daemon) refuses to start without a configuration file; an empty one means
# "all defaults", so create it on a fresh machine.
DATADIR="$HOME/.flux"
for arg in "$@"; do
    case "$arg" in
        -datadir=*|--datadir=*) DATADIR="${arg#*=}" ;;
    esac
done
mkdir -p "$DATADIR"
if [ ! -f "$DATADIR/flux.conf" ] && [ ! -f "$DATADIR/zelcash.conf" ]; then
    : > "$DATADIR/flux.conf"
fi
exec .venv/bin/fluxd "$@"
