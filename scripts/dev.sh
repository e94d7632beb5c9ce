#!/usr/bin/env bash
# Starts the whole system on this machine: installs what is missing, builds, then runs
# one master on the embedded database (FerretDB) and one worker. Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --quiet
npm run --silent build
export CRAWLNEST_DATA_DIR="${CRAWLNEST_DATA_DIR:-$root/.data}"
node dist/apps/master/apps/master/src/main.js &
master=$!
trap 'kill -TERM $master ${worker:-} 2>/dev/null; wait' INT TERM EXIT
# Start the worker once the master answers; it reads the cluster secret the master
# generated in the data dir (or CRAWLNEST_CLUSTER_SECRET when set).
health="http://127.0.0.1:${CRAWLNEST_HTTP_PORT:-8080}/api/health"
until node -e "fetch('$health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; do
  kill -0 $master 2>/dev/null || { echo "master exited" >&2; exit 1; }
  sleep 0.3
done
CRAWLNEST_MASTER="${CRAWLNEST_MASTER:-127.0.0.1:${CRAWLNEST_GRPC_PORT:-9666}}" \
  CRAWLNEST_WORKSPACE="${CRAWLNEST_WORKSPACE:-$CRAWLNEST_DATA_DIR/worker}" \
  node dist/apps/worker/apps/worker/src/main.js &
worker=$!
wait -n $master $worker
