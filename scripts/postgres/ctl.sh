#!/usr/bin/env bash
# Controls a scratch PostgreSQL of start.sh or standby.sh, as its owner.
# Usage: scripts/postgres/ctl.sh DIR crash|promote
#   crash:   stop at once, as a power loss would (pg_ctl -m immediate: no checkpoint, clients cut off)
#   promote: make a standby the primary, waiting until it accepts writes
set -euo pipefail

dir=${1:?usage: ctl.sh DIR crash|promote}
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
if [ "$(id -u)" = 0 ]; then as_owner() { runuser -u postgres -- "$@"; }; else as_owner() { "$@"; }; fi
case "${2:-}" in
    crash) as_owner "$bin/pg_ctl" -D "$dir/pg" -m immediate stop > /dev/null ;;
    promote) as_owner "$bin/pg_ctl" -D "$dir/pg" -w promote > /dev/null ;;
    *) echo "usage: ctl.sh DIR crash|promote" >&2; exit 2 ;;
esac
