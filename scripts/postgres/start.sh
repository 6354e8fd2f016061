#!/usr/bin/env bash
# Starts a scratch PostgreSQL from Debian's packages for the tests (and for trying the shared
# log by hand): a new cluster in DIR/pg, listening only on a Unix socket in DIR, with
# synchronous_commit=on and fsync=on. Installs Debian's postgresql when it is missing and fails
# when it cannot. Prints the libpq connection string on its last line of stdout.
# Usage: scripts/postgres/start.sh DIR [WATCH_PID]
#   WATCH_PID: stop the server and remove DIR once that process has exited (the test process).
set -euo pipefail

dir=${1:?usage: start.sh DIR [WATCH_PID]}
watch=${2:-}

if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    echo "== installing Debian's postgresql" >&2
    if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
        echo "PostgreSQL is not installed and cannot be installed here (need root and apt-get): apt-get install postgresql" >&2
        exit 1
    fi
    apt-get install -y --no-install-recommends postgresql > /dev/null 2>&1 \
        || { apt-get update > /dev/null 2>&1 \
             && apt-get install -y --no-install-recommends postgresql > /dev/null 2>&1; } \
        || { echo "apt-get could not install postgresql" >&2; exit 1; }
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")

mkdir -p "$dir"
# initdb refuses to run as root: the cluster belongs to Debian's postgres user then.
if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    as_owner() { runuser -u postgres -- "$@"; }
else
    as_owner() { "$@"; }
fi
as_owner "$bin/initdb" -D "$dir/pg" -U postgres --auth=trust > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
as_owner "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c synchronous_commit=on -c fsync=on -c max_connections=200" \
    start > /dev/null || { cat "$dir/pg.log" >&2; exit 1; }

if [ -n "$watch" ]; then
    # Detached from the caller's pipes, so the caller does not wait for it.
    nohup bash -c "while kill -0 $watch 2> /dev/null; do sleep 1; done
        $( [ "$(id -u)" = 0 ] && echo "runuser -u postgres --" ) '$bin/pg_ctl' -D '$dir/pg' -m immediate stop > /dev/null 2>&1
        rm -rf '$dir'" > /dev/null 2>&1 < /dev/null &
fi
echo "host=$dir user=postgres dbname=postgres"
