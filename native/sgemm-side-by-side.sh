#!/bin/sh
# deltaprop's forward kernel at N×N×N next to CLBlast's SGEMM on the same OpenCL device, and
# OpenBLAS's SGEMM on the CPU (the ceiling), in one run, so that all three see the same machine:
#   native/sgemm-side-by-side.sh [N [RUNS]]          (defaults 1024 5)
# Needs target/deltaprop.jar (mvn -o package -DskipTests) or DELTAPROP_JAR; the OpenCL device
# is the one DELTAPROP_OPENCL_DEVICE names, for all of them.
set -eu
n=${1:-1024}
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
# OpenBLAS (and PyTorch, which calls it) under its fastest kernels here: native/openblas-coretype.sh
eval "$(sh "$here/openblas-coretype.sh")"
jar=${DELTAPROP_JAR:-$here/../target/deltaprop.jar}
[ -f "$jar" ] || { echo "sgemm-side-by-side: $jar not found; run mvn -o package -DskipTests first" >&2; exit 1; }
echo "== $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "== OpenBLAS (CPU ceiling)"
"$here/openblas-sgemm.sh" "$n" 2 "$runs"
echo "== CLBlast on OpenCL"
"$here/clblast-sgemm.sh" "$n" 2 "$runs"
echo "== deltaprop forward kernel on OpenCL"
# with the JDK's signal chaining: PoCL's LLVM replaces the JVM's SIGSEGV handler (README "OpenCL on PoCL")
jsig=$(sh "$here/jsig-path.sh" java)
env ${jsig:+LD_PRELOAD="$jsig"} java -jar "$jar" bench --backend opencl --workload "gemm-$n" --warmup 2 --steps "$runs"
