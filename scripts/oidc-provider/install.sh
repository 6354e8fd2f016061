#!/usr/bin/env bash
# Installs what the sign-in tests start: node (Debian's, when missing) and node-oidc-provider at
# the version package-lock.json pins. Run by .ci/run and by the README's test command.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
