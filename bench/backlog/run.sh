#!/usr/bin/env bash
# A backlog of 4 issues at --parallel 2 against the same 4 started one after another with
# `loki start '#N'`, with an agent that sleeps SLEEP seconds per iteration (one iteration each),
# a fake gh answering the issues, gates and council off. Reports both wall times, their ratio
# (target: backlog <= 0.6x serial) and the orchestration overhead per run:
#
#   serial overhead per run  = (T_serial - 4 * SLEEP) / 4
#   backlog overhead per run = (T_backlog - 2 * SLEEP) / 2   (two waves of two runs)
#
# Usage: bench/backlog/run.sh [SLEEP] [REPEATS]   (defaults 3, 3). Writes nothing outside a temp dir.
set -euo pipefail
SLEEP="${1:-3}"
REPEATS="${2:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/target/loki.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -o package -DskipTests)
loki="$root/bin/loki"   # the launcher users run (class-data archive; the backlog's children inherit it)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/home/.gitconfig"
mkdir -p "$HOME" "$work/bin" "$work/gh"
printf '[user]\n\tname = Bench\n\temail = bench@localhost\n[init]\n\tdefaultBranch = main\n' > "$GIT_CONFIG_GLOBAL"
for n in 1 2 3 4; do
  printf '{"number":%d,"title":"Task %d","body":"- [ ] do %d","labels":[],"url":"https://github.com/b/b/issues/%d"}' \
    "$n" "$n" "$n" "$n" > "$work/gh/$n.json"
done
cat > "$work/bin/gh" <<S
#!/usr/bin/env bash
[ "\$1 \$2" = "issue view" ] && exec cat "$work/gh/\$3.json"
echo "bench gh: \$*" >&2; exit 1
S
cat > "$work/bin/agent" <<S
#!/usr/bin/env bash
cat > /dev/null
sleep $SLEEP
echo done > "result-\$(basename "\$PWD").txt"
echo done > .loki/signals/COMPLETION_REQUESTED
echo ok
S
chmod +x "$work/bin/gh" "$work/bin/agent"
export PATH="$work/bin:$PATH" LOKI_PROVIDER=command LOKI_PROVIDER_CMD="$work/bin/agent" LOKI_GATES=false \
  LOKI_COUNCIL_ENABLED=false LOKI_DASHBOARD=false

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
fresh_repo() {
  local repo="$work/repo-$RANDOM$RANDOM"
  mkdir -p "$repo" && (cd "$repo" && git init -q && echo app > app.txt && git add -A && git commit -qm init)
  echo "$repo"
}
serial() {
  local repo t0 t1; repo="$(fresh_repo)"
  t0=$(now)
  for n in 1 2 3 4; do (cd "$repo" && "$loki" start "#$n" > /dev/null 2>&1); done
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
backlog() {
  local repo t0 t1; repo="$(fresh_repo)"
  t0=$(now)
  (cd "$repo" && "$loki" backlog run '#1' '#2' '#3' '#4' --parallel 2 \
    > "$work/backlog.out" 2>&1) || { cat "$work/backlog.out" >&2; exit 1; }
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}

"$loki" --version > /dev/null   # trains the class-data archive once, outside the timings
s=(); b=()
for ((r = 0; r < REPEATS; r++)); do s+=("$(serial)"); b+=("$(backlog)"); done
ts=$(printf '%s\n' "${s[@]}" | median)
tb=$(printf '%s\n' "${b[@]}" | median)
sleep_ms=$(( SLEEP * 1000 ))
echo "| measure | median ms ($REPEATS runs) |"
echo "|---|---|"
echo "| 4 runs one after another (loki start) | $ts |"
echo "| 4 runs as a backlog, --parallel 2 | $tb |"
echo "| agent sleep alone: serial / two waves | $(( 4 * sleep_ms )) / $(( 2 * sleep_ms )) |"
awk -v ts="$ts" -v tb="$tb" -v sl="$sleep_ms" 'BEGIN {
  printf "\nbacklog / serial wall time = %.2fx (target <= 0.60)\n", tb / ts
  printf "orchestration overhead per run: serial %.0f ms, backlog %.0f ms\n", (ts - 4 * sl) / 4, (tb - 2 * sl) / 2 }'
