#!/usr/bin/env bash
# Rolling restart under load (part of make soak): SIGTERM while reviews are in flight loses none;
# readiness turns DOWN (503) first, during quarkus.shutdown.delay; then the port closes. See restart.py.
cd "$(dirname "$0")/.."
source bench/lib.sh
OUT=${BENCH_OUT:-target/bench}/restart
ensure_jar
ensure_certs
rm -rf "$OUT" && mkdir -p "$OUT"
ensure_reviews
serve
# The management port may open after the HTTPS port: wait for readiness UP before the load.
for _ in $(seq 1 600); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MGMT_PORT/q/health/ready") == 200 ]] && break
  sleep 0.1
done
log "restart: load, then SIGTERM to $SERVER_PID"
rc=0
python3 bench/restart.py "$SERVER_PID" "$PORT" "$MGMT_PORT" "$REVIEWS/pod-needs-all.json" \
  "${RESTART_LOAD_SECONDS:-5}" "${RESTART_SHUTDOWN_DELAY:-3}" || rc=$?
status=0; wait "$SERVER_PID" 2>/dev/null || status=$?
log "server exit status: $status"
SERVER_PID=""
exit $rc
