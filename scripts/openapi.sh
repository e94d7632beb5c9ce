#!/usr/bin/env bash
# Writes the REST API's OpenAPI document and the client types generated from it:
#   dist/openapi.json               (from the built master, without a database: apps/master/src/openapi.ts)
#   apps/web/src/api/generated.ts   (openapi-typescript; git-ignored, imported only by api/types.ts)
#   apps/cli/src/api/generated.ts   (the same file: the CLI compiles from its own src/)
# --default-non-nullable=false: a request field with a server-side default stays optional.
# Needs the master built (nest build master); `npm run openapi` builds it first.
set -euo pipefail
cd "$(dirname "$0")/.."
emitter=dist/apps/master/apps/master/src/openapi.js
if [ ! -f "$emitter" ]; then
  echo "openapi: $emitter is missing; run 'npx nest build master' (or npm run openapi) first" >&2
  exit 1
fi
node "$emitter" dist/openapi.json
npx --no-install openapi-typescript dist/openapi.json --output apps/web/src/api/generated.ts --default-non-nullable=false --silent
cp apps/web/src/api/generated.ts apps/cli/src/api/generated.ts
