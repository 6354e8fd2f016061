#!/usr/bin/env bash
# The append benchmark against a real peer: PostgreSQL from Debian's packages, started here on a
# Unix socket (no TCP port), with synchronous_commit=on, then the benchmark executable
# (`caseledger-bench --only append,peer`, what `caseledger bench` runs) so both run the same
# workload on the same disk in one run and the ratios are printed.
# Never needed by the tests. Usage: scripts/bench-peer.sh [--quick] [--json] [more flags]
# CASELEDGER_BENCH_GROUPS picks the groups (default append,peer; `fair` for the fair benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    echo "== installing Debian's postgresql"
    apt-get install -y --no-install-recommends postgresql > /dev/null \
        || { apt-get update > /dev/null && apt-get install -y --no-install-recommends postgresql > /dev/null; }
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
scratch=$(mktemp -d "${CASELEDGER_BENCH_DIR:-/tmp}/caseledger-peer.XXXXXX")
chown postgres "$scratch"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    as_postgres "$bin/pg_ctl" -D "$scratch/pg" -m fast stop > /dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT
as_postgres "$bin/initdb" -D "$scratch/pg" -U postgres --auth=trust > /dev/null
as_postgres "$bin/pg_ctl" -D "$scratch/pg" -l "$scratch/pg.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$scratch' -c synchronous_commit=on -c fsync=on -c max_connections=100" \
    start > /dev/null
echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $scratch (synchronous_commit=on)"

CASELEDGER_BENCH_DIR="$scratch" cargo run --release -q -p caseledger-bench -- --only "${CASELEDGER_BENCH_GROUPS:-append,peer}" \
    --peer "host=$scratch user=postgres dbname=postgres" "$@"
