#!/usr/bin/env bash
# Builds only the apps whose inputs changed since their last build (dev mode's warm start):
# a stamp per app in dist/.build-stamps, compared with the mtimes of that app's sources.
# `npm run build` still builds everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
stamps=dist/.build-stamps
mkdir -p "$stamps"
shared=(libs proto tsconfig.json nest-cli.json package-lock.json)

# changed APP OUTPUT INPUT…: true when OUTPUT is missing or an input is newer than the last
# build (its stamp; after a plain `npm run build`, the output itself).
changed() {
  local app=$1 out=$2; shift 2
  [ -f "$out" ] || return 0
  local ref="$stamps/$app"
  [ -f "$ref" ] || ref="$out"
  [ -n "$(find "$@" -newer "$ref" -type f -print -quit 2>/dev/null)" ]
}

build() {
  local app=$1; shift
  # The stamp is taken before the build: a file saved during it triggers the next one.
  touch "$stamps/$app.next"
  echo "dev: building $app (sources changed)" >&2
  "$@"
  mv "$stamps/$app.next" "$stamps/$app"
}

changed master dist/apps/master/apps/master/src/main.js apps/master "${shared[@]}" && build master npx nest build master
# The clients' API types are generated from the master's OpenAPI document (docs/development.md):
# again when they are missing or the master was built since; unchanged files are not rewritten.
if [ ! -f apps/web/src/api/generated.ts ] || [ ! -f apps/cli/src/api/generated.ts ] || [ ! -f "$stamps/openapi" ] ||
  [ dist/apps/master/apps/master/src/main.js -nt "$stamps/openapi" ]; then
  bash scripts/openapi.sh && touch "$stamps/openapi"
fi
changed worker dist/apps/worker/apps/worker/src/main.js apps/worker "${shared[@]}" && build worker npx nest build worker
changed cli dist/apps/cli/main.js apps/cli tsconfig.json package-lock.json && build cli npx tsc -p apps/cli/tsconfig.app.json
changed web dist/web/index.html apps/web package-lock.json && build web npx vite build --config apps/web/vite.config.mts --logLevel warn
exit 0
