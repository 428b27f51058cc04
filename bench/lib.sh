# Shared by bench/run.sh, soak.sh, restart.sh and rotate.sh: build, certificates, wrk, and one
# server process on loopback. Source it from the repository root.
set -euo pipefail

JAR=target/quarkus-app/quarkus-run.jar
# Free ports by default: other servers (and other benchmarks) may run on the same machine.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${BENCH_PORT:-$(free_port)}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-$(free_port)}
HEAP=${BENCH_HEAP:-128m}
BENCH_CERTS=${BENCH_CERTS:-certs}
OUT=${BENCH_OUT:-target/bench}
URL="https://127.0.0.1:${PORT}"
SERVER_PID=""

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# An AppCDS archive of the classes loaded at start-up (made with this machine's JDK, so it must be
# made here): start-up reads them mapped instead of parsing and verifying them again.
CDS=target/quarkus-app/app-cds.jsa

ensure_jar() {
  # A jar rebuilt since the archive was made (./mvnw verify) would make the JVM drop the archive.
  if [[ ! -f $JAR || ! -f $CDS || $JAR -nt $CDS ]]; then
    log "building $JAR with an AppCDS archive (./mvnw -B -q package -DskipTests -Dquarkus.package.jar.appcds.enabled=true)"
    ./mvnw -B -q package -DskipTests -Dquarkus.package.jar.appcds.enabled=true
  fi
}

ensure_certs() {
  if [[ ! -f $BENCH_CERTS/tls.crt || ! -f $BENCH_CERTS/tls.key ]]; then
    log "making certificates in $BENCH_CERTS"
    bash certs/generate.sh "$BENCH_CERTS" >/dev/null
  fi
}

ensure_wrk() {
  command -v wrk >/dev/null && return
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing wrk (apt-get install -y wrk)"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } || true
  fi
  command -v wrk >/dev/null || die "wrk is not installed: run 'sudo apt-get install -y wrk' (Debian/Ubuntu) and try again"
}

# AdmissionReview bodies: committed in bench/reviews (bench/make-reviews.py rewrites them).
REVIEWS=bench/reviews
ensure_reviews() {
  [[ -f $REVIEWS/pod-already-mutated.json ]] || python3 bench/make-reviews.py "$REVIEWS" >/dev/null
}

now_ns() { date +%s%N; }

# Starts the packaged server on loopback; sets SERVER_PID and SERVER_START_NS. Extra -D flags as args.
# It runs from target/quarkus-app, as the image does: the AppCDS archive records the class path
# relative to it and is silently ignored from anywhere else.
start_server() {
  mkdir -p "$OUT"
  local certs
  certs=$(cd "$BENCH_CERTS" && pwd)
  SERVER_START_NS=$(now_ns)
  # shellcheck disable=SC2086
  ( cd "$(dirname "$JAR")" && exec ${BENCH_SERVER_PREFIX:-} java -Xmx"$HEAP" -XX:SharedArchiveFile="$(basename "$CDS")" \
    ${BENCH_JAVA_OPTS:--XX:+UseParallelGC} \
    -Dheadstart.cluster.enabled=false \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.management.host=127.0.0.1 \
    -Dquarkus.http.ssl-port="$PORT" -Dquarkus.management.port="$MGMT_PORT" \
    -Dheadstart.tls.cert="$certs/tls.crt" -Dheadstart.tls.key="$certs/tls.key" \
    "$@" -jar "$(basename "$JAR")" ) >"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
}

# Waits until the HTTPS port completes a TLS handshake; prints milliseconds since start_server.
wait_tls() {
  local timeout=${1:-60}
  python3 - "$PORT" "$timeout" "$SERVER_START_NS" "$SERVER_PID" <<'PY'
import os, socket, ssl, sys, time
port, timeout, start_ns, pid = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
deadline = time.time() + timeout
while time.time() < deadline:
    if not os.path.exists(f"/proc/{pid}"):
        sys.exit("server exited before its port opened")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            with ctx.wrap_socket(s, server_hostname="localhost"):
                print((time.time_ns() - start_ns) // 1_000_000)
                sys.exit(0)
    except OSError:
        time.sleep(0.005)
sys.exit(f"port {port} did not accept TLS within {timeout}s")
PY
}

# Starts the server (extra -D flags as args), stops it when the script exits, and waits until it
# accepts TLS; shows its log and stops the script when it does not start.
serve() {
  trap stop_server EXIT INT TERM
  start_server "$@"
  wait_tls 120 >/dev/null || { cat "$OUT/server.log" >&2; die "server did not start"; }
}

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# A field of /proc/<pid>/status in KiB (VmRSS, VmHWM) or as is (Threads).
proc_status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# CPU time (user + system) a process has used, in milliseconds.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# key=value summary file -> value
kv() { awk -F= -v k="$2" '$1 == k { print $2 }' "$1"; }

# Runs wrk against a path with body files; summary (key=value) to $1. Env: BENCH_DURATION, BENCH_THREADS, BENCH_CONNECTIONS.
run_wrk() {
  local summary=$1 path=$2 duration=$3; shift 3
  # shellcheck disable=SC2086
  WRK_BODIES="$*" WRK_SUMMARY="$summary" ${BENCH_WRK_PREFIX:-} wrk --latency \
    -t "${BENCH_THREADS:-2}" -c "${BENCH_CONNECTIONS:-16}" -d "$duration" --timeout 5s \
    -s bench/post.lua "$URL$path" >"${summary%.txt}.wrk.log" 2>&1 \
    || { cat "${summary%.txt}.wrk.log" >&2; die "wrk failed"; }
}
