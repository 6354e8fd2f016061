#!/usr/bin/env bash
# Installs what the web dashboard's browser tests drive Chromium with: node (Debian's, when
# missing), puppeteer-core (which downloads no browser) and axe-core, at the versions
# package-lock.json pins. Run by scripts/browser-test.sh.
set -euo pipefail
exec bash "$(dirname "$0")/../npm-install.sh" "$(dirname "$0")"
