#!/usr/bin/env bash
# Writes the REST API's OpenAPI document and the client types generated from it:
#   dist/openapi.json               (from the built master, without a database: apps/master/src/openapi.ts)
#   apps/web/src/api/generated.ts   (openapi-typescript + the names in scripts/openapi-names.json;
#   apps/cli/src/api/generated.ts    the same file twice: the CLI compiles from its own src/;
#                                    git-ignored, re-exported by each client's api/types.ts)
# Needs the master built (nest build master); `npm run openapi` builds it first.
set -euo pipefail
cd "$(dirname "$0")/.."
emitter=dist/apps/master/apps/master/src/openapi.js
if [ ! -f "$emitter" ]; then
  echo "openapi: $emitter is missing; run 'npx nest build master' (or npm run openapi) first" >&2
  exit 1
fi
node "$emitter" dist/openapi.json
node scripts/openapi-types.js dist/openapi.json apps/web/src/api/generated.ts apps/cli/src/api/generated.ts
