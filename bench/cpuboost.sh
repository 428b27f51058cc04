#!/usr/bin/env bash
# Startup CPU boost on this machine (issue 22): the packaged webhook jar (a real JVM service) started
# under a CPU limit, as a container with `limits.cpu` is (a CFS quota on its cgroup), against the same
# start with the limit lifted, as cpu-boost does. Measures the time from spawn to the first
# successful readiness probe (GET /q/health/ready = 200), polled every 50 ms, alternating the two
# cases. Then gives the limit back to the running, boosted JVM (what the revert's in-place resize
# makes the kubelet do: rewrite the quota, no restart) and checks it stays ready.
#
#   bench/cpuboost.sh [runs=5] [limit-millicores=500]
#
# The CPU limit is a cgroup of the cpu controller that the script creates: cgroup v2 `cpu.max` when
# /sys/fs/cgroup is a writable cgroup2 mount with the cpu controller, else the cgroup v1
# `cpu.cfs_quota_us`/`cpu.cfs_period_us` (what the kubelet writes on v1 nodes); failing both,
# `taskset` to one core against two (a cruder stand-in, said in the output). Needs root for cgroups.
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS=${1:-5}
LIMIT_M=${2:-500}
OUT=${BENCH_OUT:-target/bench}/cpuboost
rm -rf "$OUT" && mkdir -p "$OUT"
ensure_jar
ensure_certs
PERIOD=100000
QUOTA=$((LIMIT_M * PERIOD / 1000))
GROUP="headstart-cpuboost-$$"
MODE=""
if [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  MODE=v2; CG=/sys/fs/cgroup/$GROUP
elif [[ -d /sys/fs/cgroup/cpu && -w /sys/fs/cgroup/cpu ]]; then
  MODE=v1; CG=/sys/fs/cgroup/cpu/$GROUP
else
  MODE=taskset
fi
cleanup_group() { [[ $MODE != taskset && -d ${CG:-} ]] && rmdir "$CG" 2>/dev/null; true; }
trap 'stop_server; cleanup_group' EXIT INT TERM

# limit <millicores|max>: what the kubelet writes for a container's CPU limit (or for none).
limit() {
  case $MODE in
    v2) if [[ $1 == max ]]; then echo "max $PERIOD" >"$CG/cpu.max"; else echo "$(($1 * PERIOD / 1000)) $PERIOD" >"$CG/cpu.max"; fi ;;
    v1) echo "$PERIOD" >"$CG/cpu.cfs_period_us"
        if [[ $1 == max ]]; then echo -1 >"$CG/cpu.cfs_quota_us"; else echo $(($1 * PERIOD / 1000)) >"$CG/cpu.cfs_quota_us"; fi ;;
  esac
}
if [[ $MODE != taskset ]]; then
  [[ $MODE == v2 ]] && echo "+cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
  mkdir -p "$CG"
fi
log "cpuboost: $RUNS runs each, limit ${LIMIT_M}m, CPU limit by $MODE ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"

# The JVM is started inside the group: a wrapper moves itself there, then execs java.
cat >"$OUT/in-group.sh" <<WRAP
#!/usr/bin/env bash
case "$MODE" in
  v1|v2) echo \$\$ >"$CG/cgroup.procs" ;;
  taskset) exec taskset -c "\$CPUS" "\$@" ;;
esac
exec "\$@"
WRAP
chmod +x "$OUT/in-group.sh"

ready_ms() {
  local start=$1
  for _ in $(seq 1 2400); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MGMT_PORT/q/health/ready") == 200 ]]; then
      echo $(( ($(now_ns) - start) / 1000000 )); return 0
    fi
    sleep 0.05
  done
  echo timeout; return 1
}

throttled() { [[ $MODE == v1 ]] && awk '/^nr_throttled/ {print $2}' "$CG/cpu.stat" || echo "-"; }

echo "case,run,ready_ms,throttled_periods" >"$OUT/results.csv"
for run in $(seq 1 "$RUNS"); do
  for case in limited boosted; do
    if [[ $MODE == taskset ]]; then
      export CPUS=$([[ $case == limited ]] && echo 0 || echo 0,1)
    else
      limit "$([[ $case == limited ]] && echo "$LIMIT_M" || echo max)"
    fi
    before=$(throttled)
    PORT=$(free_port); MGMT_PORT=$(free_port)
    BENCH_SERVER_PREFIX="$PWD/$OUT/in-group.sh" start_server
    ms=$(ready_ms "$SERVER_START_NS")
    after=$(throttled)
    periods="-"; [[ $before != "-" ]] && periods=$((after - before))
    if [[ $case == boosted && $MODE != taskset ]]; then
      # The revert: the limit comes back on the running JVM; it must stay ready, no restart.
      limit "$LIMIT_M"; sleep 1
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MGMT_PORT/q/health/ready")
      [[ $code == 200 ]] || log "after the limit came back, readiness answered $code"
      kill -0 "$SERVER_PID" || log "the JVM died when the limit came back"
    fi
    log "run $run $case: ready after $ms ms (throttled periods: $periods)"
    echo "$case,$run,$ms,$periods" >>"$OUT/results.csv"
    stop_server
  done
done
python3 - "$OUT/results.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for case in ("limited", "boosted"):
    ms = sorted(int(r["ready_ms"]) for r in rows if r["case"] == case and r["ready_ms"].isdigit())
    if ms:
        print(f"{case:8} n={len(ms)} median={statistics.median(ms):.0f} ms min={ms[0]} max={ms[-1]} all={ms}")
PY
