#!/bin/sh
# Redaction throughput on a generated 50 MB log corpus vs a plain regex scan, same JVM.
# Usage: bench/redact/run.sh [MB]   (from the repository root; builds the classes first)
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q -o -DskipTests compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-redact.cp >/dev/null
exec java -Xmx1g -cp "target/classes:$(cat target/bench-redact.cp)" bench/redact/RedactBench.java "${1:-50}"
