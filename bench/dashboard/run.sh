#!/usr/bin/env bash
# Dashboard loopback benchmark: req/s and p50/p99 for /health (baseline), /api/status and
# /api/checkpoints?limit=50 with 1,000 checkpoints, then SSE fan-out to 100 subscribers.
# Usage: bench/dashboard/run.sh [requests-per-round=4000] [rounds=3]   (about 1-2 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-cp.txt >/dev/null
exec java -Xmx512m -cp "target/test-classes:target/classes:$(cat target/bench-cp.txt)" \
  dev.loki.dashboard.DashboardBench "${1:-4000}" "${2:-3}"
