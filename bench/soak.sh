#!/usr/bin/env bash
# Soak test (make soak): mixed load against the packaged jar for SOAK_SECONDS (600), sampling
# heap after a full GC, thread count and RSS every SOAK_INTERVAL (10) seconds. Fails on any failed
# request, on heap-after-GC growth beyond last <= first x 1.2 + 5 MiB, or on thread growth beyond
# SOAK_THREAD_TOLERANCE (4: JIT compiler and GC worker threads are started on demand).
# Env as bench/run.sh, plus SOAK_CONNECTIONS (8): fewer than the benchmark, leaving CPU for jcmd.
# Then a hostile phase (SOAK_HOSTILE_SECONDS, 180; 0 skips it): bench/hostile.py runs issue 11's
# attacks in rounds while wrk keeps the normal load; it fails on any failed normal request, or when
# heap after GC, threads, file descriptors or RSS (SOAK_RSS_TOLERANCE_MIB, 16: the JIT's code and
# the classes the attack paths load stay) are not back at the pre-attack baseline afterwards.
cd "$(dirname "$0")/.."
# The JVM as the webhook container runs it (manifests/base/deployment.yaml): Serial GC, a fixed heap
# of 40 % of the 512 MiB limit, touched at start, so RSS measures the process, not heap growth.
BENCH_HEAP=${BENCH_HEAP:-205m}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xms$BENCH_HEAP -XX:+AlwaysPreTouch}
source bench/lib.sh

SECONDS_TOTAL=${SOAK_SECONDS:-600}
INTERVAL=${SOAK_INTERVAL:-10}
TOLERANCE=${SOAK_THREAD_TOLERANCE:-4}
OUT=${BENCH_OUT:-target/bench}/soak
R=$REVIEWS

ensure_wrk
ensure_jar
ensure_certs
rm -rf "$OUT" && mkdir -p "$OUT"
ensure_reviews

serve

log "soak: ${SECONDS_TOTAL}s of mixed load, sampling every ${INTERVAL}s"
BENCH_CONNECTIONS=${SOAK_CONNECTIONS:-8} run_wrk "$OUT/wrk.txt" /mutate "${SECONDS_TOTAL}s" \
  "$R/pod-needs-all.json" "$R/pod-already-mutated.json" "$R/daemonset-kube-proxy.json" \
  "$R/daemonset-aws-node.json" "$R/configmap-parse-only.json" &
WRK=$!
trap 'kill $WRK 2>/dev/null || true; stop_server' EXIT INT TERM

printf 'GC.run\nGC.heap_info\n' >"$OUT/jcmd.txt"
echo "seconds heap_after_gc_kib threads rss_kib" >"$OUT/samples.txt"
start=$(date +%s)
while kill -0 "$WRK" 2>/dev/null; do
  sleep "$INTERVAL"
  kill -0 "$WRK" 2>/dev/null || break
  # One jcmd launch: a full GC, then the heap in use after it: the sum of every generation's
  # "total NK, used NK" line (one for G1, young + old for Parallel and Serial; Metaspace has no total).
  used=$(jcmd "$SERVER_PID" -f "$OUT/jcmd.txt" 2>/dev/null \
    | grep -o 'total [0-9]*K, used [0-9]*K' | grep -o 'used [0-9]*' | grep -o '[0-9]*' \
    | awk '{ sum += $1 } END { if (NR) print sum }' || true)
  echo "$(( $(date +%s) - start )) ${used:-0} $(proc_status "$SERVER_PID" Threads) $(proc_status "$SERVER_PID" VmRSS)" \
    >>"$OUT/samples.txt"
  tail -1 "$OUT/samples.txt" >&2
done
wait "$WRK" || die "wrk failed"

set +e
python3 - "$OUT/samples.txt" "$OUT/wrk.txt" "$TOLERANCE" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
wrk = dict(l.strip().split("=", 1) for l in open(sys.argv[2]) if "=" in l)
tolerance = int(sys.argv[3])
print("| t (s) | heap after GC MiB | threads | RSS MiB |")
print("|---:|---:|---:|---:|")
for t, heap, threads, rss in rows:
    print(f"| {t} | {int(heap) / 1024:.1f} | {threads} | {int(rss) // 1024} |")
print()
print(f"wrk: {wrk['requests']} requests, {wrk['rps']}/s, p50 {wrk['p50_ms']} ms, p99 {wrk['p99_ms']} ms, "
      f"max {wrk['max_ms']} ms, non-2xx {wrk['non2xx']}, socket errors {wrk['socket_errors']}")
failures = []
if int(wrk["non2xx"]) or int(wrk["socket_errors"]):
    failures.append(f"failed requests: non-2xx {wrk['non2xx']}, socket errors {wrk['socket_errors']}")
if len(rows) < 2 or any(int(r[1]) == 0 for r in rows):
    failures.append("too few samples, or jcmd could not read the heap")
else:
    first, last = int(rows[0][1]), int(rows[-1][1])
    bound = first * 1.2 + 5 * 1024
    print(f"heap after GC: first {first / 1024:.1f} MiB, last {last / 1024:.1f} MiB, bound {bound / 1024:.1f} MiB")
    if last > bound:
        failures.append(f"heap after GC grew: {first} KiB -> {last} KiB (bound {bound:.0f} KiB)")
    t_first, t_last = int(rows[0][2]), int(rows[-1][2])
    print(f"threads: first {t_first}, last {t_last}, tolerance {tolerance}")
    if t_last > t_first + tolerance:
        failures.append(f"threads grew: {t_first} -> {t_last}")
for f in failures:
    print("SOAK FAILED: " + f)
sys.exit(1 if failures else 0)
PY
soak_status=$?
set -e

# --- Hostile phase: the attacks of issue 11 interleaved with normal load -------------------------
HOSTILE=${SOAK_HOSTILE_SECONDS:-180}
if (( HOSTILE > 0 )); then
  sample() { # heap_after_gc_kib threads fds rss_kib
    local used
    used=$(jcmd "$SERVER_PID" -f "$OUT/jcmd.txt" 2>/dev/null \
      | grep -o 'total [0-9]*K, used [0-9]*K' | grep -o 'used [0-9]*' | grep -o '[0-9]*' \
      | awk '{ sum += $1 } END { if (NR) print sum }' || true)
    echo "${used:-0} $(proc_status "$SERVER_PID" Threads) $(ls /proc/"$SERVER_PID"/fd | wc -l) $(proc_status "$SERVER_PID" VmRSS)"
  }
  before=$(sample)
  log "hostile phase: ${HOSTILE}s of attacks with normal load; baseline (heap KiB, threads, fds, RSS KiB): $before"
  BENCH_CONNECTIONS=${SOAK_CONNECTIONS:-8} run_wrk "$OUT/wrk-hostile.txt" /mutate "${HOSTILE}s" \
    "$R/pod-needs-all.json" "$R/pod-already-mutated.json" "$R/daemonset-kube-proxy.json" &
  WRK=$!
  python3 bench/hostile.py "$PORT" "$BENCH_CERTS/ca.crt" "$((HOSTILE - 20))" >"$OUT/hostile.json" 2>"$OUT/hostile.log" \
    || die "hostile.py failed: $(tail -3 "$OUT/hostile.log")"
  wait "$WRK" || die "wrk failed in the hostile phase"
  kill -0 "$SERVER_PID" || die "the server died in the hostile phase"
  sleep 10 # slow bodies and handshakes time out; the attacker closed its sockets
  after=$(sample)
  python3 - "$before" "$after" "$OUT/wrk-hostile.txt" "$OUT/hostile.json" "$TOLERANCE" "${SOAK_RSS_TOLERANCE_MIB:-16}" <<'PY'
import json, sys
b, a = [list(map(int, x.split())) for x in sys.argv[1:3]]
wrk = dict(l.strip().split("=", 1) for l in open(sys.argv[3]) if "=" in l)
hostile = json.load(open(sys.argv[4]))
tolerance = int(sys.argv[5])
rss_tolerance = int(sys.argv[6])
print(f"hostile phase: {hostile['rounds']} rounds of attacks; outcomes {hostile['outcomes']}")
print(f"normal load meanwhile: {wrk['requests']} requests, {wrk['rps']}/s, p50 {wrk['p50_ms']} ms, p99 {wrk['p99_ms']} ms, "
      f"max {wrk['max_ms']} ms, non-2xx {wrk['non2xx']}, socket errors {wrk['socket_errors']}")
print("| | heap after GC MiB | threads | fds | RSS MiB |")
print("|---|---:|---:|---:|---:|")
for name, v in (("before", b), ("after", a)):
    print(f"| {name} | {v[0] / 1024:.1f} | {v[1]} | {v[2]} | {v[3] // 1024} |")
failures = []
if int(wrk["non2xx"]) or int(wrk["socket_errors"]):
    failures.append(f"normal requests failed during the attacks: non-2xx {wrk['non2xx']}, socket errors {wrk['socket_errors']}")
if a[0] > b[0] * 1.2 + 5 * 1024:
    failures.append(f"heap after GC not back: {b[0]} -> {a[0]} KiB")
if a[1] > b[1] + tolerance:
    failures.append(f"threads not back: {b[1]} -> {a[1]}")
if a[2] > b[2] + 8:
    failures.append(f"file descriptors not back: {b[2]} -> {a[2]}")
if a[3] > b[3] + rss_tolerance * 1024:
    failures.append(f"RSS not back: {b[3] // 1024} -> {a[3] // 1024} MiB (tolerance {rss_tolerance} MiB)")
for f in failures:
    print("HOSTILE PHASE FAILED: " + f)
sys.exit(1 if failures else 0)
PY
  hostile_status=$?
  (( hostile_status == 0 )) || soak_status=1
fi
exit $soak_status
