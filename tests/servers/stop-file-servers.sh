#!/usr/bin/env bash
# Stops what start-file-servers.sh started, removes the throw-away user and
# the state directory (configs, keys, the user's home with uploaded files).
# VELVET_KEEP_USER=1 keeps the user and the directory (used on restart).
set -uo pipefail

state_dir="${VELVET_FILE_SERVERS_DIR:-/tmp/velvet-file-servers}"
user_name="velvetftp"

for pid_file in "$state_dir"/*.daemon.pid; do
  [[ -f $pid_file ]] || continue
  pid=$(cat "$pid_file")
  # Only signal the process we started: setsid made it a session leader, so
  # its pid is also its process group id (vsftpd forks per connection).
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$pid_file"
done

if [[ ${VELVET_KEEP_USER:-0} != 1 ]]; then
  if id "$user_name" >/dev/null 2>&1; then
    # userdel refuses while a session of the user is still alive; say so
    # rather than killing processes we did not start.
    userdel "$user_name" 2>/dev/null || echo "stop-file-servers: could not remove user $user_name" >&2
  fi
  rm -rf "$state_dir"
fi
echo "stop-file-servers: stopped" >&2
