#!/usr/bin/env bash
# Starts the whole system on this machine: installs what is missing, builds what changed, then
# runs one master on the embedded database (FerretDB) and one worker. Ctrl-C, or SIGINT/SIGTERM
# to `npm run dev`, stops the worker, then the master (which stops FerretDB). When one of them
# exits on its own, this says which one and how, and stops the other.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --quiet
bash scripts/build-changed.sh
export CRAWLNEST_DATA_DIR="${CRAWLNEST_DATA_DIR:-$root/.data}"
# Dev mode is for this machine: both ports on loopback unless asked otherwise (a dev setup's
# API token and cluster secret sit in .data). The master alone defaults to every interface.
export CRAWLNEST_HTTP_HOST="${CRAWLNEST_HTTP_HOST:-127.0.0.1}"
export CRAWLNEST_GRPC_HOST="${CRAWLNEST_GRPC_HOST:-127.0.0.1}"
# A fresh data dir gets an `admin` user with a random password (banner + .data/admin-password).
export CRAWLNEST_DEV_ADMIN="${CRAWLNEST_DEV_ADMIN:-1}"
master='' worker=''

# "code 3", "signal TERM" from a `wait` status.
describe_exit() {
  local status=$1
  if [ "$status" -gt 128 ]; then echo "signal $(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"; else echo "code $status"; fi
}

# Stops one process and waits for it; the worker first so its last reports reach the master.
stop_one() {
  local pid=$1 name=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "dev: $name stopped" >&2
}

stopping=0
stop_all() {
  [ $stopping = 1 ] && return
  stopping=1
  trap '' INT TERM
  stop_one "$worker" worker
  stop_one "$master" master
}
on_signal() {
  echo "dev: $1 received, stopping worker and master" >&2
  stop_all
  exit $((128 + $2))
}
trap 'on_signal SIGINT 2' INT
trap 'on_signal SIGTERM 15' TERM
trap stop_all EXIT

node dist/apps/master/apps/master/src/main.js &
master=$!
# The worker starts as soon as the cluster secret exists (the master generates it in the data
# dir on its first start; CRAWLNEST_CLUSTER_SECRET may give it), not after the master is
# ready: it retries the link until the master answers, so both boot at the same time.
until [ -n "${CRAWLNEST_CLUSTER_SECRET:-}" ] || [ -s "$CRAWLNEST_DATA_DIR/cluster-secret" ]; do
  if ! kill -0 "$master" 2>/dev/null; then
    status=0; wait "$master" || status=$?
    master=''
    echo "dev: the master exited before it was ready ($(describe_exit $status)); its log is above" >&2
    exit 1
  fi
  sleep 0.1
done
# The worker dials the gRPC host the master bound (loopback when it bound every interface).
case "$CRAWLNEST_GRPC_HOST" in 0.0.0.0 | :: | '[::]') dial=127.0.0.1 ;; *:*) dial="[$CRAWLNEST_GRPC_HOST]" ;; *) dial=$CRAWLNEST_GRPC_HOST ;; esac
CRAWLNEST_MASTER="${CRAWLNEST_MASTER:-$dial:${CRAWLNEST_GRPC_PORT:-9666}}" \
  CRAWLNEST_WORKSPACE="${CRAWLNEST_WORKSPACE:-$CRAWLNEST_DATA_DIR/worker}" \
  node dist/apps/worker/apps/worker/src/main.js &
worker=$!

status=0
wait -n -p exited "$master" "$worker" || status=$?
if [ "${exited:-}" = "$master" ]; then who=master; master=''; else who=worker; worker=''; fi
echo "dev: the $who exited on its own ($(describe_exit $status)); see its last log lines above. Stopping the rest." >&2
stop_all
exit 1
