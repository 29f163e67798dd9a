#!/usr/bin/env bash
# Installs Sasom into .venv, builds the demo organization on SQLite and serves it on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
.venv/bin/sasom demo "$@"
exec .venv/bin/sasom serve
