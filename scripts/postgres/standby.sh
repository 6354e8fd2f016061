#!/usr/bin/env bash
# Makes a synchronous streaming-replication standby of a scratch PostgreSQL started by
# start.sh: pg_basebackup from the primary's Unix socket into STANDBY_DIR/pg, started on a
# socket in STANDBY_DIR as `standby1`, then named in the primary's synchronous_standby_names
# with synchronous_commit=remote_apply, so a commit returns once the standby has applied it.
# (max_connections as start.sh sets it: a standby needs at least the primary's.)
# Prints the standby's libpq connection string on its last line of stdout.
# Usage: scripts/postgres/standby.sh PRIMARY_DIR STANDBY_DIR [WATCH_PID]
set -euo pipefail

primary=${1:?usage: standby.sh PRIMARY_DIR STANDBY_DIR [WATCH_PID]}
dir=${2:?usage: standby.sh PRIMARY_DIR STANDBY_DIR [WATCH_PID]}
watch=${3:-}
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    as_owner() { runuser -u postgres -- "$@"; }
    owner_prefix="runuser -u postgres --"
else
    as_owner() { "$@"; }
    owner_prefix=""
fi
as_owner "$bin/pg_basebackup" -h "$primary" -U postgres -D "$dir/pg" -R -X stream > "$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log" >&2; exit 1; }
as_owner "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c cluster_name=standby1 -c hot_standby=on -c max_connections=200" \
    start > /dev/null || { cat "$dir/pg.log" >&2; exit 1; }
as_owner "$bin/psql" -h "$primary" -U postgres -d postgres -qAt \
    -c "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" \
    -c "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" \
    -c "SELECT pg_reload_conf()" > /dev/null
# Until the standby streams, commits would wait: wait for it to be the synchronous one.
for _ in $(seq 1 100); do
    state=$(as_owner "$bin/psql" -h "$primary" -U postgres -d postgres -qAt \
        -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")
    [ "$state" = sync ] && break
    sleep 0.1
done
[ "$state" = sync ] || { echo "the standby did not become synchronous (state: '$state')" >&2; exit 1; }

if [ -n "$watch" ]; then
    nohup bash -c "while kill -0 $watch 2> /dev/null; do sleep 1; done
        $owner_prefix '$bin/pg_ctl' -D '$dir/pg' -m immediate stop > /dev/null 2>&1
        rm -rf '$dir'" > /dev/null 2>&1 < /dev/null &
fi
echo "host=$dir user=postgres dbname=postgres"
