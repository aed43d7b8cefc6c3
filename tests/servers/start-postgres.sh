#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 on 127.0.0.1 for the test suite and prints the connection string
# (also written to $PGROOT/connection). Installs Debian's postgresql package when missing.
# Usage: tests/servers/start-postgres.sh [root-dir] [port]
set -euo pipefail
root=${1:-/tmp/velvet-pg}
port=${2:-55432}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

if [ -f "$root/data/postmaster.pid" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
  cat "$root/connection"
  exit 0
fi

rm -rf "$root"
install -d -o postgres -g postgres "$root" "$root/data" "$root/socket"
runuser -u postgres -- "$bin/initdb" -D "$root/data" -U postgres --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$root/data" -l "$root/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $root/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
psql -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE ROLE velvet LOGIN SUPERUSER PASSWORD 'velvet'" >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=velvet;Password=velvet;Database=postgres" | tee "$root/connection"
