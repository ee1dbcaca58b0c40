#!/usr/bin/env bash
# Orchestration overhead of the loop: `loki start` with an instant no-op provider, gates and
# council off, against the same provider called directly in a shell loop.
#
#   per-iteration overhead = (T(loki, N) - T(loki, 1)) / (N - 1)  -  T(shell, N) / N
#
# Subtracting the 1-iteration run removes JVM start-up and run setup (lock, run record,
# run-start work). Checkpoints are skipped with LOKI_CHECKPOINTS=false for the main figure;
# a second figure with checkpoints on is reported for information.
# Usage: bench/loop/run.sh [N] [REPEATS]   (defaults 200, 5). Writes nothing outside a temp dir.
set -euo pipefail
N="${1:-200}"
REPEATS="${2:-5}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/target/loki.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -o package -DskipTests)
java_bin="${JAVA:-java}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
printf '[user]\n\tname = Bench\n\temail = bench@localhost\n' > "$HOME/.gitconfig"
cat > "$work/noop.sh" <<'S'
#!/bin/sh
echo ok
S
chmod +x "$work/noop.sh"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

shell_loop() {
  local n="$1" t0 t1
  printf 'prompt\n' > "$work/prompt"
  t0=$(now)
  for ((i = 0; i < n; i++)); do "$work/noop.sh" < "$work/prompt" > "$work/out"; done
  t1=$(now)
  echo $(( (t1 - t0) / 1000 ))
}

loki_run() {
  local n="$1" checkpoints="$2" repo t0 t1
  repo="$work/repo-$RANDOM$RANDOM"
  mkdir -p "$repo" && (cd "$repo" && git init -q && printf '# bench\n## Requirements\n- none\n' > PRD.md \
    && git add -A && git commit -qm init)
  t0=$(now)
  (cd "$repo" && LOKI_PROVIDER=command LOKI_PROVIDER_CMD="$work/noop.sh" LOKI_GATES=false \
    LOKI_COUNCIL_ENABLED=false LOKI_CHECKPOINTS="$checkpoints" LOKI_MAX_ITERATIONS="$n" LOKI_DASHBOARD=false \
    "$java_bin" -XX:+UseSerialGC -jar "$jar" start > /dev/null 2>&1)
  t1=$(now)
  rm -rf "$repo"
  echo $(( (t1 - t0) / 1000 ))
}

measure() { # name cmd... -> median microseconds over REPEATS
  local out=()
  for ((r = 0; r < REPEATS; r++)); do out+=("$("$@")"); done
  printf '%s\n' "${out[@]}" | median
}

shell_us=$(measure shell_loop "$N")
loki_n_us=$(measure loki_run "$N" false)
loki_1_us=$(measure loki_run 1 false)
NC=$(( N / 4 ))
loki_nc_us=$(measure loki_run "$NC" true)
loki_1c_us=$(measure loki_run 1 true)

awk -v n="$N" -v nc="$NC" -v s="$shell_us" -v ln="$loki_n_us" -v l1="$loki_1_us" -v lnc="$loki_nc_us" \
    -v l1c="$loki_1c_us" -v reps="$REPEATS" 'BEGIN {
  shell = s / n / 1000; loop = (ln - l1) / (n - 1) / 1000; over = loop - shell
  loopc = (lnc - l1c) / (nc - 1) / 1000
  printf "iterations: %d (checkpoints off), %d (checkpoints on); medians of %d runs\n", n, nc, reps
  printf "shell loop, provider called directly: %.2f ms per call (%.0f calls/s)\n", shell, 1000 / shell
  printf "loki start, checkpoints off:          %.2f ms per iteration (%.0f iterations/s)\n", loop, 1000 / loop
  printf "orchestration overhead per iteration: %.2f ms (target < 50 ms); ratio loki/shell %.1fx\n", over, loop / shell
  printf "loki start, checkpoints on:           %.2f ms per iteration (checkpoint cost ~%.2f ms)\n", loopc, loopc - loop
  printf "jvm start + run setup (1 iteration):  %.0f ms\n", l1 / 1000
}'
