#!/usr/bin/env bash
# The test command: build, then unit tests and e2e suites (real FerretDB, real processes).
# With JEST_JSON_DIR set, each jest run also writes its JSON results there (CI counts them).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --quiet || { echo "test: setup failed (npm install or the FerretDB build), see above" >&2; exit 1; }
bash scripts/setup-python.sh || { echo "test: Python venv setup failed (scripts/setup-python.sh: scrapy + crawlab-sdk from PyPI)" >&2; exit 1; }
npm run --silent build || { echo "test: build failed" >&2; exit 1; }
unit_json=() e2e_json=()
if [ -n "${JEST_JSON_DIR:-}" ]; then
  mkdir -p "$JEST_JSON_DIR"
  unit_json=(--json --outputFile="$JEST_JSON_DIR/unit.json")
  e2e_json=(--json --outputFile="$JEST_JSON_DIR/e2e.json")
fi
npx jest --config jest.config.js "${unit_json[@]}" "$@"
unit=$?
npx jest --config test/jest-e2e.config.js --runInBand "${e2e_json[@]}" "$@"
e2e=$?
[ $unit -eq 0 ] && [ $e2e -eq 0 ]
