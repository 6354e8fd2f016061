#!/usr/bin/env bash
# Renders a client record dashboard page in headless Chromium (Debian's `chromium`) and checks
# that the printed PDF and the rendered DOM show every section. Installs Chromium when missing
# and fails when it cannot. Run by .ci/run; never by `cargo test`.
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
echo "== dashboard browser test with $CHROMIUM"
cargo test --workspace --test dashboard_browser -- --ignored
