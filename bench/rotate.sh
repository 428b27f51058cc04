#!/usr/bin/env bash
# Certificate rotation under load (part of make soak): wrk keeps mixed load on while the
# certificate files are swapped the way the kubelet updates a Secret volume; new connections must
# get the new certificate without a restart and no request may fail. See rotate.py.
cd "$(dirname "$0")/.."
source bench/lib.sh
OUT=${BENCH_OUT:-target/bench}/rotate
ensure_wrk
ensure_jar
rm -rf "$OUT" && mkdir -p "$OUT"
ensure_reviews
R=$REVIEWS

BENCH_CERTS=$OUT/certs
mkdir -p "$BENCH_CERTS"
bash certs/generate.sh "$BENCH_CERTS/..v1" >/dev/null 2>&1
for f in ca.crt tls.crt tls.key; do ln -s "..data/$f" "$BENCH_CERTS/$f"; done
ln -s ..v1 "$BENCH_CERTS/..data"

serve -Dheadstart.tls.check-interval=1s

LOAD=${ROTATE_LOAD_SECONDS:-25}
log "rotate: ${LOAD}s of mixed load; certificate swap after 5 s"
BENCH_CONNECTIONS=${ROTATE_CONNECTIONS:-8} run_wrk "$OUT/wrk.txt" /mutate "${LOAD}s" \
  "$R/pod-needs-all.json" "$R/pod-already-mutated.json" "$R/daemonset-kube-proxy.json" "$R/configmap-parse-only.json" &
WRK=$!
trap 'kill $WRK 2>/dev/null || true; stop_server' EXIT INT TERM
rc=0
python3 bench/rotate.py "$BENCH_CERTS" "$PORT" "$R/pod-needs-all.json" 5 5 || rc=$?
wait "$WRK" || die "wrk failed"
log "wrk during rotation: $(kv "$OUT/wrk.txt" requests) requests, non-2xx $(kv "$OUT/wrk.txt" non2xx), socket errors $(kv "$OUT/wrk.txt" socket_errors)"
if (( $(kv "$OUT/wrk.txt" non2xx) + $(kv "$OUT/wrk.txt" socket_errors) > 0 )); then
  echo "ROTATE FAILED: requests failed under load during the rotation"; rc=1
fi
exit $rc
