#!/usr/bin/env bash
# Start-up benchmark: `loki --version` and `loki checkpoint list` (50 checkpoints) against
# `java -version` on the same JDK the launcher picks. Medians of N runs after 3 warm-ups.
#
#   bench/startup/run.sh [RUNS=20]
# Needs a built jar (mvn -B -q package -DskipTests). Pure bash timing: no extra tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20}"
[ -f target/loki.jar ] || { echo "Build first: mvn -B -q package -DskipTests" >&2; exit 1; }
java_bin="$(LOKI_WHICH_JAVA=1 bin/loki)"
loki="$PWD/bin/loki"

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
git -C "$work" init -q -b main
echo hello > "$work/a.txt"
git -C "$work" -c user.name=b -c user.email=b@example.invalid add -A
git -C "$work" -c user.name=b -c user.email=b@example.invalid commit -qm base
echo "creating 50 checkpoints ..." >&2
for i in $(seq 1 50); do echo "$i" >> "$work/a.txt"; (cd "$work" && "$loki" checkpoint create "bench $i" >/dev/null); done
n=$(cd "$work" && "$loki" checkpoint list --all --json | grep -c "\"id\"" || true)
[ "$n" -ge 50 ] || { echo "expected 50 checkpoints, found $n" >&2; exit 1; }

median_ms() {  # runs "$@" $runs times (after 3 warm-ups) and prints the median wall time in ms
  local i t0 t1 ts=()
  for i in 1 2 3; do "$@" >/dev/null 2>&1; done
  for i in $(seq 1 "$runs"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    ts+=($(( (t1 - t0) / 100000 )))   # tenths of a millisecond
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/10}'
}

jv=$(median_ms "$java_bin" -version)
lv=$(cd "$work" && median_ms "$loki" --version)
ll=$(cd "$work" && median_ms "$loki" checkpoint list --all)
echo "JVM: $("$java_bin" -version 2>&1 | head -1); $(nproc) cores; $runs runs each"
echo
echo "| command | median ms | minus java -version |"
echo "|---|---|---|"
echo "| java -version | $jv | 0 |"
awk -v a="$lv" -v j="$jv" 'BEGIN {printf "| loki --version | %s | %+.1f |\n", a, a - j}'
awk -v a="$ll" -v j="$jv" 'BEGIN {printf "| loki checkpoint list (50) | %s | %+.1f |\n", a, a - j}'
echo
echo "target: within 150 ms of java -version"
