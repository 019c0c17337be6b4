#!/usr/bin/env bash
# Runs one of bench's command-line tools (see bench/README.md): harness.sh CLASS [ARGS...], as compare.sh and
# load-test.sh do. Builds what is missing or stale first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=../.mvn/jdk.sh
. .mvn/jdk.sh
if [ -z "${JAVA_HOME:-}" ] || [ "$(dgnet_java_major "$JAVA_HOME/bin/java" | cut -d. -f1)" -lt 25 ] 2>/dev/null; then
  echo "${0##*/}: needs a JDK 25 or newer: set JAVA_HOME to one" >&2
  exit 1
fi

jar=bench/target/benchmarks.jar
flags=bench/target/classes/ai/dgnet/bench/jvm.options
# Stale when any source or POM of the modules the harness runs is newer than the jar.
if [ ! -f "$jar" ] || [ ! -f "$flags" ] || [ -n "$(find pom.xml native-bindings runtime models bench \
    \( -path '*/src/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)" ]; then
  echo "${0##*/}: building bench and the modules it uses" >&2
  ./mvnw -q -Dmaven.test.skip=true -pl bench -am package >&2
fi

# The JVM flags come from the parent POM (one place), written into the bench build.
read -r -a jvm_flags < "$flags"
main="$1"
shift
exec "$JAVA_HOME/bin/java" "${jvm_flags[@]}" ${DGNET_JAVA_OPTS:-} -cp "$jar" "$main" "$@"
