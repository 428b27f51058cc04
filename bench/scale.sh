#!/usr/bin/env bash
# The controller at cluster scale (make scale-bench). See BENCHMARKS.md, "Controller at scale".
#
# For each size in SCALE_SIZES: a simulated EKS cluster (API server + Auto Scaling stub on
# 127.0.0.1, from src/test: dev.headstart.scale.SimulatedCluster), the controller jar started as the
# install starts it, and the figures read from the simulated API server's request log.
#
# Env: SCALE_SIZES ("100 1000 5000"), CONTROLLER_JAR (target/quarkus-app/quarkus-run.jar, built if
#      missing; any build's quarkus-run.jar with its lib/ beside it), CONTROLLER_JAVA_OPTS (default:
#      the install's, read with the controller container's other literal env (MALLOC_ARENA_MAX) from
#      manifests/base/deployment.yaml, so the bench starts the jar exactly as the install does),
#      CONTROLLER_ENV (extra KEY=VALUE for the controller), SCALE_SIM_HEAP (5g), SCALE_OUT
#      (target/scale), SCALE_STEADY_SECONDS (60), SCALE_HEARTBEAT_SECONDS (10), SCALE_SIM_ARGS
#      (e.g. "--pods 150000 --workloads 35000 --namespaces 1000 --opted-in 20"),
#      SCALE_PLACEMENT ("10000 2000": the image-cache placement scenario's nodes and workloads, run
#      first; "0" skips it; see src/test/java/dev/headstart/scale/PlacementScenario.java).
# Output: $SCALE_OUT/<nodes>/result.json (+ requests, logs), $SCALE_OUT/summary.md, table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SCALE_SIZES:-100 1000 5000}
JAR=${CONTROLLER_JAR:-target/quarkus-app/quarkus-run.jar}
OUT=${SCALE_OUT:-target/scale}
JAVA_OPTS=${CONTROLLER_JAVA_OPTS:-}   # empty: the install's (manifests/base/deployment.yaml)
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v jcmd >/dev/null || { log "error: jcmd (a JDK) is needed for the heap figures"; exit 1; }
if [[ ! -f $JAR ]]; then
  [[ -n ${CONTROLLER_JAR:-} ]] && { log "error: CONTROLLER_JAR=$JAR does not exist"; exit 1; }
  log "building $JAR (./mvnw -B -q package -DskipTests)"
  ./mvnw -B -q package -DskipTests
fi
# The simulator lives in the test sources: compile them when any is newer than its class.
if [[ ! -f target/test-classes/dev/headstart/scale/SimulatedCluster.class ]] \
   || [[ -n $(find src/test/java/dev/headstart/scale src/test/java/dev/headstart/controller/warmpool/AutoScalingStub.java \
              -newer target/test-classes/dev/headstart/scale/SimulatedCluster.class -print -quit) ]]; then
  log "compiling the simulated cluster (./mvnw -B -q test-compile)"
  ./mvnw -B -q test-compile
fi
mkdir -p "$OUT"
if [[ ! -f $OUT/sim.classpath || pom.xml -nt $OUT/sim.classpath ]]; then
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/sim.classpath"
fi
CP="target/test-classes:target/classes:$(cat "$OUT/sim.classpath")"

# The image cache's placement scenario (issue 20): planner and DaemonSets at cluster size, in-process.
if [[ ${SCALE_PLACEMENT:-10000 2000} != 0 ]]; then
  log "placement scenario: ${SCALE_PLACEMENT:-10000 2000} (nodes workloads)"
  # shellcheck disable=SC2086
  java -Xmx3g -cp "$CP" dev.headstart.scale.PlacementScenario ${SCALE_PLACEMENT:-10000 2000} | tee "$OUT/placement.json"
fi

results=()
for n in $SIZES; do
  log "scale bench: $n nodes, controller $JAR"
  python3 bench/scale.py run --nodes "$n" --jar "$JAR" --classpath "$CP" --out "$OUT/$n" \
    --java-opts "$JAVA_OPTS" --controller-env "${CONTROLLER_ENV:-}" --sim-heap "${SCALE_SIM_HEAP:-5g}" \
    --sim-args "${SCALE_SIM_ARGS:-}" --steady-seconds "${SCALE_STEADY_SECONDS:-60}" \
    --heartbeat-seconds "${SCALE_HEARTBEAT_SECONDS:-10}" || log "size $n did not complete (see $OUT/$n)"
  [[ -f $OUT/$n/result.json ]] && results+=("$OUT/$n/result.json")
done
[[ ${#results[@]} -gt 0 ]] || { log "error: no result"; exit 1; }
python3 bench/scale.py report "${results[@]}" | tee "$OUT/summary.md"
