# Sourced (POSIX sh) by ./mvnw, ./dgnet and .ci/run: DG-Net needs JDK 25 or newer. When JAVA_HOME is unset or
# older, use a JDK 25 from the usual install folders (machine images often ship one beside an older default).
dgnet_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] \
    || [ "$(dgnet_java_major "$JAVA_HOME/bin/java" | cut -d. -f1)" -lt 25 ] 2>/dev/null; then
  for dgnet_candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*25* \
      /usr/lib/jvm/*; do
    if [ -x "$dgnet_candidate/bin/javac" ] \
        && [ "$(dgnet_java_major "$dgnet_candidate/bin/java" | cut -d. -f1)" -ge 25 ] 2>/dev/null; then
      JAVA_HOME="$dgnet_candidate"
      export JAVA_HOME
      break
    fi
  done
fi
