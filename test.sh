#!/usr/bin/env bash
# Set up the test environment (a .venv beside this file) and run every check:
# the import-layer contracts, then the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -n 2 "$@"
