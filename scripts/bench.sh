#!/usr/bin/env bash
# The benchmarks of docs/performance.md: builds its own data on a throwaway durable PostgreSQL 15
# cluster and on SQLite, runs B1-B6, prints the table and (full mode) records it in
# docs/performance.md with the date and the core count.
#   bash scripts/bench.sh            full sizes (about 15 minutes on 2 cores)
#   bash scripts/bench.sh --quick    the same steps on smaller data (about 10 minutes); prints only
#   bash scripts/bench.sh --quick --write   the same, and records the table (when a full run is out of reach)
#   bash scripts/bench.sh --smoke    tiny, SQLite only: proves the harness works (CI)
#   bash scripts/bench.sh --catalog  only B7, the product import at full size (prints, records nothing)
#   bash scripts/bench.sh --tiers    only B1 then B9 (with a tier ladder), quick sizes (prints, records nothing)
#   bash scripts/bench.sh --promotions  only B1 then B1+ (member discounts, 50 promotions, a ladder), quick sizes
# SASOM_BENCH_PGPORT (default 54350) and SASOM_BENCH_HTTP_PORT (default 18350) choose the ports.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
write=--write
only=""
case "${1:-}" in
  --catalog) only="--only B7"; write="" ;;
  --tiers) only="--only B9"; write=""; mode=quick ;;
  --promotions) only="--only B1+"; write=""; mode=quick ;;
  --quick) mode=quick; write="" ;;
  --smoke) mode=smoke; write="" ;;
  "" | --full) ;;
  *) echo "usage: $0 [--quick|--smoke|--catalog|--tiers|--promotions]" >&2; exit 2 ;;
esac
[ "${2:-}" = --write ] && write=--write
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e . >/dev/null
export PYTHONDONTWRITEBYTECODE=1

if [ "$mode" = smoke ]; then
  exec .venv/bin/python bench/run.py --mode smoke
fi

port="${SASOM_BENCH_PGPORT:-54350}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
eval "$(scripts/pg-throwaway.sh start "$port" durable)"
trap 'scripts/pg-throwaway.sh stop "$PGDATA_DIR" >/dev/null 2>&1 || true' EXIT
.venv/bin/python bench/run.py --mode "$mode" $write $only \
  --pg-url "postgres://sasom@127.0.0.1:$port/sasom" --pg-port "$port" --pg-datadir "$PGDATA_DIR" --pg-bindir "$bindir"
