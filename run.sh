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
exec .venv/bin/fluxd "$@"
