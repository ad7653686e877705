#!/usr/bin/env bash
# Prints a DATABASE_URL for the tests: the machine's server at 127.0.0.1:5432 when one answers,
# otherwise a private throwaway cluster (stopped by `scripts/test-postgres.sh stop`). The private
# one listens only on a Unix socket in a 0700 directory: no other local user can reach it.
# OPSDECK_TEST_PG=private forces the private cluster (to check that path on a machine with a server).
source "$(dirname "$0")/lib.sh"
DIR="${TMPDIR:-/tmp}/opsdeck-test-pg-$(id -u)"
PORT=55432
URL="postgres://postgres@localhost/postgres?host=$DIR&port=$PORT"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  if [ -f "$DIR/data/postmaster.pid" ]; then as_pg "$(bin_dir)/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
  exit 0
fi

if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; exit 0; fi
if [ "${OPSDECK_TEST_PG:-}" != private ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "postgres://postgres@127.0.0.1:5432/postgres"; exit 0
fi
if pg_isready -q -h "$DIR" -p $PORT 2>/dev/null; then  # left running by an interrupted run
  echo "$URL"; exit 0
fi
BIN="$(bin_dir)"
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries: apt-get install postgresql" >&2; exit 1; }
say "no Postgres at 127.0.0.1:5432: starting a private one in $DIR"
mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
chmod 700 "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
fi
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
echo "$URL"
