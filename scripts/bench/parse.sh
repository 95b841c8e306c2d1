#!/bin/sh
# Times kiln's Dockerfile frontend on a generated 10,000-instruction Dockerfile.
# Usage: scripts/bench/parse.sh [INSTRUCTIONS]   (from the repository root)
# Compiles the builder module and its test classes, then runs dev.kiln.builder.dockerfile.ParseBenchmark.
set -eu
cd "$(dirname "$0")/../.."
mvn -B -q -pl builder -am test-compile
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
jackson=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' pom.xml)
cp="builder/target/classes:builder/target/test-classes:oci-spec/target/classes:runtime/target/classes"
for a in databind core annotations; do
  jar=$(find "$repo/com/fasterxml/jackson/core/jackson-$a" -name "jackson-$a-*.jar" | grep "/$jackson/" | head -n 1 || true)
  [ -n "$jar" ] || jar=$(find "$repo/com/fasterxml/jackson/core/jackson-$a" -name "jackson-$a-*.jar" | sort | tail -n 1)
  cp="$cp:$jar"
done
exec java -cp "$cp" dev.kiln.builder.dockerfile.ParseBenchmark "${1:-10000}"
