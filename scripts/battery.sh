#!/usr/bin/env bash
# The reliability and security battery (docs/reliability.md): rows R1-R8 against a throwaway
# durable PostgreSQL and a gunicorn server, both on loopback; writes the figures into
# docs/reliability.md. About 30 minutes; --quick takes a few.
#   scripts/battery.sh                 every row, full size
#   scripts/battery.sh --quick         shorter durations, for development
#   scripts/battery.sh --rows R1,R3    some rows only
# Ports: SASOM_BATTERY_PGPORT (54361) and SASOM_BATTERY_HTTPPORT (54369).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "run scripts/test.sh once first (it creates .venv)" >&2; exit 1; }
export PYTHONDONTWRITEBYTECODE=1
exec .venv/bin/python -m battery.run "$@"
