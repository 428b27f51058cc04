#!/usr/bin/env bash
# The CLI's memory bench (`make dump-bench`): `headstart startup` (and `mutate`) on generated
# kubectl dumps of DUMP_SIZES in JSON and YAML, each in a heap of DUMP_HEAP (default 256m, what
# bin/headstart runs with). Prints one Markdown row per run: wall time, peak RSS (GNU time) and
# the heap: the most it held (before a collection) and the most it kept (after one), from the GC log
# (young collections only, as a rule: "kept" then includes old garbage not yet collected, an upper
# bound of what the command keeps).
#   DUMP_SIZES="100MiB 1GiB"  DUMP_FORMATS="json yaml"  DUMP_COMMANDS="startup mutate"  DUMP_HEAP=256m
# Dumps are written once to DUMP_DIR (default target/dumps; 1 GiB each) and kept for reruns.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAR=target/quarkus-app/quarkus-run.jar
SIZES=${DUMP_SIZES:-"100MiB 1GiB"}
FORMATS=${DUMP_FORMATS:-"json yaml"}
COMMANDS=${DUMP_COMMANDS:-"startup"}
HEAP=${DUMP_HEAP:-256m}
DIR=${DUMP_DIR:-target/dumps}
mkdir -p "$DIR"
[[ -f $JAR ]] || ./mvnw -B -q package -DskipTests
command -v /usr/bin/time >/dev/null || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

echo "| command | dump | objects | wall | peak RSS | heap held (max before GC) | heap kept (max after GC) | exit |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |"
for size in $SIZES; do
  for format in $FORMATS; do
    dump="$DIR/cluster-$size.$format"
    [[ -f $dump ]] || python3 bench/make-cluster-dump.py --size "$size" --format "$format" "$dump"
    for command in $COMMANDS; do
      args=(startup -f "$dump" -o json)
      [[ $command == mutate ]] && args=(mutate -f "$dump")
      gclog="$DIR/gc-$command-$size-$format.log"
      set +e
      /usr/bin/time -f '%e %M' -o "$DIR/time.txt" \
        java -Xmx"$HEAP" -Xlog:gc:file="$gclog" -jar "$JAR" "${args[@]}" >/dev/null 2>"$DIR/err.txt"
      code=$?
      set -e
      read -r wall rss <"$DIR/time.txt"
      # "GC(12) Pause Young (Normal) (G1 Evacuation Pause) 180M->42M(256M) 12.3ms"
      held=$({ grep -oE '[0-9]+M->[0-9]+M' "$gclog" || true; } | cut -dM -f1 | sort -n | tail -1)
      kept=$({ grep -oE '[0-9]+M->[0-9]+M' "$gclog" || true; } | sed -E 's/.*->([0-9]+)M/\1/' | sort -n | tail -1)
      objects=$({ grep -oE '^headstart: [0-9]+ pods, [0-9]+ nodes, [0-9]+ events' "$DIR/err.txt" || true; } | sed 's/headstart: //')
      [[ $command == mutate ]] && objects="every object printed"
      printf '| %s | %s %s (%s MiB) | %s | %.0f s | %d MiB | %s MiB | %s MiB | %s |\n' "$command" "$size" "$format" \
        "$(( $(stat -c %s "$dump") / 1048576 ))" "${objects:-?}" "$wall" "$(( rss / 1024 ))" "${held:-?}" "${kept:-?}" "$code"
      [[ $code == 0 ]] || sed -n 1,3p "$DIR/err.txt" >&2
    done
  done
done
