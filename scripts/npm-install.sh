#!/usr/bin/env bash
# Installs node (Debian's, when missing) and the npm packages of DIR at the versions its
# package-lock.json pins. Shared by the test components' install scripts.
set -euo pipefail
dir="$1"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
cd "$dir"
npm ci --no-audit --no-fund --loglevel=error
