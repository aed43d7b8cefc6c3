#!/usr/bin/env bash
# Stops the server started by start-postgres.sh.
root=${1:-/tmp/velvet-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -d "$root/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$root/data" -m fast stop >/dev/null 2>&1
exit 0
