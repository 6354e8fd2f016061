#!/usr/bin/env bash
# Installs what the sign-in tests start: node (Debian's, when missing) and node-oidc-provider at
# the version package-lock.json pins. Run by .ci/run and by the README's test command.
set -euo pipefail
exec bash "$(dirname "$0")/../npm-install.sh" "$(dirname "$0")"
