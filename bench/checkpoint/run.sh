#!/usr/bin/env bash
# Checkpoint benchmark: a 30,000-file (~300 MB) repository, dirty iterations of 1% modified,
# 200 new and 20 deleted files; git status, git stash create and java -version against our
# checkpoint (first, loop with the file watcher, in-process full scan, CLI) and rollback, all
# interleaved in one run. Prints a Markdown table of medians and the ratios against the targets.
#
#   [LOKI_BENCH_RETENTION=N] bench/checkpoint/run.sh [ROUNDS=7] [FILES=30000]   (N: checkpoints kept, default 1000)
# Needs: a built jar (mvn -B -q package -DskipTests), python3, git. Work dir: bench/out/ (ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-7}"; files="${2:-30000}"
[ -f target/loki.jar ] || { echo "Build first: mvn -B -q package -DskipTests" >&2; exit 1; }
out="bench/out/checkpoint-$files"
if [ ! -d "$out/.git" ]; then
  echo "generating $files files in $out ..." >&2
  rm -rf "$out"; python3 bench/checkpoint/gen-repo.py init "$out" --files "$files"
fi
# a fresh .loki and snapshot store (<git-dir>/loki) each run, so "first checkpoint" really is the first
rm -rf "$out/.loki" "$out/.git/loki"; git -C "$out" reset -q --hard; git -C "$out" clean -qfd
echo "tree: $(git -C "$out" ls-files | wc -l) tracked files, $(du -sh --exclude=.git "$out" | cut -f1) on disk" >&2
echo "git $(git --version | cut -d' ' -f3), $(java -version 2>&1 | head -1), $(nproc) cores" >&2
java -cp target/loki.jar bench/checkpoint/CheckpointBench.java "$out" "$rounds" "$PWD/bin/loki"
