#!/usr/bin/env bash
# Load benchmark of the packaged webhook on loopback (make bench). See BENCHMARKS.md.
#
# Env: BENCH_DURATION (15s) per scenario, BENCH_WARMUP (10s), BENCH_THREADS (2),
#      BENCH_CONNECTIONS (16), BENCH_HEAP (128m), BENCH_PORT, BENCH_MANAGEMENT_PORT (free ports),
#      BENCH_JAVA_OPTS, BENCH_SERVER_PREFIX / BENCH_WRK_PREFIX (e.g. "taskset -c 0" / "taskset -c 1").
# Output: target/bench/summary.txt (key=value), summary.json, and a Markdown table on stdout.
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-10s}
R=$REVIEWS

ensure_wrk
ensure_jar
ensure_certs
rm -rf "$OUT" && mkdir -p "$OUT"
ensure_reviews
[[ -f $R/pod-already-mutated.json ]] || die "bench/pod-mutated.json is missing (see BENCHMARKS.md)"

trap stop_server EXIT INT TERM
start_server
STARTUP_MS=$(wait_tls 60) || { cat "$OUT/server.log" >&2; die "server did not start"; }
log "HTTPS port accepted TLS ${STARTUP_MS} ms after process start"
QUARKUS_STARTED=$(grep -o 'started in [0-9.]*s' "$OUT/server.log" | head -1 | grep -o '[0-9.]*' || echo "?")

# One checked request per scenario before the load: right status, uid echoed, patch or not as expected.
check() { # path body expect(patch|nopatch)
  local answer
  answer=$(curl -sk --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' --data-binary @"$2" "$URL$1")
  python3 - "$3" "$answer" <<'PY'
import json, sys
expect, raw = sys.argv[1], sys.argv[2]
body, code = raw.rsplit("\n", 1)
assert code == "200", f"HTTP {code}: {body[:200]}"
r = json.loads(body)["response"]
assert r["uid"] == "bench-0000-0000-0000-000000000001", r
assert r["allowed"] is True, r
assert ("patch" in r) == (expect == "patch"), f"expected {expect}: {r}"
PY
}
check /mutate "$R/pod-needs-all.json" patch
check /mutate "$R/pod-already-mutated.json" nopatch
check /mutate "$R/daemonset-kube-proxy.json" patch
check /mutate "$R/configmap-parse-only.json" nopatch

VALIDATE=no
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
  --data-binary @"$R/pod-needs-all.json" "$URL/validate")
if [[ $code == 200 ]]; then VALIDATE=yes; else log "/validate answered HTTP $code: not in this build, skipped"; fi

# Memory sampler: the highest VmRSS seen while wrk runs.
RSS_MAX_FILE=$OUT/rss-max-kib
echo 0 >"$RSS_MAX_FILE"
( max=0; while kill -0 "$SERVER_PID" 2>/dev/null; do
    v=$(proc_status "$SERVER_PID" VmRSS); (( v > max )) && { max=$v; echo "$max" >"$RSS_MAX_FILE"; }
    sleep 0.5; done ) &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null || true; stop_server' EXIT INT TERM

# The already-mutated pod and its parse-only baseline run back to back: their ratio is a target.
SCENARIOS=(
  "mutate-pod-needs-all|/mutate|$R/pod-needs-all.json"
  "mutate-daemonset-kube-proxy|/mutate|$R/daemonset-kube-proxy.json"
  "mutate-pod-already-mutated|/mutate|$R/pod-already-mutated.json"
  "mutate-parse-only-configmap|/mutate|$R/configmap-parse-only.json"
)
[[ $VALIDATE == yes ]] && SCENARIOS+=("validate-pod-needs-all|/validate|$R/pod-needs-all.json")
# Paced: the full-mutation pod at a steady BENCH_RATE (2,000/s), far below saturation, so p99 is
# the webhook's own tail rather than the run queue's (wrk pauses before each request).
RATE=${BENCH_RATE:-2000}
PACED="mutate-pod-needs-all-at-${RATE}-per-s|/mutate|$R/pod-needs-all.json|$(( ${BENCH_CONNECTIONS:-16} * 1000 / RATE ))"

# Warm-up: every scenario under its own full load once. A mixed warm-up (bodies rotated by Lua)
# left the first measured scenario at half its speed: C2 had not finished compiling its path.
for s in "${SCENARIOS[@]}"; do
  IFS='|' read -r name path body <<<"$s"
  log "warm-up: $name for ${WARMUP} (JIT)"
  run_wrk "$OUT/warmup-$name.txt" "$path" "$WARMUP" "$body"
done

SCENARIOS+=("$PACED")
for s in "${SCENARIOS[@]}"; do
  IFS='|' read -r name path body delay <<<"$s"
  log "load: $name for $DURATION (${BENCH_THREADS:-2} threads, ${BENCH_CONNECTIONS:-16} connections${delay:+, ${delay} ms between requests per connection})"
  cpu_before=$(cpu_ms "$SERVER_PID")
  WRK_DELAY_MS=$delay run_wrk "$OUT/$name.txt" "$path" "$DURATION" "$body"
  cpu_used=$(( $(cpu_ms "$SERVER_PID") - cpu_before ))
  echo "rss_kib=$(proc_status "$SERVER_PID" VmRSS)" >>"$OUT/$name.txt"
  # The server's own CPU per review (all its threads, GC included): 1e6 / this is what one
  # whole core would sustain, whatever wrk takes of the machine.
  echo "server_cpu_us=$(( cpu_used * 1000 / $(kv "$OUT/$name.txt" requests) ))" >>"$OUT/$name.txt"
done
HWM_KIB=$(proc_status "$SERVER_PID" VmHWM)
RSS_MAX_KIB=$(cat "$RSS_MAX_FILE")

# Summaries: key=value, JSON, Markdown.
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host_cpus=$(nproc)"
  echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java=$(java -version 2>&1 | head -1 | tr -d '"')"
  echo "heap=$HEAP duration=$DURATION threads=${BENCH_THREADS:-2} connections=${BENCH_CONNECTIONS:-16}"
  echo "startup_tls_ms=$STARTUP_MS"
  echo "quarkus_started_s=$QUARKUS_STARTED"
  echo "rss_max_under_load_mib=$(( RSS_MAX_KIB / 1024 ))"
  echo "vm_hwm_mib=$(( HWM_KIB / 1024 ))"
  echo "validate=$VALIDATE"
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name _ _ <<<"$s"
    sed "s/^/$name./" "$OUT/$name.txt"
  done
} >"$OUT/summary.txt"

python3 - "$OUT/summary.txt" "$OUT/summary.json" <<'PY'
import json, sys
flat = {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    for part in (line.split(" ") if line.startswith("heap=") else [line]):
        k, _, v = part.partition("=")
        flat[k] = v
out = {"scenarios": {}}
for k, v in flat.items():
    if "." in k and not k.startswith("quarkus"):
        name, field = k.split(".", 1)
        try:
            v = float(v) if "." in v else int(v)
        except ValueError:
            pass
        out["scenarios"].setdefault(name, {})[field] = v
    else:
        out[k] = v
json.dump(out, open(sys.argv[2], "w"), indent=2)
s = out["scenarios"]
print()
print(f"Run {out['date']}: `make bench` ({out['heap']}, wrk -t{out['threads']} -c{out['connections']} -d{out['duration']}), "
      f"{out['host_cpus']} CPUs, load average before {out['loadavg']}")
print()
print("| scenario | requests/s | p50 ms | p99 ms | max ms | non-2xx | socket errors | server CPU µs/review | RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, r in s.items():
    print(f"| {name} | {r['rps']} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['non2xx']} | "
          f"{r['socket_errors']} | {r['server_cpu_us']} | {r['rss_kib'] // 1024} |")
base = s.get("mutate-parse-only-configmap", {}).get("rps")
noop = s.get("mutate-pod-already-mutated", {}).get("rps")
print()
print(f"- HTTPS port accepting TLS: {out['startup_tls_ms']} ms after process start (Quarkus: started in {out['quarkus_started_s']} s)")
print(f"- resident memory: max VmRSS under load {out['rss_max_under_load_mib']} MiB, VmHWM {out['vm_hwm_mib']} MiB")
if base and noop:
    print(f"- already-mutated pod cost vs parse-only: {base / noop:.2f}x the time per review (target <= 1.20)")
if out["validate"] != "yes":
    print("- /validate: not in this build, skipped")
PY
errors=$(awk -F= '/\.(non2xx|socket_errors)=/ { s += $2 } END { print s + 0 }' "$OUT/summary.txt")
(( errors == 0 )) || die "$errors failed requests (see $OUT/*.wrk.log)"
