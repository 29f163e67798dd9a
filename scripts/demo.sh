#!/usr/bin/env bash
# Installs Sasom into .venv, builds the demo organization on SQLite and serves it (SASOM_BIND, by
# default 127.0.0.1:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
SASOM_DEMO_SERVES=1 .venv/bin/sasom demo "$@"
exec .venv/bin/sasom serve
