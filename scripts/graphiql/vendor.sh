#!/usr/bin/env bash
# Copies the GraphiQL build that `serve --dev` serves (GraphiQL 3 and React 18, their UMD
# builds, at the versions package-lock.json pins) from npm into graphql/assets/graphiql,
# gzipped (the binary embeds and serves them as they are), with their SHA-256 sums.
# Run after changing a version; `--check` rebuilds into a scratch directory and fails when the
# committed files differ.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
assets="$here/../../graphql/assets/graphiql"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
out="$assets"
if [ "${1:-}" = "--check" ]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
copy() { gzip -9 -n -c "node_modules/$1" > "$out/$2.gz"; }
copy graphiql/graphiql.min.js graphiql.min.js
copy graphiql/graphiql.min.css graphiql.min.css
copy react/umd/react.production.min.js react.production.min.js
copy react-dom/umd/react-dom.production.min.js react-dom.production.min.js
(cd "$out" && sha256sum ./*.gz > SHA256SUMS)
if [ "${1:-}" = "--check" ]; then
    diff -r "$out" "$assets" --exclude=start.js --exclude=index.html --exclude=page.css
    echo "graphiql assets match npm"
fi
