#!/usr/bin/env bash
# Installs what the web dashboard's browser tests drive Chromium with: node (Debian's, when
# missing), puppeteer-core (which downloads no browser) and axe-core, at the versions
# package-lock.json pins. Run by scripts/browser-test.sh.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
