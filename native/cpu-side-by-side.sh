#!/bin/sh
# The cpu backend next to OpenBLAS's SGEMM (the CPU's ceiling) and the reference backend, in one
# run so that all of them see the same (shared, loaded) machine; each pair runs back to back.
#   native/cpu-side-by-side.sh [N [RUNS]]          (defaults 1024 9)
# Needs target/deltaprop.jar (mvn -o package -DskipTests) or DELTAPROP_JAR. Thread counts: OpenBLAS
# by OPENBLAS_NUM_THREADS, the cpu backend by -Ddeltaprop.cpu.threads (java -jar passes JVM
# options on to the Vector API relaunch). The cpu backend gets long warm-ups: on this shared machine
# C2 needs a second or two of CPU to compile the Vector API kernel, and shorter warm-ups time the
# interpreter (docs/perf-cpu.md).
set -eu
n=${1:-1024}
runs=${2:-9}
here=$(cd "$(dirname "$0")" && pwd)
# OpenBLAS (and PyTorch, which calls it) under its fastest kernels here: native/openblas-coretype.sh
eval "$(sh "$here/openblas-coretype.sh")"
jar=${DELTAPROP_JAR:-$here/../target/deltaprop.jar}
[ -f "$jar" ] || { echo "cpu-side-by-side: $jar not found; run mvn -o package -DskipTests first" >&2; exit 1; }
echo "== $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for threads in 1 2; do
    echo "== $threads thread(s): OpenBLAS SGEMM, then the cpu backend's forward GEMM (gemm-$n)"
    OPENBLAS_NUM_THREADS=$threads "$here/openblas-sgemm.sh" "$n" 3 "$runs"
    java -Ddeltaprop.cpu.threads=$threads -jar "$jar" bench --backend cpu --workload "gemm-$n" --warmup 30 --steps "$runs"
done
echo "== mnist training step: cpu (all cores), then reference"
java -jar "$jar" bench --backend cpu --workload mnist --warmup 100 --steps 30
java -jar "$jar" bench --backend reference --workload mnist
echo "== $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
