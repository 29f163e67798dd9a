#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite on SQLite, then on PostgreSQL.
#   scripts/test.sh               everything (what CI runs)
#   scripts/test.sh -k ledger     extra arguments go to pytest (both databases)
#   SASOM_TEST_DBS=sqlite scripts/test.sh   one database only (sqlite | postgres)
#   SASOM_TEST_SEED=1234 scripts/test.sh     the test order of an earlier run (pytest-randomly)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -d /usr/share/fonts/truetype/tlwg ] || need_apt+=(fonts-thai-tlwg)
[ -d /usr/share/fonts/truetype/farsiweb ] || need_apt+=(fonts-farsiweb)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
# WeasyPrint (the reports' PDFs) needs Pango; chromium usually brings it
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing system packages (install as root): ${need_apt[*]}" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
export SASOM_CHROMIUM="${SASOM_CHROMIUM:-$(command -v chromium)}"
export PYTHONDONTWRITEBYTECODE=1

echo "== import layers (import-linter, pyproject.toml)"
.venv/bin/lint-imports --no-cache
echo "== mypy"
.venv/bin/python -m mypy

dbs="${SASOM_TEST_DBS:-sqlite postgres}"
# Tests run in a random order (pytest-randomly), the same on both databases; the seed is printed
# so that an order-dependent failure can be repeated. `scripts/test.sh -p no:randomly` runs them
# in file order.
case " $* " in
*" no:randomly "* | *" -pno:randomly "*) ;;
*)
  seed="${SASOM_TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
  echo "== test order: SASOM_TEST_SEED=$seed"
  set -- --randomly-seed="$seed" "$@"
  ;;
esac
workers="${SASOM_TEST_WORKERS:-2}"
status=0

for db in $dbs; do
  case "$db" in
  sqlite)
    echo "== test suite on SQLite"
    env -u DATABASE_URL .venv/bin/python -m pytest -q -n "$workers" "$@" || status=$?
    ;;
  postgres)
    echo "== test suite on PostgreSQL"
    PGPORT="${SASOM_PGPORT:-54329}"
    eval "$(scripts/pg-throwaway.sh start "$PGPORT")"
    trap 'scripts/pg-throwaway.sh stop "$PGDATA_DIR" >/dev/null 2>&1 || true' EXIT
    DATABASE_URL="postgres://sasom@127.0.0.1:$PGPORT/sasom" .venv/bin/python -m pytest -q -n "$workers" "$@" || status=$?
    scripts/pg-throwaway.sh stop "$PGDATA_DIR" >/dev/null 2>&1 || true
    trap - EXIT
    ;;
  *) echo "unknown database: $db" >&2; exit 2 ;;
  esac
done
exit $status
