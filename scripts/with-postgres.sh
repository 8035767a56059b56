#!/usr/bin/env bash
# Runs a command with TEST_DATABASE_URL pointing at a PostgreSQL database.
#
# If TEST_DATABASE_URL is already set, the command runs against it unchanged. Otherwise this starts
# a throwaway PostgreSQL cluster of its own (own data directory under /tmp, own port on 127.0.0.1,
# trust auth for the local test user), creates a fresh database for this run, runs the command,
# then stops the cluster and deletes its files, whatever the command's outcome. It also sets
# TEST_PG_RESTART to a script that restarts the cluster, for the database-restart fault test.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "==> PostgreSQL: using TEST_DATABASE_URL"
  exec "$@"
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL is not installed: run scripts/setup.sh --test, or set TEST_DATABASE_URL" >&2
  exit 1
fi

DIR=$(mktemp -d /tmp/signpost-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  chown postgres "$DIR"
  as_owner=(runuser -u postgres --)
fi

stop() {
  "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

echo "==> PostgreSQL: throwaway cluster on 127.0.0.1:$PORT ($("$PGBIN/postgres" --version))"
"${as_owner[@]}" "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
OPTIONS="-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"${as_owner[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o "$OPTIONS" \
  start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
# For the database-restart fault test (server/tests/db_restart.rs): restarts this cluster.
printf '#!/bin/sh\nexec %s "%s/pg_ctl" -D "%s/data" -l "%s/server.log" -w -m fast -o "%s" restart\n' \
  "${as_owner[*]}" "$PGBIN" "$DIR" "$DIR" "$OPTIONS" >"$DIR/restart.sh"
chmod +x "$DIR/restart.sh"
export TEST_PG_RESTART="$DIR/restart.sh"
"${as_owner[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres signpost_run

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/signpost_run"
"$@"
