#!/usr/bin/env bash
# The browser tests, in headless Chromium (Debian's `chromium`): the printable client record
# dashboard (printed PDF and rendered DOM show every section), GraphiQL, and the web dashboard
# (scripts/web-test: users' tasks end to end with axe-core on every page). Installs Chromium
# when missing and fails when it cannot. Screenshots and the printed dashboard are kept in
# CASELEDGER_ARTIFACTS (default: artifacts/browser) for a person to look at. Run by .ci/run;
# never by `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

find_chromium() {
    for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
        if [ -n "$candidate" ] && command -v "$candidate" > /dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! CHROMIUM="$(find_chromium)"; then
    echo "== installing Debian's chromium for the dashboard browser test"
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        apt-get install -y --no-install-recommends chromium > /dev/null 2>&1 \
            || { apt-get update > /dev/null 2>&1 \
                 && apt-get install -y --no-install-recommends chromium > /dev/null 2>&1; } \
            || true
    fi
    if ! CHROMIUM="$(find_chromium)"; then
        echo "FAIL dashboard browser test: chromium is not installed and could not be installed (need root and apt-get with network access to the Debian mirrors)"
        exit 1
    fi
fi
export CHROMIUM
export CASELEDGER_ARTIFACTS="${CASELEDGER_ARTIFACTS:-$PWD/artifacts/browser}"
mkdir -p "$CASELEDGER_ARTIFACTS"
echo "== dashboard browser test with $CHROMIUM"
cargo test --workspace --test dashboard_browser -- --ignored

echo "== web dashboard in headless Chromium: users' tasks end to end, axe-core on every page"
bash scripts/web-test/install.sh
cargo build --bin caseledger
target_dir="${CARGO_TARGET_DIR:-target}"
export CASELEDGER_BIN="$target_dir/debug/caseledger"
node --test --test-concurrency=1 scripts/web-test/
