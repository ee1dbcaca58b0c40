#!/bin/sh
# Memory search latency and index size over generated episodes, against a linear-scan baseline.
# Usage: bench/memory/run.sh [episodes] [queries]   (from the repository root; builds the classes first)
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q -o -DskipTests compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-memory.cp >/dev/null
exec java -Xmx1g -cp "target/classes:$(cat target/bench-memory.cp)" bench/memory/MemoryBench.java "${1:-10000}" "${2:-2000}"
