#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and benchmarks.
#   eval "$(scripts/pg-throwaway.sh start 54329 [durable])"   prints PGDATA_DIR=... ; role and db "sasom"
#   scripts/pg-throwaway.sh stop "$PGDATA_DIR"
# PostgreSQL refuses to run as root, so as root the cluster belongs to the "postgres" user.
# Tests run with fsync off (a crash loses nothing we keep); "durable" keeps PostgreSQL's defaults.
set -euo pipefail
cmd=${1:?start|stop}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }

run_as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
start)
  port=${2:-54329}
  mode=${3:-fast}
  dir=$(mktemp -d /tmp/sasom-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres; chown postgres "$dir"; }
  run_as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200"
  if [ "$mode" != durable ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  run_as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "$opts" start >/dev/null
  run_as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE ROLE sasom LOGIN SUPERUSER" >/dev/null
  run_as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE sasom OWNER sasom" >/dev/null
  echo "PGDATA_DIR=$dir"
  ;;
stop)
  dir=${2:?data dir}
  run_as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start PORT [durable] | stop DIR" >&2; exit 2 ;;
esac
