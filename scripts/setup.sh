#!/usr/bin/env bash
# Installs what Crawlnest needs on a fresh machine: npm packages and the embedded database.
# Idempotent and quick when everything is already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
quiet=${1:-}
if [ ! -d node_modules/@nestjs/core ] || [ package.json -nt node_modules/.package-lock.json ]; then
  # npm ci refuses this registry's lockfile (TOOLCHAIN.md); install honours the lockfile.
  npm install --no-audit --no-fund
elif [ "$quiet" != "--quiet" ]; then
  echo "npm packages: installed"
fi
bash scripts/build-ferretdb.sh
