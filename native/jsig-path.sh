#!/bin/sh
# Prints the signal-chaining library of the JDK whose java is $1 (default: java on PATH), or
# nothing where that JDK has none: scripts preload it into JVMs that may open OpenCL on PoCL,
# whose LLVM replaces the JVM's SIGSEGV handler (README "OpenCL on PoCL"):
#   java_env=$(sh native/jsig-path.sh) && LD_PRELOAD=$java_env java …
java_bin=$(command -v "${1:-java}" 2>/dev/null) || exit 0
home=$(dirname "$(dirname "$(readlink -f "$java_bin")")")
[ -f "$home/lib/libjsig.so" ] && echo "$home/lib/libjsig.so"
exit 0
