#!/usr/bin/env bash
# Runs a class or a single-file program (java/SparkDigits.java) on the Spark module's class path:
# the core jar, Spark and their dependencies (from ~/.m2, listed by Maven once into
# target/classpath.txt), the module's classes and its measurement programs, with the JVM options
# Spark's own launcher passes on Java 17+ (they are read from the pom, where the tests take them).
#   bash spark/run.sh java/SparkDigits.java --quick
#   bash spark/run.sh dev.deltaprop.spark.SideBySide --data digits
# Needs a build first: mvn -f spark/pom.xml -q -DskipTests test-compile (after installing the core).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -s "$here/target/classpath.txt" ] || [ "$here/pom.xml" -nt "$here/target/classpath.txt" ]; then
    mvn -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$here/target/classpath.txt" >&2
fi
classpath="$here/target/classes:$here/target/test-classes:$(cat "$here/target/classpath.txt")"
# the pom's spark.jvm.options, with the JDK-dependent part for this java
options=$(sed -n 's:.*<spark.jvm.options>\(.*\)</spark.jvm.options>.*:\1:p' "$here/pom.xml")
version=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${version%%.*}" -ge 24 ]; then
    jdk="--sun-misc-unsafe-memory-access=allow"
else
    jdk="--add-opens=java.base/sun.security.action=ALL-UNNAMED"
fi
options="${options//\$\{spark.jvm.options.jdk\}/$jdk}"
# the JDK's signal chaining, where it has it: a task whose backend opens PoCL would otherwise have
# LLVM's SIGSEGV handler replace the JVM's (README "OpenCL on PoCL")
jsig=$(sh "$here/../native/jsig-path.sh" java)
# shellcheck disable=SC2086 # the options are words
exec env ${jsig:+LD_PRELOAD="$jsig"} java $options --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dlog4j2.configurationFile="$here/src/test/resources/log4j2.properties" ${JAVA_OPTS:-} -cp "$classpath" "$@"
