#!/usr/bin/env bash
# Install the desk into .venv and run it (the demo when no bot token is configured).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/dianxiaoer "$@"
